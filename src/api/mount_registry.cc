#include "api/mount_registry.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "api/runtime_dir.h"
#include "service/drive_paths.h"
#include "common/fs_util.h"
#include "common/names.h"

namespace reel {
namespace {

using nlohmann::json;

constexpr std::string_view kRecordPrefix = "mount-";
constexpr std::string_view kRecordSuffix = ".json";

std::string RecordToJson(const MountRecord& r) {
  json j = {{"mountpoint", r.mountpoint}, {"socket", r.socket_path}, {"pid", r.pid},
            {"drive_dir", r.drive_dir},   {"drive_id", r.drive_id},    {"start_time", r.start_time}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<MountRecord> RecordFromJson(const std::string& text, const std::string& path) {
  try {
    json j = json::parse(text);
    MountRecord r;
    r.mountpoint = j.at("mountpoint").get<std::string>();
    r.socket_path = j.at("socket").get<std::string>();
    r.pid = j.at("pid").get<pid_t>();
    r.drive_dir = j.value("drive_dir", std::string());
    r.drive_id = j.value("drive_id", std::string());
    r.start_time = j.value("start_time", uint64_t{0});
    if (r.mountpoint.empty() || r.mountpoint[0] != '/' || r.pid <= 0) {
      return Status::Corruption("bad mount record " + path);
    }
    return r;
  } catch (const std::exception& e) {
    return Status::Corruption("bad mount record " + path + ": " + e.what());
  }
}

// pid from "mount-<pid>.json", or 0.
pid_t PidFromRecordName(std::string_view name) {
  if (name.size() <= kRecordPrefix.size() + kRecordSuffix.size()) return 0;
  if (name.substr(0, kRecordPrefix.size()) != kRecordPrefix) return 0;
  if (name.substr(name.size() - kRecordSuffix.size()) != kRecordSuffix) return 0;
  std::string_view digits =
      name.substr(kRecordPrefix.size(), name.size() - kRecordPrefix.size() - kRecordSuffix.size());
  if (digits.empty() || digits.size() > 9) return 0;
  pid_t pid = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

Result<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return Status::FromErrno(errno, path);
  return std::string(buf);
}

// realpath of `path`; for a path that does not exist, realpath of its nearest existing ancestor
// plus the missing names (so "new/dir/file.exr" in a drive is found in it, and the drive can say
// what is missing).
Result<std::string> ResolveMaybeMissing(const std::string& path) {
  auto real = RealPath(path);
  if (real.ok() || real.status().code() != Code::kNotFound) return real;
  std::string p = path;
  std::string missing;  // the names below p that do not exist, "a/b"
  while (true) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    size_t slash = p.find_last_of('/');
    std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
    std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
    if (base == "..") return Status::InvalidArgument(path + ": path may not contain '..'");
    if (base.empty() || base == ".") return real.status();
    REEL_RETURN_IF_ERROR(ValidateName(base).WithContext(path));
    missing = missing.empty() ? base : base + "/" + missing;
    auto parent_real = RealPath(parent);
    if (parent_real.ok()) return *parent_real == "/" ? "/" + missing : *parent_real + "/" + missing;
    // Report the original path when no ancestor can be resolved.
    if (parent_real.status().code() != Code::kNotFound || parent == "." || parent == "/") {
      return real.status();
    }
    p = parent;
  }
}

bool IsUnder(const std::string& path, const std::string& mountpoint) {
  if (mountpoint == "/") return true;
  if (path.size() < mountpoint.size() || path.compare(0, mountpoint.size(), mountpoint) != 0) {
    return false;
  }
  return path.size() == mountpoint.size() || path[mountpoint.size()] == '/';
}

}  // namespace

namespace {

struct ProcStat {
  char state = '?';
  uint64_t start_time = 0;
};

Result<ProcStat> ReadProcStat(pid_t pid) {
  auto stat = ReadWholeFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return stat.status();
  // Field 2 (comm) is in parentheses and may contain spaces; fields after the last ')' are plain.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return Status::Corruption("bad /proc stat for " + std::to_string(pid));
  // After ')' come fields 3 (state), 4, ... separated by spaces; the start time is field 22.
  std::vector<std::string> fields;
  size_t pos = close + 1;
  while (pos < stat->size() && fields.size() < 20) {
    while (pos < stat->size() && (*stat)[pos] == ' ') ++pos;
    size_t end = stat->find(' ', pos);
    if (end == std::string::npos) end = stat->size();
    if (end > pos) fields.push_back(stat->substr(pos, end - pos));
    pos = end;
  }
  if (fields.size() < 20) return Status::Corruption("bad /proc stat for " + std::to_string(pid));
  ProcStat out;
  out.state = fields[0].empty() ? '?' : fields[0][0];
  out.start_time = std::strtoull(fields[19].c_str(), nullptr, 10);
  return out;
}

}  // namespace

Result<uint64_t> ProcessStartTime(pid_t pid) {
  REEL_ASSIGN_OR_RETURN(ProcStat st, ReadProcStat(pid));
  return st.start_time;
}

bool IsMountProcessAlive(const MountRecord& record) {
  if (record.pid <= 0) return false;
  // EPERM means the pid belongs to another user: not our mount (mounts run as their user).
  if (::kill(record.pid, 0) != 0) return false;
  auto st = ReadProcStat(record.pid);
  if (st.ok()) {
    if (st->state == 'Z' || st->state == 'X') return false;  // exited, not yet reaped
    if (record.start_time != 0 && st->start_time != record.start_time) return false;  // reused
  }
  return true;
}

MountRegistry::MountRegistry(std::string dir) : dir_(std::move(dir)) {}

Result<MountRegistry> MountRegistry::Open() {
  REEL_ASSIGN_OR_RETURN(std::string dir, EnsureRuntimeDir());
  return MountRegistry(std::move(dir));
}

std::string MountRegistry::SocketPathFor(pid_t pid) const {
  return dir_ + "/api-" + std::to_string(pid) + ".sock";
}

std::string MountRegistry::RecordPathFor(pid_t pid) const {
  return dir_ + "/" + std::string(kRecordPrefix) + std::to_string(pid) + std::string(kRecordSuffix);
}

Status MountRegistry::Register(const MountRecord& record) {
  if (record.pid <= 0 || record.mountpoint.empty() || record.mountpoint[0] != '/') {
    return Status::InvalidArgument("mount record needs a pid and an absolute mountpoint");
  }
  REEL_ASSIGN_OR_RETURN(std::vector<MountRecord> live, List());
  for (const auto& other : live) {
    if (other.pid != record.pid && other.mountpoint == record.mountpoint) {
      return Status::AlreadyExists(record.mountpoint + " is already mounted by reel (pid " +
                                   std::to_string(other.pid) + ")");
    }
  }
  return WriteFileAtomic(RecordPathFor(record.pid), std::string_view(RecordToJson(record)), 0600);
}

Status MountRegistry::Unregister(pid_t pid) {
  std::string path = RecordPathFor(pid);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "remove " + path);
  }
  return Status::Ok();
}

