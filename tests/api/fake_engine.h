// A scripted Engine for API tests: the control-API methods call std::functions the test sets;
// everything else is NotSupported.
#pragma once

#include <functional>

#include "engine/engine.h"

namespace reel::testing {

class FakeEngine : public Engine {
 public:
  std::function<Result<InodeId>(const std::string&)> resolve = [](const std::string& p)
      -> Result<InodeId> {
    if (p.empty()) return kRootInode;
    if (p == "missing" || p.rfind("missing/", 0) == 0) return Status::NotFound("no such file");
    return InodeId{42};
  };
  std::function<Result<VersionInfo>(InodeId, const std::string&)> save;
  std::function<Result<std::vector<VersionInfo>>(InodeId)> list_versions;
  std::function<Result<VersionInfo>(InodeId, uint64_t)> restore;
  std::function<Result<FileStatus>(InodeId)> file_status;
  std::function<Result<std::vector<TrashEntry>>()> list_trash = [] {
    return Result<std::vector<TrashEntry>>(std::vector<TrashEntry>{});
  };
  std::function<Result<Attributes>(uint64_t, const std::string&)> restore_from_trash;
  std::function<Result<EventPage>(const EventQuery&)> read_events;
  std::function<Result<GcReport>()> gc;
  std::function<Result<FsckReport>()> check;
  std::function<Status()> wait_idle = [] { return Status::Ok(); };
  EngineCounters counters;

  static Status No() { return Status::NotSupported("fake engine"); }

  void SetInvalidationSink(InvalidationSink*) override {}
  void SetFileLocks(std::shared_ptr<FileLocks>, std::vector<std::string>) override {}
  FileLocks* file_locks() override { return nullptr; }
  void ApplyRemoteChanges(const std::vector<ChangeEvent>&) override {}
  Result<Attributes> Lookup(InodeId, const std::string&) override { return No(); }
  Result<Attributes> GetAttributes(InodeId) override { return No(); }
  Result<Attributes> SetAttributes(InodeId, const AttrUpdate&, std::optional<uint64_t>) override {
    return No();
  }
  Result<std::vector<DirEntry>> ReadDir(InodeId, uint64_t, size_t) override { return No(); }
  Result<Attributes> MakeDir(InodeId, const std::string&, uint32_t, uint32_t, uint32_t) override {
    return No();
  }
  Result<Attributes> MakeSymlink(InodeId, const std::string&, const std::string&, uint32_t,
                                 uint32_t) override {
    return No();
  }
  Result<std::string> ReadSymlink(InodeId) override { return No(); }
  Result<Attributes> MakeNode(InodeId, const std::string&, FileType, uint32_t, uint64_t, uint32_t,
                              uint32_t) override {
    return No();
  }
  Result<Attributes> Link(InodeId, InodeId, const std::string&) override { return No(); }
  Status Unlink(InodeId, const std::string&) override { return No(); }
  Status RemoveDir(InodeId, const std::string&) override { return No(); }
  Status Rename(InodeId, const std::string&, InodeId, const std::string&, RenameMode) override {
    return No();
  }
  Result<FsStats> StatFs() override { return No(); }
  Result<std::string> GetXattr(InodeId, const std::string&) override { return No(); }
  Status SetXattr(InodeId, const std::string&, const std::string&, bool, bool) override {
    return No();
  }
  Result<std::vector<std::string>> ListXattrs(InodeId) override { return No(); }
  Status RemoveXattr(InodeId, const std::string&) override { return No(); }
  Result<std::pair<Attributes, HandleId>> Create(InodeId, const std::string&, uint32_t, uint32_t,
                                                 uint32_t, OpenFlags) override {
    return No();
  }
  Result<HandleId> Open(InodeId, OpenFlags) override { return No(); }
  Result<size_t> Read(HandleId, uint64_t, std::span<uint8_t>) override { return No(); }
  Result<std::vector<SharedBytes>> ReadShared(HandleId, uint64_t, size_t) override { return No(); }
  Result<size_t> Write(HandleId, uint64_t, std::span<const uint8_t>) override { return No(); }
  Result<size_t> WriteFrom(HandleId, uint64_t, size_t, const StagingFill&) override { return No(); }
  Status Fsync(HandleId, bool) override { return No(); }
  Status SyncMetadata() override { return No(); }
  Status Flush(HandleId) override { return No(); }
  Status Fallocate(HandleId, int, uint64_t, uint64_t) override { return No(); }
  Status Release(HandleId) override { return No(); }

  Result<InodeId> Resolve(const std::string& path) override { return resolve(path); }
  Result<VersionInfo> Save(InodeId ino, const std::string& message) override {
    return save ? save(ino, message) : No();
  }
  Result<std::vector<VersionInfo>> ListVersions(InodeId ino) override {
    return list_versions ? list_versions(ino) : No();
  }
  Result<VersionInfo> Restore(InodeId ino, uint64_t number) override {
    return restore ? restore(ino, number) : No();
  }
  Result<FileStatus> GetFileStatus(InodeId ino) override {
    return file_status ? file_status(ino) : No();
  }
  Result<std::vector<TrashEntry>> ListTrash() override { return list_trash(); }
  Result<EventPage> ReadEvents(const EventQuery& q) override {
    return read_events ? read_events(q) : No();
  }
  Result<Attributes> RestoreFromTrash(uint64_t id, const std::string& path) override {
    return restore_from_trash ? restore_from_trash(id, path) : No();
  }
  Result<GcReport> CollectGarbage() override { return gc ? gc() : No(); }
  Result<FsckReport> Check() override { return check ? check() : No(); }
  Status WaitIdle() override { return wait_idle(); }
  EngineCounters Counters() override { return counters; }
  Status Shutdown() override { return Status::Ok(); }
};

}  // namespace reel::testing
