#include "undo_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace reel::crashfs {

Result<UndoLog::FileUndo*> UndoLog::RecordFor(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "fstat");
  InodeKey key{st.st_dev, st.st_ino};
  auto it = files_.find(key);
  if (it != files_.end()) return &it->second;
  // A descriptor of our own (read-write, through /proc so an O_WRONLY fd works too), so the
  // record outlives the caller's handle and follows the inode through renames.
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  UniqueFd own(::open(proc.c_str(), O_RDWR | O_CLOEXEC));
  if (!own.valid()) return Status::FromErrno(errno, "reopen " + proc);
  FileUndo& file = files_[key];
  file.fd = std::move(own);
  file.synced_size = static_cast<uint64_t>(st.st_size);
  return &file;
}

Status UndoLog::SaveRange(FileUndo& file, uint64_t begin, uint64_t end) {
  end = std::min(end, file.synced_size);
  // Walk the saved ranges that touch [begin, end) and save the gaps between them.
  auto it = file.saved.upper_bound(begin);
  if (it != file.saved.begin()) --it;
  std::vector<std::pair<uint64_t, uint64_t>> gaps;
  uint64_t pos = begin;
  for (; it != file.saved.end() && pos < end; ++it) {
    uint64_t r_begin = it->first, r_end = it->first + it->second.size();
    if (r_end <= pos) continue;
    if (r_begin >= end) break;
    if (r_begin > pos) gaps.emplace_back(pos, r_begin);
    pos = std::max(pos, r_end);
  }
  if (pos < end) gaps.emplace_back(pos, end);
  for (auto [g_begin, g_end] : gaps) {
    std::string bytes(g_end - g_begin, '\0');
    REEL_RETURN_IF_ERROR(PreadFull(file.fd.get(), bytes.data(), bytes.size(), g_begin));
    file.saved.emplace(g_begin, std::move(bytes));
  }
  return Status::Ok();
}

Status UndoLog::BeforeWrite(int fd, uint64_t offset, uint64_t length) {
  REEL_ASSIGN_OR_RETURN(FileUndo * file, RecordFor(fd));
  return SaveRange(*file, offset, offset + length);
}

Status UndoLog::BeforeTruncate(int fd, uint64_t new_size) {
  REEL_ASSIGN_OR_RETURN(FileUndo * file, RecordFor(fd));
  return SaveRange(*file, new_size, file->synced_size);
}

void UndoLog::Synced(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) == 0) files_.erase(InodeKey{st.st_dev, st.st_ino});
}

Status UndoLog::Restore(const FileUndo& file) {
  for (const auto& [offset, bytes] : file.saved) {
    REEL_RETURN_IF_ERROR(PwriteFull(file.fd.get(), bytes.data(), bytes.size(), offset));
  }
  if (::ftruncate(file.fd.get(), static_cast<off_t>(file.synced_size)) != 0) {
    return Status::FromErrno(errno, "ftruncate");
  }
  if (::fsync(file.fd.get()) != 0) return Status::FromErrno(errno, "fsync");
  return Status::Ok();
}

Result<size_t> UndoLog::RestoreAll() {
  size_t restored = 0;
  Status first_error = Status::Ok();
  for (const auto& [key, file] : files_) {
    Status s = Restore(file);
    if (s.ok()) {
      ++restored;
    } else if (first_error.ok()) {
      first_error = s;
    }
  }
  files_.clear();
  if (!first_error.ok()) return first_error;
  return restored;
}

}  // namespace reel::crashfs
