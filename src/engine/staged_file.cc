#include "engine/staged_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/random.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>

#include <nlohmann/json.hpp>

namespace reel {
namespace {
constexpr uint64_t kWritebackEvery = 8ull << 20;

// Staging writes leave this much of the staging filesystem free (1/32 of it, 8 to 256 MiB), so a
// full disk fails writes with ENOSPC but keeps room for what frees space: staging records, the
// catalog (on the same disk by default), and so commits, deletes and renames.
uint64_t StagingReserve(const struct statvfs& st) {
  return std::clamp<uint64_t>(st.f_blocks * st.f_frsize / 32, 8ull << 20, 256ull << 20);
}

// NoSpace when writing `size` more bytes would eat into the reserve.
Status CheckRoom(int fd, size_t size) {
  struct statvfs st {};
  if (::fstatvfs(fd, &st) != 0) return Status::Ok();  // unknown: the write itself will tell
  uint64_t avail = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  if (avail >= StagingReserve(st) + size) return Status::Ok();
  return Status::FromErrno(ENOSPC, "staging disk full (room is kept for commits and deletes)");
}

// A random, non-zero record id.
uint64_t NewStagingId() {
  uint64_t id = 0;
  while (id == 0) {
    if (::getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) id = 0;
  }
  return id;
}
}  // namespace

StagedFile::StagedFile(std::string dir, StagedMeta meta, UniqueFd fd)
    : dir_(std::move(dir)), meta_(std::move(meta)), fd_(std::move(fd)) {
  for (const auto& [s, e] : meta_.extents) extents_.Add(s, e);
}

namespace {

// "<ino>" for layer 0 (the only name before layers existed), "<ino>.<layer>" above it.
std::string StemOf(InodeId ino, uint32_t layer) {
  std::string stem = std::to_string(ino);
  if (layer > 0) stem += "." + std::to_string(layer);
  return stem;
}

}  // namespace

std::string StagedFile::DataPath() const { return dir_ + "/" + StemOf(meta_.ino, meta_.layer) + ".data"; }
std::string StagedFile::MetaPath() const { return dir_ + "/" + StemOf(meta_.ino, meta_.layer) + ".meta"; }

Result<std::unique_ptr<StagedFile>> StagedFile::Create(const std::string& dir, InodeId ino,
                                                       uint64_t base_version, uint64_t base_size,
                                                       TimeNs mtime, TimeNs base_created) {
  StagedMeta meta;
  meta.ino = ino;
  meta.id = NewStagingId();
  meta.base_version = base_version;
  meta.base_created = base_created;
  meta.size = meta.base_limit = base_size;
  meta.mtime = mtime;
  REEL_ASSIGN_OR_RETURN(auto file, CreateLayer(dir, std::move(meta)));
  file->dirty_ = base_version == 0;  // a file without any version needs its first one
  return file;
}

Result<std::unique_ptr<StagedFile>> StagedFile::CreateOver(const StagedFile& below, TimeNs mtime) {
  StagedMeta meta;
  meta.ino = below.meta_.ino;
  meta.id = NewStagingId();
  meta.base_version = below.meta_.base_version;
  meta.base_created = below.meta_.base_created;
  meta.layer = below.meta_.layer + 1;
  // A layer below with nothing on disk holds exactly its base: this one lies on that base
  // directly (recovery could not find the layer below, which has no record).
  meta.over_id = below.on_disk() ? below.meta_.id : 0;
  meta.size = meta.base_limit = below.meta_.size;
  meta.mtime = mtime;
  return CreateLayer(below.dir_, std::move(meta));
}

Result<std::unique_ptr<StagedFile>> StagedFile::CreateLayer(const std::string& dir,
                                                            StagedMeta meta) {
  return std::unique_ptr<StagedFile>(new StagedFile(dir, std::move(meta), UniqueFd()));
}

Status StagedFile::EnsureDataFile() {
  if (fd_.valid()) return Status::Ok();
  const std::string path = DataPath();
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, "create staging file " + path);
  if (::ftruncate(fd.get(), static_cast<off_t>(meta_.size)) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return Status::FromErrno(err, "size staging file " + path);
  }
  fd_ = std::move(fd);
  return Status::Ok();
}

Result<std::unique_ptr<StagedFile>> StagedFile::Reopen(const std::string& dir,
                                                       const StagedMeta& meta) {
  std::string path = dir + "/" + StemOf(meta.ino, meta.layer) + ".data";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, "open staging file " + path);
  if (::ftruncate(fd.get(), static_cast<off_t>(meta.size)) != 0) {
    return Status::FromErrno(errno, "size staging file " + path);
  }
  auto file = std::unique_ptr<StagedFile>(new StagedFile(dir, meta, std::move(fd)));
  file->dirty_ = true;
  file->meta_written_ = true;
  file->record_current_ = true;
  return file;
}