void MountRegistry::RemoveStale(const MountRecord& record, const std::string& record_path) {
  ::unlink(record_path.c_str());
  // Only ever remove the socket this registry would have named for that pid, whatever the
  // record says.
  if (record.pid > 0) ::unlink(SocketPathFor(record.pid).c_str());
}

Result<std::vector<MountRecord>> MountRegistry::List() {
  std::vector<MountRecord> out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return Status::FromErrno(errno, "open runtime directory " + dir_);
  std::vector<std::pair<pid_t, std::string>> names;
  while (struct dirent* e = ::readdir(d)) {
    pid_t pid = PidFromRecordName(e->d_name);
    if (pid > 0) names.emplace_back(pid, e->d_name);
  }
  ::closedir(d);
  for (const auto& [pid, name] : names) {
    std::string path = dir_ + "/" + name;
    auto text = ReadWholeFile(path);
    if (!text.ok()) continue;  // removed meanwhile
    auto record = RecordFromJson(*text, path);
    if (!record.ok() || record->pid != pid) {
      MountRecord dead;
      dead.pid = pid;
      RemoveStale(dead, path);
      continue;
    }
    if (!IsMountProcessAlive(*record)) {
      RemoveStale(*record, path);
      continue;
    }
    out.push_back(std::move(record).value());
  }
  return out;
}

Result<MountLookup> MountRegistry::FindMountFor(const std::string& path_in) {
  std::string path = path_in.empty() ? "." : path_in;
  REEL_ASSIGN_OR_RETURN(std::string resolved, ResolveMaybeMissing(path));
  REEL_ASSIGN_OR_RETURN(std::vector<MountRecord> live, List());
  const MountRecord* best = nullptr;
  for (const auto& r : live) {
    if (IsUnder(resolved, r.mountpoint) &&
        (best == nullptr || r.mountpoint.size() > best->mountpoint.size())) {
      best = &r;
    }
  }
  if (best == nullptr) {
    std::string what_to_do = "; no drive is mounted (start one with `reel mount`)";
    for (size_t i = 0; i < live.size(); ++i) {
      what_to_do = (i == 0 ? "; give a path inside a mounted drive (mounted here: "
                           : what_to_do + ", ") + live[i].mountpoint;
    }
    if (!live.empty()) what_to_do += ")";
    return Status::NotFound(path + " is not inside a mounted reel drive" + what_to_do);
  }
  std::string rel = resolved.substr(best->mountpoint == "/" ? 1 : best->mountpoint.size());
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  auto valid = ValidateMountRelativePath(rel);
  if (!valid.ok()) return valid.status().WithContext(path);
  return MountLookup{*best, *valid};
}

}  // namespace reel
