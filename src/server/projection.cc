#include "server/projection.h"

#include <fnmatch.h>

#include <map>

#include "common/names.h"

namespace reel {

namespace {

constexpr size_t kMaxPath = 4096;
// Entries walked in the source at most (a tree bigger than this is projected in parts).
constexpr size_t kMaxWalked = 1'000'000;

Status CheckRelative(const std::string& path, const char* what, bool empty_ok) {
  if (path.empty()) {
    return empty_ok ? Status::Ok() : Status::InvalidArgument(std::string(what) + " is empty");
  }
  if (path.size() > kMaxPath || path.front() == '/') {
    return Status::InvalidArgument(std::string(what) + " \"" + path.substr(0, 64) +
                                   "\" must be relative and at most 4096 bytes");
  }
  return SplitRelativePath(path).status().WithContext(what);
}

// Whether `path` (a file of the source) is one `pattern` names.
bool Matches(const std::string& pattern, const std::string& path) {
  if (path == pattern) return true;
  if (path.size() > pattern.size() && path.starts_with(pattern) && path[pattern.size()] == '/') {
    return true;  // below a directory it names
  }
  return ::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
}

struct Found {
  std::string path;
  Attributes attr;
};

// The regular files of `source` that a pattern names, in path order.
Result<std::vector<Found>> MatchingFiles(Catalog& source, const std::vector<std::string>& patterns) {
  std::vector<Found> out;
  size_t walked = 0;
  std::vector<std::pair<InodeId, std::string>> dirs{{kRootInode, ""}};
  while (!dirs.empty()) {
    auto [dir, at] = dirs.back();
    dirs.pop_back();
    uint64_t after = 0;
    for (;;) {
      REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> page, source.ReadDir(dir, after, 1000));
      if (page.empty()) break;
      for (DirEntry& e : page) {
        after = e.cookie;
        if (++walked > kMaxWalked) {
          return Status::InvalidArgument("the source holds more than " +
                                         std::to_string(kMaxWalked) + " entries: project "
                                         "parts of it from a directory of theirs");
        }
        std::string path = at.empty() ? e.name : at + "/" + e.name;
        if (e.attr.type == FileType::kDirectory) {
          dirs.emplace_back(e.attr.ino, std::move(path));
          continue;
        }
        if (e.attr.type != FileType::kRegular) continue;
        for (const std::string& p : patterns) {
          if (!Matches(p, path)) continue;
          if (out.size() >= kMaxProjectedFiles) {
            return Status::InvalidArgument("more than " + std::to_string(kMaxProjectedFiles) +
                                           " files match: project them in parts");
          }
          out.push_back({std::move(path), e.attr});
          break;
        }
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Found& a, const Found& b) { return a.path < b.path; });
  return out;
}

// The version of `f` to project: its current one, or its newest published one.
Result<std::optional<Version>> SourceVersion(Catalog& source, const Found& f, bool published) {
  if (f.attr.version == 0) return std::optional<Version>();
  uint64_t number = f.attr.version;
  if (published) {
    REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, source.ListVersions(f.attr.ino));
    number = 0;
    for (const VersionInfo& v : versions) {
      // A publish still pending (-1) is not published yet.
      if (v.published > 0 && v.kind != VersionKind::kRejected) number = std::max(number, v.number);
    }
    if (number == 0) return std::optional<Version>();
  }
  REEL_ASSIGN_OR_RETURN(Version v, source.GetVersion(f.attr.ino, number));
  return std::optional<Version>(std::move(v));
}

// Directories of the destination by path, made when missing.
class Directories {
 public:
  Directories(Catalog& dest, TimeNs now) : dest_(dest), now_(now) { known_[""] = kRootInode; }

