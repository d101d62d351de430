#include "engine/staged_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>

#include <nlohmann/json.hpp>

namespace reel {
namespace {
constexpr uint64_t kWritebackEvery = 8ull << 20;

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

std::string StagedFile::DataPath() const { return dir_ + "/" + std::to_string(meta_.ino) + ".data"; }
std::string StagedFile::MetaPath() const { return dir_ + "/" + std::to_string(meta_.ino) + ".meta"; }

Result<std::unique_ptr<StagedFile>> StagedFile::Create(const std::string& dir, InodeId ino,
                                                       uint64_t base_version, uint64_t base_size,
                                                       TimeNs mtime, TimeNs base_created) {
  StagedMeta meta{ino, NewStagingId(), base_version, base_created, base_size, base_size, mtime, {}};
  std::string path = dir + "/" + std::to_string(ino) + ".data";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, "create staging file " + path);
  if (::ftruncate(fd.get(), static_cast<off_t>(base_size)) != 0) {
    return Status::FromErrno(errno, "size staging file " + path);
  }
  auto file = std::unique_ptr<StagedFile>(new StagedFile(dir, std::move(meta), std::move(fd)));
  file->dirty_ = base_version == 0;  // a file without any version needs its first one
  return file;
}

Result<std::unique_ptr<StagedFile>> StagedFile::Reopen(const std::string& dir,
                                                       const StagedMeta& meta) {
  std::string path = dir + "/" + std::to_string(meta.ino) + ".data";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, "open staging file " + path);
  if (::ftruncate(fd.get(), static_cast<off_t>(meta.size)) != 0) {
    return Status::FromErrno(errno, "size staging file " + path);
  }
  auto file = std::unique_ptr<StagedFile>(new StagedFile(dir, meta, std::move(fd)));
  file->dirty_ = true;
  return file;
}

void StagedFile::Discard(const std::string& dir, InodeId ino) {
  ::unlink((dir + "/" + std::to_string(ino) + ".data").c_str());
  ::unlink((dir + "/" + std::to_string(ino) + ".meta").c_str());
}

Status StagedFile::Adopt(const std::string& dir, const StagedMeta& meta, InodeId ino) {
  auto path = [&](InodeId i, const char* ext) { return dir + "/" + std::to_string(i) + ext; };
  if (::link(path(meta.ino, ".data").c_str(), path(ino, ".data").c_str()) != 0) {
    return Status::FromErrno(errno, "link staging data of inode " + std::to_string(meta.ino));
  }
  StagedMeta adopted = meta;
  adopted.ino = ino;
  adopted.base_version = 0;
  adopted.base_created = 0;
  adopted.base_limit = 0;
  UniqueFd fd(::open(path(ino, ".data").c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, "open " + path(ino, ".data"));
  StagedFile file(dir, adopted, std::move(fd));
  REEL_RETURN_IF_ERROR(file.PersistMeta(Durability::kDurable));
  ::unlink(path(meta.ino, ".meta").c_str());
  ::unlink(path(meta.ino, ".data").c_str());
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
    m.size = j.at("size").get<uint64_t>();
    m.base_limit = j.at("base_limit").get<uint64_t>();
    m.mtime = j.at("mtime").get<int64_t>();
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
    std::string ino = name.substr(0, name.size() - 5);
    bool has_meta = false;
    for (const auto& m : metas) has_meta |= std::to_string(m.ino) == ino;
    if (!has_meta) ::unlink((dir + "/" + name).c_str());
  }
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
  return n;
}

Status StagedFile::Truncate(uint64_t size, TimeNs now) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return Status::FromErrno(errno, "truncate staging file");
  }
  extents_.TruncateAt(size);
  if (size < meta_.base_limit) meta_.base_limit = size;
  meta_.size = size;
  meta_.mtime = now;
  dirty_ = true;
  return Status::Ok();
}

Status StagedFile::PunchHole(uint64_t offset, uint64_t length, TimeNs now) {
  uint64_t end = std::min(offset + length, meta_.size);
  if (offset >= end) return Status::Ok();
  if (::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  static_cast<off_t>(offset), static_cast<off_t>(end - offset)) != 0) {
    return Status::FromErrno(errno, "punch hole in staging file");
  }
  extents_.Add(offset, end);  // staged zeros
  meta_.mtime = now;
  dirty_ = true;
  return Status::Ok();
}

Status StagedFile::ReadStaged(uint64_t offset, std::span<uint8_t> out) const {
  return PreadFull(fd_.get(), out.data(), out.size(), offset);
}

Status StagedFile::PersistMeta(Durability durability) {
  meta_.extents = extents_.Ranges();
  nlohmann::json j = {{"ino", meta_.ino},
                      {"id", meta_.id},
                      {"base_version", meta_.base_version},
                      {"base_created", meta_.base_created},
                      {"size", meta_.size},
                      {"base_limit", meta_.base_limit},
                      {"mtime", meta_.mtime},
                      {"extents", meta_.extents}};
  return WriteFileAtomic(MetaPath(), j.dump(), 0600, durability);
}

Status StagedFile::Sync() {
  if (::fdatasync(fd_.get()) != 0) return Status::FromErrno(errno, "fdatasync staging file");
  return PersistMeta(Durability::kDurable);
}

Status StagedFile::MarkCommitted(uint64_t version, uint64_t size, TimeNs created) {
  extents_.clear();
  meta_.extents.clear();
  meta_.id = NewStagingId();
  meta_.base_version = version;
  meta_.base_created = created;
  meta_.size = size;
  meta_.base_limit = size;
  dirty_ = false;
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return Status::FromErrno(errno, "size staging file");
  }
  // Free the disk space; the offsets stay valid for later writes.
  if (size > 0) {
    ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(size));
  }
  if (::unlink(MetaPath().c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "remove staging metadata");
  }
  return Status::Ok();
}

void StagedFile::Remove() {
  fd_.Reset();
  Discard(dir_, meta_.ino);
}

}  // namespace reel
