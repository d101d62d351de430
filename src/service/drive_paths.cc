#include "service/drive_paths.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "common/names.h"
#include "engine/engine.h"

namespace reel {
namespace {

// "1-4, 7, 9-10" for sorted numbers.
std::string NumberRanges(std::vector<uint64_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  std::string out;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(numbers[i]);
    if (j > i) out += "-" + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace

Result<InodeId> ResolveDrivePath(Engine& engine, const std::string& path) {
  auto ino = engine.Resolve(path);
  if (ino.ok()) return ino;
  const std::string shown = ShownPath(path);
  switch (ino.status().code()) {
    case Code::kNotFound:
      return Status::NotFound(shown + ": no such file or directory in the drive (check the name " +
                              "with ls; deleted files are listed by `reel trash`)");
    case Code::kNotDirectory:
      return Status::NotDirectory(shown + ": a part of the path is a file, not a directory");
    default:
      return ino.status().WithContext(shown);
  }
}

Status NameThePath(const Status& s, const std::string& path) {
  if (s.ok()) return s;
  constexpr std::string_view kInode = "inode ";
  const std::string shown = ShownPath(path);
  std::string_view m = s.message();
  // The catalog no longer knows the inode the path led to a moment before.
  if (s.code() == Code::kNotFound && m.starts_with("no inode ")) {
    return Status::NotFound(shown + ": no such file any more: it was deleted or replaced while "
                                    "the command ran");
  }
  if (m.starts_with(kInode)) {
    size_t end = kInode.size();
    while (end < m.size() && std::isdigit(static_cast<unsigned char>(m[end]))) ++end;
    if (end > kInode.size()) return Status(s.code(), shown + std::string(m.substr(end)));
  }
  if (m.starts_with(shown)) return s;
  return s.WithContext(shown);
}

Status NoSuchVersion(const std::string& path, uint64_t number,
                     const std::vector<VersionInfo>& versions) {
  std::string shown = ShownPath(path);
  std::string text = shown + " has no version " + std::to_string(number);
  if (versions.empty()) {
    return Status::NotFound(text + ": it has no versions yet (a version is made when the file " +
                            "is closed, or by `reel save`)");
  }
  std::vector<uint64_t> numbers;
  for (const VersionInfo& v : versions) numbers.push_back(v.number);
  return Status::NotFound(text + "; it has " + (numbers.size() == 1 ? "version " : "versions ") +
                          NumberRanges(numbers) + ": pick one of those");
}

}  // namespace reel