  Result<InodeId> Of(const std::string& path) {
    if (auto it = known_.find(path); it != known_.end()) return it->second;
    const size_t slash = path.rfind('/');
    const std::string parent_path = slash == std::string::npos ? "" : path.substr(0, slash);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    REEL_ASSIGN_OR_RETURN(InodeId parent, Of(parent_path));
    Result<Attributes> found = dest_.Lookup(parent, name);
    if (found.status().code() == Code::kNotFound) {
      found = dest_.CreateNode(parent, name, NewNode{FileType::kDirectory, 0755, 0, 0, {}}, now_);
    }
    REEL_RETURN_IF_ERROR(found.status());
    if (found->type != FileType::kDirectory) {
      return Status::NotDirectory("\"" + path + "\" in the destination is not a directory");
    }
    known_[path] = found->ino;
    return found->ino;
  }

 private:
  Catalog& dest_;
  const TimeNs now_;
  std::map<std::string, InodeId> known_;
};

}  // namespace

Status CheckProjectionRequest(const ProjectionRequest& request) {
  if (request.paths.empty() || request.paths.size() > kMaxProjectionPatterns) {
    return Status::InvalidArgument("a projection names 1 to " +
                                   std::to_string(kMaxProjectionPatterns) + " paths");
  }
  for (const std::string& p : request.paths) {
    REEL_RETURN_IF_ERROR(CheckRelative(p, "path", /*empty_ok=*/false));
  }
  return CheckRelative(request.into, "into", /*empty_ok=*/true);
}

Result<ProjectionResult> Project(Catalog& source, Catalog& dest, const std::string& origin,
                                 const ProjectionRequest& request, TimeNs now) {
  REEL_RETURN_IF_ERROR(CheckProjectionRequest(request));
  // Patterns as the walk writes paths: "a//b" and "./a" are "a/b" and "a".
  std::vector<std::string> patterns;
  for (const std::string& p : request.paths) {
    REEL_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRelativePath(p));
    std::string joined;
    for (const std::string& part : parts) joined += (joined.empty() ? "" : "/") + part;
    patterns.push_back(joined);
  }
  std::string into;
  REEL_ASSIGN_OR_RETURN(std::vector<std::string> into_parts, SplitRelativePath(request.into));
  for (const std::string& part : into_parts) into += (into.empty() ? "" : "/") + part;

  REEL_ASSIGN_OR_RETURN(std::vector<Found> files, MatchingFiles(source, patterns));
  ProjectionResult result;
  Directories dirs(dest, now);
  for (const Found& f : files) {
    REEL_ASSIGN_OR_RETURN(std::optional<Version> version,
                          SourceVersion(source, f, request.published_only));
    if (!version) {
      result.skipped.push_back(f.path + (request.published_only ? ": nothing published"
                                                                : ": no version yet"));
      continue;
    }
    const std::string target = into.empty() ? f.path : into + "/" + f.path;
    const size_t slash = target.rfind('/');
    REEL_ASSIGN_OR_RETURN(InodeId parent,
                          dirs.Of(slash == std::string::npos ? "" : target.substr(0, slash)));
    const std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
    Result<Attributes> existing = dest.Lookup(parent, name);
    if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
    Attributes file;
    if (existing.ok()) {
      if (existing->type != FileType::kRegular) {
        result.skipped.push_back(f.path + ": \"" + target +
                                 "\" in the destination is not a regular file");
        continue;
      }
      file = *existing;
    } else {
      REEL_ASSIGN_OR_RETURN(file, dest.CreateNode(parent, name,
                                                  NewNode{FileType::kRegular,
                                                          f.attr.mode & 07777, f.attr.uid,
                                                          f.attr.gid, {}},
                                                  now));
    }
    NewVersion v;
    v.size = version->info.size;
    v.chunks = version->chunks;
    v.kind = VersionKind::kCheckpoint;
    v.message = "projected from " + origin + "/" + f.path + " v" +
                std::to_string(version->info.number);
    v.mtime = f.attr.mtime;
    REEL_ASSIGN_OR_RETURN(VersionInfo made, dest.CommitVersion(file.ino, v, now));
    // Published content is on the cloud tier whichever file names it: the projected version is
    // published too (and reaches the members of an on-publish destination at once).
    if (version->info.published > 0 && made.published <= 0) {
      REEL_RETURN_IF_ERROR(dest.MarkPublished(file.ino, made.number, now));
    }
    ++result.files;
    result.bytes += v.size;
  }
  return result;
}

}  // namespace reel
