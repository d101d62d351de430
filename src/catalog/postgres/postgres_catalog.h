// The PostgreSQL implementation of Catalog: the drive's metadata in a PostgreSQL (or CockroachDB)
// database that several machines may share.
//
// Connections and transactions:
//   - A bounded pool of connections (pg_pool.h); a call leases one for its duration.
//   - Every mutating method is one SERIALIZABLE transaction (Write), retried from the start on a
//     serialization failure or deadlock (pg_conn.h RunTransaction): catalogs on several machines,
//     or several threads of one, may write at once. The body of a write may therefore run more
//     than once and (re)assigns its outputs on each run.
//   - A read of several statements runs in one transaction too (Read), so it sees one snapshot;
//     a read of one statement (lookup, getattr, a ReadDir page) runs alone (OnConnection).
//   - Sync() has nothing to do: a transaction that committed is durable on the server.
//   - BackupTo() is NotSupported: the server's own tools (pg_dump) back up a PostgreSQL catalog.
// Schema and its invariants: pg_schema.cc. The operations shared with other backends are in
// catalog/catalog_txn.h, over PgTxn (pg_txn.h), which also keeps the stats counters.
// Method bodies live in several files by family: postgres_catalog.cc (opening, plumbing,
// lookup/getattr/readdir, stats, identity, backup, sync), namespace_ops.cc, version_ops.cc,
// trash_ops.cc, chunk_xattr_ops.cc, tier_ops.cc, pack_ops.cc.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/postgres/pg_pool.h"
#include "catalog/postgres/pg_txn.h"

namespace reel::postgres {

class PostgresCatalog final : public Catalog {
 public:
  // `uri` is postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?OPTIONS] of an existing database.
  // Creates and migrates the schema and the root inode.
  [[nodiscard]] static Result<std::unique_ptr<Catalog>> Open(const std::string& uri,
                                                             uint32_t root_uid, uint32_t root_gid);
  // A catalog on `pool`, which the caller owns, keeps open longer and has migrated (the team
  // directory shares its connections this way).
  [[nodiscard]] static std::unique_ptr<Catalog> OnPool(PgPool& pool);
  // A catalog whose every call runs inside the transaction the caller has open on `conn` (of
  // `pool`): no transaction of its own and no retries, since the caller's transaction is retried
  // as a whole. The team server runs a call and the record of its request id this way, so both
  // commit or neither does. `origin`: who the changes are made by (their events name them).
  [[nodiscard]] static std::unique_ptr<Catalog> InTransaction(PgPool& pool, PgConn& conn,
                                                              EventOrigin origin = {});
  ~PostgresCatalog() override;

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
  Result<std::vector<std::optional<VersionInfo>>> NewestSharedVersions(
      const std::vector<InodeId>& inos, const std::string& author) override;

  Result<std::string> GetXattr(InodeId ino, const std::string& name) override;
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value, bool create_only,
                  bool replace_only) override;
  Result<std::vector<std::string>> ListXattrs(InodeId ino) override;
  // One query for all of them.
  Result<std::vector<std::vector<std::string>>> ListXattrsOf(
      const std::vector<InodeId>& inos) override;
  Status RemoveXattr(InodeId ino, const std::string& name) override;

  Result<std::vector<TrashEntry>> ListTrash() override;
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent, const std::string& name,
                                      TimeNs now) override;
  Result<uint64_t> PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep, TimeNs now) override;

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

 private:
  PostgresCatalog(std::unique_ptr<PgPool> owned, PgPool* pool, PgConn* bound,
                  EventOrigin origin = {})
      : owned_pool_(std::move(owned)), pool_(pool), bound_(bound), origin_(std::move(origin)) {}

  // Runs `body` as one serializable write transaction (retried on conflicts), then adds the
  // stats counts of its writes in the same transaction.
  Status Write(const std::function<Status(PgTxn&)>& body);
  // Runs `body` in one transaction: one consistent snapshot for a read of several statements.
  Status Read(const std::function<Status(PgConn&)>& body);
  // Write and Read for a body that returns a value: the value of the run that committed.
  template <typename T>
  Result<T> WriteFor(const std::function<Result<T>(PgTxn&)>& body) {
    std::optional<T> out;
    REEL_RETURN_IF_ERROR(Write([&](PgTxn& tx) { return Keep(body(tx), out); }));
    return std::move(*out);
  }
  template <typename T>
  Result<T> ReadFor(const std::function<Result<T>(PgConn&)>& body) {
    std::optional<T> out;
    REEL_RETURN_IF_ERROR(Read([&](PgConn& c) { return Keep(body(c), out); }));
    return std::move(*out);
  }
  template <typename T>
  static Status Keep(Result<T> r, std::optional<T>& out) {
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  }
  // Runs `read` (one statement, or reads that need no common snapshot) on a leased connection
  // outside any transaction, and once more when it fails in a way a second run mends (a prepared
  // statement the server lost).
  template <typename Read>
  auto OnConnection(Read read) -> decltype(read(std::declval<PgConn&>())) {
    if (bound_ != nullptr) return read(*bound_);
    REEL_ASSIGN_OR_RETURN(PgPool::Lease lease, pool_->Acquire());
    auto result = read(lease.conn());
    if (!result.ok() && IsRetryable(result.status())) result = read(lease.conn());
    return result;
  }
  template <typename... Args>
  Result<PgRows> QueryOnce(const char* sql, const Args&... args) {
    return OnConnection([&](PgConn& c) { return c.Query(sql, args...); });
  }

  std::unique_ptr<PgPool> owned_pool_;  // when the catalog opened its own
  PgPool* pool_;
  PgConn* bound_;  // the caller's open transaction (InTransaction); nullptr otherwise
  const EventOrigin origin_;  // named in the events of its changes
};

}  // namespace reel::postgres
