// DriveService's changes of names made from outside the kernel (the web app's): folders,
// deletes, moves, new files and saves by rename, each followed by dropping the kernel's caches of
// what it touched (BehindTheKernel), so the mount shows the change at once.
#include <unistd.h>

#include <limits>
#include <utility>

#include "common/names.h"
#include "service/drive_paths.h"
#include "service/drive_service.h"

namespace reel {
namespace {

template <typename T>
Result<T> Named(const std::string& path, Result<T> r) {
  if (!r.ok()) return NameThePath(r.status(), path);
  return r;
}

Status Named(const std::string& path, const Status& s) { return NameThePath(s, path); }

}  // namespace

FileWriter::FileWriter(Engine* engine, HandleId handle) : engine_(engine), handle_(handle) {}

FileWriter::~FileWriter() {
  if (open_) (void)engine_->Release(handle_);
}

Status FileWriter::Write(uint64_t offset, std::span<const uint8_t> data) {
  if (!open_) return Status::InvalidArgument("the file was closed");
  size_t done = 0;
  while (done < data.size()) {
    REEL_ASSIGN_OR_RETURN(size_t n, engine_->Write(handle_, offset + done, data.subspan(done)));
    if (n == 0) return Status::IOError("short write");
    done += n;
  }
  return Status::Ok();
}

Status FileWriter::Finish() {
  if (!open_) return Status::Ok();
  open_ = false;
  return engine_->Release(handle_);
}

Result<std::pair<InodeId, std::string>> DriveService::ParentOf(const std::string& valid) {
  const size_t slash = valid.find_last_of('/');
  if (valid.empty()) return Status::InvalidArgument("the drive's root cannot be changed");
  const std::string parent = slash == std::string::npos ? "" : valid.substr(0, slash);
  REEL_ASSIGN_OR_RETURN(InodeId ino, ResolveDrivePath(*parts_.engine, parent));
  REEL_ASSIGN_OR_RETURN(Attributes a, parts_.engine->GetAttributes(ino));
  if (a.type != FileType::kDirectory) {
    return Status::NotDirectory(ShownPath(parent) + " is not a folder");
  }
  return std::make_pair(ino, valid.substr(slash + 1));
}

Status DriveService::BehindTheKernel(const std::function<Status()>& op) {
  Engine& engine = *parts_.engine;
  EventQuery newest;
  newest.after = std::numeric_limits<uint64_t>::max() - 1;
  newest.limit = 1;
  Result<EventPage> before = engine.ReadEvents(newest);
  Status done = op();
  if (!before.ok()) return done;  // nothing to go by: the caches time out on their own
  // Even a failed `op` may have done part of its work (a folder half deleted).
  EventQuery q;
  q.after = before->newest;
  for (;;) {
    Result<EventPage> page = engine.ReadEvents(q);
    if (!page.ok() || page->events.empty()) break;
    engine.ApplyRemoteChanges(page->events);
    q.after = page->events.back().seq;
  }
  return done;
}

Status DriveService::InFolder(const std::string& path, const FolderOp& op) {
  Status s = [&]() -> Status {
    REEL_ASSIGN_OR_RETURN(std::string valid, ValidateDrivePath(path));
    REEL_ASSIGN_OR_RETURN(auto where, ParentOf(valid));
    return BehindTheKernel([&] { return op(valid, where.first, where.second); });
  }();
  return Named(path, s);
}

Result<Attributes> DriveService::MakeFolder(const std::string& path) {
  Attributes made;
  REEL_RETURN_IF_ERROR(InFolder(path, [&](const std::string&, InodeId parent,
                                          const std::string& name) -> Status {
    REEL_ASSIGN_OR_RETURN(made, parts_.engine->MakeDir(parent, name, 0755, ::geteuid(),
                                                       ::getegid()));
    return Status::Ok();
  }));
  return made;
}

Status DriveService::DeleteTree(InodeId parent, const std::string& name, DeleteReport& report) {
  Engine& engine = *parts_.engine;
  REEL_ASSIGN_OR_RETURN(Attributes a, engine.Lookup(parent, name));
  if (a.type != FileType::kDirectory) {
    REEL_RETURN_IF_ERROR(engine.Unlink(parent, name));
    ++(a.type == FileType::kRegular && a.nlink <= 1 ? report.trashed : report.removed);
    return Status::Ok();
  }
  for (;;) {  // each page is deleted before the next is read, so always read from the start
    REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, engine.ReadDir(a.ino, 0, 1000));
    if (entries.empty()) break;
    for (const DirEntry& e : entries) REEL_RETURN_IF_ERROR(DeleteTree(a.ino, e.name, report));
  }
  REEL_RETURN_IF_ERROR(engine.RemoveDir(parent, name));
  ++report.removed;
  return Status::Ok();
}