void StagedFile::Discard(const std::string& dir, const StagedMeta& meta) {
  const std::string stem = dir + "/" + StemOf(meta.ino, meta.layer);
  ::unlink((stem + ".data").c_str());
  ::unlink((stem + ".meta").c_str());
}

Status StagedFile::Adopt(const std::string& dir, const StagedMeta& meta, InodeId ino) {
  const std::string from = dir + "/" + StemOf(meta.ino, meta.layer);
  const std::string to = dir + "/" + StemOf(ino, 0);
  if (::link((from + ".data").c_str(), (to + ".data").c_str()) != 0) {
    return Status::FromErrno(errno, "link staging data of inode " + std::to_string(meta.ino));
  }
  StagedMeta adopted = meta;
  adopted.ino = ino;
  adopted.layer = 0;
  adopted.over_id = 0;
  adopted.base_version = 0;
  adopted.base_created = 0;
  adopted.base_limit = 0;
  UniqueFd fd(::open((to + ".data").c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, "open " + to + ".data");
  StagedFile file(dir, adopted, std::move(fd));
  REEL_RETURN_IF_ERROR(file.PersistMeta(Durability::kDurable));
  ::unlink((from + ".meta").c_str());
  ::unlink((from + ".data").c_str());
  return FsyncDir(dir);
}

static Result<StagedMeta> ParseMeta(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("staging metadata is not JSON");
  StagedMeta m;
  try {
    m.ino = j.at("ino").get<uint64_t>();
    m.id = j.value("id", uint64_t{0});
    m.base_version = j.at("base_version").get<uint64_t>();
    m.base_created = j.value("base_created", TimeNs{0});
    m.layer = j.value("layer", 0u);
    m.over_id = j.value("over_id", uint64_t{0});
    m.size = j.at("size").get<uint64_t>();
    m.base_limit = j.at("base_limit").get<uint64_t>();
    m.mtime = j.at("mtime").get<int64_t>();
    m.fence = j.value("fence", uint64_t{0});
    for (const auto& e : j.at("extents")) m.extents.emplace_back(e.at(0).get<uint64_t>(), e.at(1).get<uint64_t>());
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("staging metadata: ") + e.what());
  }
  return m;
}

Result<std::vector<StagedMeta>> StagedFile::ListRecoverable(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return Status::FromErrno(errno, "open staging dir " + dir);
  std::vector<StagedMeta> metas;
  std::vector<std::string> data_files;
  while (dirent* ent = ::readdir(d.get())) {
    std::string name = ent->d_name;
    auto ends_with = [&](const std::string& s) {
      return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with(".meta")) {
      auto text = ReadWholeFile(dir + "/" + name);
      if (!text.ok()) return text.status();
      if (text->find_first_not_of('\0') == std::string::npos) {
        ::unlink((dir + "/" + name).c_str());  // emptied by a power cut: never made durable
        continue;
      }
      auto meta = ParseMeta(*text);
      if (!meta.ok()) return meta.status().WithContext(dir + "/" + name);
      metas.push_back(*meta);
    } else if (ends_with(".data")) {
      data_files.push_back(name);
    } else if (name.find(".tmp.") != std::string::npos) {
      ::unlink((dir + "/" + name).c_str());  // an interrupted metadata write
    }
  }
  for (const auto& name : data_files) {
    std::string stem = name.substr(0, name.size() - 5);
    bool has_meta = false;
    for (const auto& m : metas) has_meta |= StemOf(m.ino, m.layer) == stem;
    if (!has_meta) ::unlink((dir + "/" + name).c_str());
  }
  std::sort(metas.begin(), metas.end(), [](const StagedMeta& a, const StagedMeta& b) {
    return std::tie(a.ino, a.layer) < std::tie(b.ino, b.layer);
  });
  return metas;
}

Status StagedFile::Write(uint64_t offset, std::span<const uint8_t> data, TimeNs now) {
  return WriteFrom(offset, data.size(), PwriteFill(data), now).status();
}

StagingFill StagedFile::PwriteFill(std::span<const uint8_t> data) {
  return [data](int fd, uint64_t offset, size_t size) -> Result<size_t> {
    REEL_RETURN_IF_ERROR(PwriteFull(fd, data.data(), std::min(size, data.size()), offset));
    return std::min(size, data.size());
  };
}

