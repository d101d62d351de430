// CatalogTxn on an SQLite connection: the row-level steps the shared catalog operations
// (catalog/catalog_txn.h) are made of. Used inside a transaction of the connection (a write
// transaction for the writing steps).
#pragma once

#include "catalog/catalog_txn.h"
#include "catalog/sqlite/sqlite_db.h"

namespace reel::sqlite {

class SqliteTxn final : public CatalogTxn {
 public:
  explicit SqliteTxn(Db& db) : db_(db) {}

  Result<Attributes> LoadInode(InodeId ino) override;
  Result<std::optional<Dentry>> FindDentry(InodeId parent, std::string_view name) override;
  Result<std::optional<Dentry>> FirstName(InodeId child) override;
  Result<bool> HasChildren(InodeId dir) override;
  Result<std::optional<InodeId>> TrashedInode(uint64_t id) override;
  Result<std::vector<std::pair<uint64_t, InodeId>>> TrashBefore(TimeNs cutoff) override;
  Result<uint64_t> NextVersionNumber(InodeId ino) override;
  Result<uint64_t> VersionId(InodeId ino, uint64_t number) override;

  Result<bool> InodeNumberIssued(InodeId ino) override;
  Result<InodeId> InsertInode(const Attributes& attr, const std::string& symlink_target) override;
  Status InsertDentry(InodeId parent, std::string_view name, InodeId child) override;
  Status DeleteDentry(int64_t id) override;
  Status MoveDentry(int64_t id, InodeId parent, std::string_view name) override;
  Status SetDentryChild(int64_t id, InodeId child) override;
  Status TouchDirectory(InodeId dir, TimeNs now, int nlink_delta) override;
  Status SetLinkCount(const Attributes& attr, uint32_t nlink, TimeNs now) override;
  Status SetCtime(InodeId ino, TimeNs now) override;
  Result<uint64_t> InsertTrash(const Attributes& attr, const std::string& original_path,
                               TimeNs now) override;
  Status DeleteTrash(uint64_t id) override;
  Status DeleteInode(InodeId ino, TimeNs now) override;
  Status MoveHistory(InodeId from, InodeId to) override;
  Result<uint64_t> InsertVersion(InodeId ino, const VersionInfo& info, const std::vector<ChunkRef>& chunks,
                       const ChunkUses& uses) override;
  Status SetCurrentVersion(const Attributes& attr, uint64_t number, uint64_t size, TimeNs mtime,
                           TimeNs ctime) override;
  Status AppendEvent(const ChangeEvent& e, std::string_view scope) override;

 private:
  Db& db_;
};

}  // namespace reel::sqlite