Result<DeleteReport> DriveService::Delete(const std::string& path) {
  DeleteReport report;
  REEL_RETURN_IF_ERROR(InFolder(path, [&](const std::string& valid, InodeId parent,
                                          const std::string& name) -> Status {
    REEL_RETURN_IF_ERROR(ResolveDrivePath(*parts_.engine, valid).status());
    return DeleteTree(parent, name, report);
  }));
  return report;
}

Result<Attributes> DriveService::Move(const std::string& from, const std::string& to) {
  REEL_ASSIGN_OR_RETURN(std::string src, Named(from, ValidateDrivePath(from)));
  REEL_ASSIGN_OR_RETURN(std::string dst, Named(to, ValidateDrivePath(to)));
  REEL_ASSIGN_OR_RETURN(auto a, Named(from, ParentOf(src)));
  REEL_RETURN_IF_ERROR(Named(from, ResolveDrivePath(*parts_.engine, src).status()));
  REEL_ASSIGN_OR_RETURN(auto b, Named(to, ParentOf(dst)));
  if (dst == src || dst.starts_with(src + "/")) {
    return Status::InvalidArgument("cannot move " + ShownPath(src) + " into itself");
  }
  Status s = BehindTheKernel([&] {
    return parts_.engine->Rename(a.first, a.second, b.first, b.second, RenameMode::kNoReplace);
  });
  if (s.code() == Code::kAlreadyExists) {
    return Status::AlreadyExists(ShownPath(dst) + " already exists: choose another name");
  }
  REEL_RETURN_IF_ERROR(Named(from, s));
  return Named(to, parts_.engine->Lookup(b.first, b.second));
}

Result<std::unique_ptr<FileWriter>> DriveService::CreateFile(const std::string& path) {
  std::unique_ptr<FileWriter> writer;
  REEL_RETURN_IF_ERROR(InFolder(path, [&](const std::string&, InodeId parent,
                                          const std::string& name) -> Status {
    OpenFlags w;
    w.write = true;
    REEL_ASSIGN_OR_RETURN(auto made, parts_.engine->Create(parent, name, 0644, ::geteuid(),
                                                           ::getegid(), w));
    writer = std::make_unique<FileWriter>(parts_.engine, made.second);
    return Status::Ok();
  }));
  return writer;
}

Result<VersionInfo> DriveService::ReplaceKeepingHistory(const std::string& from,
                                                        const std::string& to) {
  REEL_ASSIGN_OR_RETURN(std::string src, Named(from, ValidateDrivePath(from)));
  REEL_ASSIGN_OR_RETURN(std::string dst, Named(to, ValidateDrivePath(to)));
  REEL_ASSIGN_OR_RETURN(auto a, Named(from, ParentOf(src)));
  REEL_ASSIGN_OR_RETURN(auto b, Named(to, ParentOf(dst)));
  REEL_RETURN_IF_ERROR(Named(to, BehindTheKernel([&] {
    // As the kernel's rename: the engine keeps the history unless the replaced file is in use
    // (open, or its last version not yet committed), which then goes to the trash whole.
    return parts_.engine->Rename(a.first, a.second, b.first, b.second, RenameMode::kReplace);
  })));
  REEL_RETURN_IF_ERROR(Sync());
  REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, Versions(dst));
  if (versions.empty()) return VersionInfo{};  // an empty new file has no version (number 0)
  return versions.back();
}

Status DriveService::MakeFolders(const std::string& valid) {
  REEL_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRelativePath(valid));
  InodeId dir = kRootInode;
  for (const std::string& part : parts) {
    Result<Attributes> a = parts_.engine->Lookup(dir, part);
    if (a.status().code() == Code::kNotFound) {
      a = parts_.engine->MakeDir(dir, part, 0755, ::geteuid(), ::getegid());
    }
    REEL_RETURN_IF_ERROR(a.status());
    dir = a->ino;
  }
  return Status::Ok();
}

}  // namespace reel