Result<size_t> StagedFile::WriteFrom(uint64_t offset, size_t size, const StagingFill& fill,
                                     TimeNs now) {
  if (size == 0) return size_t{0};
  REEL_RETURN_IF_ERROR(EnsureDataFile());
  REEL_RETURN_IF_ERROR(CheckRoom(fd_.get(), size));
  Result<size_t> moved = fill(fd_.get(), offset, size);
  if (!moved.ok() || *moved == 0) return moved;
  // Whatever was moved is staged, even if the caller reports an error for the rest.
  size_t n = std::min(*moved, size);
  // Starts writeback (without waiting) every few MiB, so the disk writes while more data arrives
  // and an fsync or a commit later finds most of it on disk already.
  unflushed_ += n;
  if (unflushed_ >= kWritebackEvery) {
    (void)::sync_file_range(fd_.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
    unflushed_ = 0;
  }
  extents_.Add(offset, offset + n);
  if (offset + n > meta_.size) meta_.size = offset + n;
  meta_.mtime = now;
  dirty_ = true;
  record_current_ = false;
  return n;
}

Status StagedFile::Truncate(uint64_t size, TimeNs now) {
  REEL_RETURN_IF_ERROR(EnsureDataFile());
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return Status::FromErrno(errno, "truncate staging file");
  }
  extents_.TruncateAt(size);
  if (size < meta_.base_limit) meta_.base_limit = size;
  meta_.size = size;
  meta_.mtime = now;
  dirty_ = true;
  record_current_ = false;
  return Status::Ok();
}

Status StagedFile::PunchHole(uint64_t offset, uint64_t length, TimeNs now) {
  uint64_t end = std::min(offset + length, meta_.size);
  if (offset >= end) return Status::Ok();
  REEL_RETURN_IF_ERROR(EnsureDataFile());
  if (::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  static_cast<off_t>(offset), static_cast<off_t>(end - offset)) != 0) {
    return Status::FromErrno(errno, "punch hole in staging file");
  }
  extents_.Add(offset, end);  // staged zeros
  meta_.mtime = now;
  dirty_ = true;
  record_current_ = false;
  return Status::Ok();
}

Status StagedFile::ReadStaged(uint64_t offset, std::span<uint8_t> out) const {
  return PreadFull(fd_.get(), out.data(), out.size(), offset);
}

Status StagedFile::PersistMeta(Durability durability) {
  if (durability == Durability::kAtomicOnly && record_durable_) return Sync();
  // A record always has its data file (recovery reopens both).
  REEL_RETURN_IF_ERROR(EnsureDataFile());
  meta_.extents = extents_.Ranges();
  nlohmann::json j = {{"ino", meta_.ino},
                      {"id", meta_.id},
                      {"base_version", meta_.base_version},
                      {"base_created", meta_.base_created},
                      {"size", meta_.size},
                      {"base_limit", meta_.base_limit},
                      {"mtime", meta_.mtime},
                      {"extents", meta_.extents}};
  if (meta_.layer > 0) j["layer"] = meta_.layer;
  if (meta_.over_id != 0) j["over_id"] = meta_.over_id;
  if (meta_.fence != 0) j["fence"] = meta_.fence;
  REEL_RETURN_IF_ERROR(WriteFileAtomic(MetaPath(), j.dump(), 0600, durability));
  meta_written_ = record_current_ = true;
  return Status::Ok();
}

Status StagedFile::RecordIfChanged() {
  if (meta_written_ && record_current_) return Status::Ok();
  if (!on_disk()) return Status::Ok();  // nothing written: it holds its base, nothing to lose
  return PersistMeta(Durability::kAtomicOnly);
}

Status StagedFile::Rebase(uint64_t version, TimeNs created) {
  meta_.base_version = version;
  meta_.base_created = created;
  meta_.over_id = 0;
  return meta_written_ ? PersistMeta(Durability::kDurable) : Status::Ok();
}

Status StagedFile::Sync() {
  if (!on_disk()) return Status::Ok();  // nothing written: it holds its base
  if (::fdatasync(fd_.get()) != 0) return Status::FromErrno(errno, "fdatasync staging file");
  REEL_RETURN_IF_ERROR(PersistMeta(Durability::kDurable));
  record_durable_ = true;
  return Status::Ok();
}

void StagedFile::Remove() {
  const bool files = on_disk();
  fd_.Reset();
  if (!files) return;
  ::unlink(DataPath().c_str());
  ::unlink(MetaPath().c_str());
}

}  // namespace reel
