// The SQLite implementation of Catalog.
//
// Connections and locking:
//   - One writer connection (`writer_`), guarded by `write_mu_`. Every mutating method takes
//     write_mu_ and runs as one BEGIN IMMEDIATE transaction on it (Db::Transaction retries on
//     SQLITE_BUSY, which only another process holding the database can cause). Serializing the
//     writers in-process costs nothing: SQLite admits one writer at a time anyway.
//   - For a database file, reads use a pool of reader connections (`readers_`, up to kMaxReaders,
//     opened on demand). In WAL mode a reader sees the last committed state and never waits for
//     the writer, so lookup/getattr do not queue behind a long write. A leased connection is used
//     by exactly one thread; its cached prepared statements go with it.
//   - ":memory:" is one private database that other connections cannot open, so reads use the
//     writer connection under write_mu_.
// Method bodies live in several files by family: sqlite_catalog.cc (opening, connection plumbing,
// lookup/getattr/readdir, stats, sync), namespace_ops.cc, rename_op.cc, version_ops.cc,
// trash_ops.cc, chunk_xattr_ops.cc, tier_ops.cc, pack_ops.cc.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/sqlite/sqlite_db.h"
#include "common/fs_util.h"

namespace reel::sqlite {

class SqliteCatalog final : public Catalog {
 public:
  // `path` is a database file or ":memory:". Creates and migrates the schema and the root inode.
  [[nodiscard]] static Result<std::unique_ptr<Catalog>> Open(const std::string& path,
                                                             uint32_t root_uid, uint32_t root_gid);
  ~SqliteCatalog() override;

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override;
  Result<Attributes> GetAttributes(InodeId ino) override;
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override;
  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override;
  Result<std::vector<InodeId>> ReserveInodes(uint32_t count) override;
  Result<std::vector<NodeCreated>> CreateNodes(const std::vector<NodeCreate>& creates) override;
  Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                          TimeNs now) override;
  Result<UnlinkResult> Unlink(InodeId parent, const std::string& name, TimeNs now) override;
  Status RemoveDir(InodeId parent, const std::string& name, TimeNs now) override;
  Result<RenameResult> Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                              const std::string& new_name, RenameMode mode, TimeNs now) override;
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) override;
  Result<std::string> ReadSymlink(InodeId ino) override;
  Result<std::string> PathOf(InodeId ino) override;

  Result<VersionInfo> CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) override;
  Result<std::vector<VersionInfo>> ListVersions(InodeId ino) override;
  Result<Version> GetVersion(InodeId ino, uint64_t number) override;

  Result<std::string> GetXattr(InodeId ino, const std::string& name) override;
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value,
                  bool create_only, bool replace_only) override;
  Result<std::vector<std::string>> ListXattrs(InodeId ino) override;
  Status RemoveXattr(InodeId ino, const std::string& name) override;

  Result<std::vector<TrashEntry>> ListTrash() override;
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent, const std::string& name,
                                      TimeNs now) override;
  Result<uint64_t> PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                              TimeNs now) override;

  Result<bool> HasChunk(const ChunkId& id) override;
  Result<std::vector<ChunkRecord>> ListUnreferencedChunks(TimeNs cutoff) override;
  Result<bool> DeleteChunkIfUnreferenced(const ChunkId& id) override;
  Status ForEachChunk(const std::function<bool(const ChunkRecord&)>& visit) override;

  Status AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) override;
  Result<std::vector<TierMask>> GetChunkTiers(const std::vector<ChunkId>& ids) override;
  Status RequestPublish(InodeId ino, uint64_t number) override;
  Result<std::vector<std::pair<InodeId, uint64_t>>> ListPendingPublishes() override;
  Status MarkPublished(InodeId ino, uint64_t number, TimeNs now) override;
  Status RecordPackUpload(TierMask tier, const std::string& pack,
                          const std::vector<PackMember>& members) override;
  Result<std::vector<ChunkLocation>> GetChunkLocations(const std::vector<ChunkId>& ids) override;
  Result<std::vector<ChunkLocation>> ListPackMembers(TierMask tier,
                                                     const std::string& pack) override;
  Result<uint64_t> CountPackMembers(TierMask tier, const std::string& pack) override;
  Result<std::vector<ChunkLocation>> RemoveChunkLocations(const ChunkId& id) override;

  Result<std::string> GetDriveId() override;
  Status SetDriveId(const std::string& id) override;
  Status BackupTo(const std::string& path) override;

  Result<EventPage> ReadEvents(const EventQuery& query) override;
  Result<uint64_t> TrimEvents(TimeNs before) override;
  Result<CatalogStats> Stats() override;
  Status Sync() override;

  static constexpr size_t kMaxReaders = 8;

 private:
  // A connection to read with, for the duration of one catalog call. Either a pooled reader
  // (returned to the pool on destruction) or, for ":memory:", the writer with write_mu_ held.
  class ReadLease {
   public:
    ReadLease(SqliteCatalog* owner, std::unique_ptr<Db> reader);
    explicit ReadLease(SqliteCatalog* owner);  // the writer, for in-memory catalogs
    ReadLease(ReadLease&& other) noexcept;
    ReadLease& operator=(ReadLease&&) = delete;
    ~ReadLease();
    Db& db() { return reader_ ? *reader_ : *owner_->writer_; }

   private:
    SqliteCatalog* owner_;
    std::unique_ptr<Db> reader_;
    std::unique_lock<std::mutex> writer_lock_;
  };

  explicit SqliteCatalog(std::unique_ptr<Db> writer);
  Result<ReadLease> AcquireReader();
  void ReleaseReader(std::unique_ptr<Db> reader);
  // Runs `body` as one write transaction on the writer connection.
  Status Write(const std::function<Status(Db&)>& body);
  // Runs `body` on a reader connection inside a read transaction (one consistent snapshot).
  Status Read(const std::function<Status(Db&)>& body);
  // The descriptor Sync() fsyncs: the write-ahead log's, or an invalid one while there is none.
  Result<int> WalFd();

  // Sync() fsyncs the write-ahead log through a descriptor of its own, opened on the first Sync
  // and closed only after every connection (it is declared before them), so no close drops a
  // lock SQLite holds. Guards wal_fd_ (not what is fsynced through it: fsync needs no lock).
  std::mutex wal_fd_mu_;
  UniqueFd wal_fd_;

  // Guards writer_: its statement cache, its transaction state and its pragmas. Held for the
  // whole of every write transaction.
  std::mutex write_mu_;
  std::unique_ptr<Db> writer_;

  // Guards idle_readers_ and open_readers_ (not the connections: a leased reader belongs to the
  // thread holding the lease).
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;  // signalled when a reader is returned
  std::vector<std::unique_ptr<Db>> idle_readers_;
  size_t open_readers_ = 0;  // idle + leased
  bool shared_readers_ = false;  // false for ":memory:" (reads use the writer)
};

}  // namespace reel::sqlite
