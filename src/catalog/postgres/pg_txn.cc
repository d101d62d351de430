#include "catalog/postgres/pg_txn.h"

#include <algorithm>
#include <random>

#include "catalog/postgres/pg_schema.h"

namespace reel::postgres {

namespace {

// The chunks of `uses` in id order (concurrent transactions touching the same chunks lock them
// in the same order), with their use counts and lengths as array literals.
struct ChunkUseArrays {
  std::vector<ChunkId> ids;
  std::string hex, counts, lengths;
};

ChunkUseArrays SortedUses(const ChunkUses& uses) {
  ChunkUseArrays a;
  for (const auto& [id, use] : uses) a.ids.push_back(id);
  std::sort(a.ids.begin(), a.ids.end());
  std::vector<int64_t> counts, lengths;
  for (const ChunkId& id : a.ids) {
    counts.push_back(static_cast<int64_t>(uses.at(id).count));
    lengths.push_back(uses.at(id).length);
  }
  a.hex = HexArray(a.ids);
  a.counts = IntArray(counts);
  a.lengths = IntArray(lengths);
  return a;
}

}  // namespace

Attributes ReadAttributes(const PgRows& rows, int row, int first) {
  Attributes a;
  a.ino = rows.U64(row, first + 0);
  a.type = static_cast<FileType>(rows.Int(row, first + 1));
  a.mode = static_cast<uint32_t>(rows.Int(row, first + 2));
  a.uid = static_cast<uint32_t>(rows.Int(row, first + 3));
  a.gid = static_cast<uint32_t>(rows.Int(row, first + 4));
  a.nlink = static_cast<uint32_t>(rows.Int(row, first + 5));
  a.size = rows.U64(row, first + 6);
  a.atime = rows.Int(row, first + 7);
  a.mtime = rows.Int(row, first + 8);
  a.ctime = rows.Int(row, first + 9);
  a.version = rows.U64(row, first + 10);
  a.rdev = rows.U64(row, first + 11);
  return a;
}

ChunkId ChunkIdAt(const PgRows& rows, int row, int col) {
  const std::vector<uint8_t> bytes = rows.Bytea(row, col);
  ChunkId id;
  if (bytes.size() == id.bytes.size()) std::copy(bytes.begin(), bytes.end(), id.bytes.begin());
  return id;
}

ChunkRecord ChunkRecordAt(const PgRows& rows, int row) {
  ChunkRecord rec;
  rec.id = ChunkIdAt(rows, row, 0);
  rec.size = static_cast<uint32_t>(rows.Int(row, 1));
  rec.refcount = rows.U64(row, 2);
  rec.unreferenced_since = rows.Int(row, 3);
  rec.tiers = static_cast<TierMask>(rows.Int(row, 4));
  return rec;
}

std::string HexArray(const std::vector<ChunkId>& ids) {
  std::string out = "{";
  for (const ChunkId& id : ids) {
    if (out.size() > 1) out += ',';
    out += id.Hex();
  }
  return out + "}";
}

std::string IntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (int64_t v : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(v);
  }
  return out + "}";
}

Result<Attributes> LoadInode(PgConn& c, InodeId ino) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows, c.Query("SELECT " REEL_PG_INODE_COLUMNS " FROM inodes WHERE ino = $1", ino));
  if (rows.empty()) return Status::NotFound("no inode " + std::to_string(ino));
  return ReadAttributes(rows, 0);
}

// ---------------------------------------------------------------------------------------------
// Reads

Result<Attributes> PgTxn::LoadInode(InodeId ino) { return postgres::LoadInode(c_, ino); }

Result<std::optional<Dentry>> PgTxn::FindDentry(InodeId parent, std::string_view name) {
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        c_.Query("SELECT id, child FROM dentries WHERE parent = $1 AND name = $2",
                                 parent, AsBytes(name)));
  if (rows.empty()) return std::optional<Dentry>();
  return std::optional<Dentry>(Dentry{rows.Int(0, 0), parent, std::string(name), rows.U64(0, 1)});
}

Result<std::optional<Dentry>> PgTxn::FirstName(InodeId child) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("SELECT id, parent, name FROM dentries WHERE child = $1 ORDER BY id LIMIT 1",
               child));
  if (rows.empty()) return std::optional<Dentry>();
  return std::optional<Dentry>(
      Dentry{rows.Int(0, 0), rows.U64(0, 1), rows.ByteaString(0, 2), child});
}

Result<bool> PgTxn::HasChildren(InodeId dir) {
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        c_.Query("SELECT 1 FROM dentries WHERE parent = $1 LIMIT 1", dir));
  return !rows.empty();
}

Result<std::optional<InodeId>> PgTxn::TrashedInode(uint64_t id) {
  REEL_ASSIGN_OR_RETURN(PgRows rows, c_.Query("SELECT ino FROM trash WHERE id = $1", id));
  if (rows.empty()) return std::optional<InodeId>();
  return std::optional<InodeId>(rows.U64(0, 0));
}

Result<std::vector<std::pair<uint64_t, InodeId>>> PgTxn::TrashBefore(TimeNs cutoff) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("SELECT id, ino FROM trash WHERE deleted < $1 ORDER BY deleted, id", cutoff));
  return MapRows(rows,
                 [](const PgRows& rs, int r) { return std::pair(rs.U64(r, 0), rs.U64(r, 1)); });
}

Result<uint64_t> PgTxn::NextVersionNumber(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("SELECT coalesce(max(number), 0) + 1 FROM versions WHERE ino = $1", ino));
  return rows.U64(0, 0);
}

Result<uint64_t> PgTxn::VersionId(InodeId ino, uint64_t number) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows, c_.Query("SELECT id FROM versions WHERE ino = $1 AND number = $2", ino, number));
  return rows.size() > 0 ? rows.U64(0, 0) : uint64_t{0};
}

// ---------------------------------------------------------------------------------------------
// Writes

void PgTxn::CountInode(FileType type, uint64_t nlink, uint64_t size, int sign) {
  if (type == FileType::kDirectory) delta_.directories += sign;
  if (type == FileType::kRegular && nlink > 0) {
    delta_.files += sign;
    delta_.logical_bytes += sign * static_cast<int64_t>(size);
  }
}

// Inode numbers come from the identity sequence of inodes.ino; a reservation draws from it too
// (PostgresCatalog::ReserveInodes).
Result<bool> PgTxn::InodeNumberIssued(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows, c_.Query("SELECT coalesce(pg_sequence_last_value('inodes_ino_seq'), 0)"));
  return !rows.empty() && ino <= rows.U64(0, 0);
}

Result<InodeId> PgTxn::InsertInode(const Attributes& attr, const std::string& symlink_target) {
  const bool symlink = attr.type == FileType::kSymlink;
  // $13 = 0: the identity sequence picks a new number.
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("INSERT INTO inodes (ino, type, mode, uid, gid, nlink, size, atime, mtime, ctime, "
               "version, rdev, symlink_target) VALUES (coalesce(nullif($13, 0), nextval('inodes_ino_seq')), "
               "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, nullif($12, ''::bytea)) "
               "RETURNING ino",
               static_cast<int>(attr.type), attr.mode, attr.uid, attr.gid, attr.nlink, attr.size,
               attr.atime, attr.mtime, attr.ctime, attr.version, attr.rdev,
               AsBytes(symlink ? symlink_target : std::string()),
               attr.ino));
  CountInode(attr.type, attr.nlink, attr.size, +1);
  return rows.U64(0, 0);
}

Status PgTxn::EnsureRoot(uint32_t uid, uint32_t gid, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("INSERT INTO inodes (ino, type, mode, uid, gid, nlink, size, atime, mtime, ctime) "
               "VALUES ($1, $2, $3, $4, $5, 2, 0, $6, $6, $6) ON CONFLICT (ino) DO NOTHING "
               "RETURNING ino",
               kRootInode, static_cast<int>(FileType::kDirectory), 0755, uid, gid, now));
  if (!rows.empty()) CountInode(FileType::kDirectory, 2, 0, +1);
  return Status::Ok();
}

Status PgTxn::InsertDentry(InodeId parent, std::string_view name, InodeId child) {
  return c_.Exec("INSERT INTO dentries (parent, name, child) VALUES ($1, $2, $3)", parent,
                 AsBytes(name), child);
}

Status PgTxn::DeleteDentry(int64_t id) { return c_.Exec("DELETE FROM dentries WHERE id = $1", id); }

Status PgTxn::MoveDentry(int64_t id, InodeId parent, std::string_view name) {
  return c_.Exec("UPDATE dentries SET parent = $2, name = $3 WHERE id = $1", id, parent,
                 AsBytes(name));
}

Status PgTxn::SetDentryChild(int64_t id, InodeId child) {
  return c_.Exec("UPDATE dentries SET child = $2 WHERE id = $1", id, child);
}

Status PgTxn::TouchDirectory(InodeId dir, TimeNs now, int nlink_delta) {
  return c_.Exec("UPDATE inodes SET mtime = $2, ctime = $2, nlink = nlink + $3 WHERE ino = $1", dir,
                 now, nlink_delta);
}

Status PgTxn::SetLinkCount(const Attributes& attr, uint32_t nlink, TimeNs now) {
  REEL_RETURN_IF_ERROR(
      c_.Exec("UPDATE inodes SET nlink = $2, ctime = $3 WHERE ino = $1", attr.ino, nlink, now));
  CountInode(attr.type, attr.nlink, attr.size, -1);
  CountInode(attr.type, nlink, attr.size, +1);
  return Status::Ok();
}

Status PgTxn::SetCtime(InodeId ino, TimeNs now) {
  return c_.Exec("UPDATE inodes SET ctime = $2 WHERE ino = $1", ino, now);
}

Result<uint64_t> PgTxn::InsertTrash(const Attributes& attr, const std::string& original_path,
                                    TimeNs now) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("INSERT INTO trash (ino, original_path, deleted, size) VALUES ($1, $2, $3, $4) "
               "RETURNING id",
               attr.ino, AsBytes(original_path), now, attr.size));
  ++delta_.trash_entries;
  return rows.U64(0, 0);
}

Status PgTxn::DeleteTrash(uint64_t id) {
  REEL_ASSIGN_OR_RETURN(PgRows rows, c_.Query("DELETE FROM trash WHERE id = $1", id));
  delta_.trash_entries -= rows.Affected();
  return Status::Ok();
}

Status PgTxn::DeleteInode(InodeId ino, TimeNs now) {
  ChunkUses uses;
  {
    REEL_ASSIGN_OR_RETURN(
        PgRows versions,
        c_.Query("DELETE FROM versions WHERE ino = $1 RETURNING chunk_count, chunks", ino));
    for (int r = 0; r < versions.size(); ++r) {
      const std::vector<uint8_t> blob = versions.Bytea(r, 1);
      REEL_ASSIGN_OR_RETURN(auto chunks, DecodeChunkList(blob, versions.U64(r, 0)));
      AddChunkUses(chunks, uses);
    }
    delta_.versions -= versions.size();
  }
  REEL_RETURN_IF_ERROR(ReleaseChunkReferences(uses, now));
  REEL_RETURN_IF_ERROR(c_.Exec("DELETE FROM xattrs WHERE ino = $1", ino));
  REEL_ASSIGN_OR_RETURN(
      PgRows gone, c_.Query("DELETE FROM inodes WHERE ino = $1 RETURNING type, nlink, size", ino));
  for (int r = 0; r < gone.size(); ++r) {
    CountInode(static_cast<FileType>(gone.Int(r, 0)), gone.U64(r, 1), gone.U64(r, 2), -1);
  }
  return Status::Ok();
}

Status PgTxn::MoveHistory(InodeId from, InodeId to) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows, c_.Query("SELECT coalesce(max(number), 0) FROM versions WHERE ino = $1", from));
  const int64_t shift = rows.Int(0, 0);
  if (shift == 0) return Status::Ok();
  // Two steps through negative numbers keep (ino, number) unique after every row.
  REEL_RETURN_IF_ERROR(
      c_.Exec("UPDATE versions SET number = -(number + $2) WHERE ino = $1", to, shift));
  REEL_RETURN_IF_ERROR(c_.Exec("UPDATE versions SET number = -number WHERE ino = $1", to));
  REEL_RETURN_IF_ERROR(c_.Exec("UPDATE versions SET ino = $2 WHERE ino = $1", from, to));
  return c_.Exec("UPDATE inodes SET version = version + $2 WHERE ino = $1 AND version > 0", to,
                 shift);
}

Result<uint64_t> PgTxn::InsertVersion(InodeId ino, const VersionInfo& info,
                                      const std::vector<ChunkRef>& chunks,
                                      const ChunkUses& uses) {
  const std::string blob = EncodeChunkList(chunks);
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("INSERT INTO versions (ino, number, created, size, kind, message, chunk_count, "
               "commit_id, chunks, author) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
               "RETURNING id",
               ino, info.number, info.created, info.size, static_cast<int>(info.kind),
               AsBytes(info.message), info.chunk_count, info.commit_id, AsBytes(blob),
               info.author));
  ++delta_.versions;
  REEL_RETURN_IF_ERROR(AddChunkReferences(uses));
  return rows.U64(0, 0);
}

Status PgTxn::SetCurrentVersion(const Attributes& attr, uint64_t number, uint64_t size,
                                TimeNs mtime, TimeNs ctime) {
  REEL_RETURN_IF_ERROR(
      c_.Exec("UPDATE inodes SET size = $2, mtime = $3, ctime = $4, version = $5 WHERE ino = $1",
              attr.ino, size, mtime, ctime, number));
  CountInode(attr.type, attr.nlink, attr.size, -1);
  CountInode(attr.type, attr.nlink, size, +1);
  if (attr.nlink != 0) return Status::Ok();
  return c_.Exec("UPDATE trash SET size = $2 WHERE ino = $1", attr.ino, size);
}

// One statement for all of a version's chunks: a round trip per chunk would make a long file's
// commit as slow as the network.
Status PgTxn::AddChunkReferences(const ChunkUses& uses) {
  if (uses.empty()) return Status::Ok();
  const ChunkUseArrays a = SortedUses(uses);
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("INSERT INTO chunks (id, size, refcount, unreferenced_since) "
               "SELECT decode(u.id, 'hex'), u.length, u.uses, 0 "
               "FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u (id, uses, length) "
               "ON CONFLICT (id) DO UPDATE SET refcount = chunks.refcount + excluded.refcount, "
               "unreferenced_since = 0 WHERE chunks.size = excluded.size "
               "AND chunks.collecting = 0 RETURNING id, size, refcount",
               a.hex, a.counts, a.lengths));
  std::vector<ChunkId> done;
  for (int r = 0; r < rows.size(); ++r) {
    const ChunkId id = ChunkIdAt(rows, r, 0);
    done.push_back(id);
    // A record that now holds exactly the references added was new or unreferenced.
    if (rows.U64(r, 2) == uses.at(id).count) {
      ++delta_.chunks;
      delta_.chunk_bytes += rows.Int(r, 1);
    }
  }
  if (done.size() == a.ids.size()) return Status::Ok();
  std::sort(done.begin(), done.end());
  std::vector<ChunkId> missed;
  for (const ChunkId& id : a.ids) {
    if (!std::binary_search(done.begin(), done.end(), id)) missed.push_back(id);
  }
  // The collector is deleting a record this version names (pg_schema.cc, schema 14): the caller
  // tries again once it is gone (within seconds), and the chunk is then recorded anew.
  REEL_ASSIGN_OR_RETURN(
      PgRows collecting,
      c_.Query("SELECT id FROM chunks WHERE id IN (SELECT decode(unnest($1::text[]), 'hex')) "
               "AND collecting <> 0 LIMIT 1",
               HexArray(missed)));
  if (!collecting.empty()) {
    return Status::Unavailable("chunk " + ChunkIdAt(collecting, 0, 0).Hex() +
                               " is being collected; commit again in a moment");
  }
  if (missed.empty()) return Status::Internal("chunk references: unexpected rows");
  return Status::InvalidArgument("chunk " + missed.front().Hex() +
                                 " is recorded with another size than " +
                                 std::to_string(uses.at(missed.front()).length));
}

Status PgTxn::ReleaseChunkReferences(const ChunkUses& uses, TimeNs now) {
  if (uses.empty()) return Status::Ok();
  const ChunkUseArrays a = SortedUses(uses);
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      c_.Query("UPDATE chunks SET refcount = chunks.refcount - u.uses, unreferenced_since = "
               "CASE WHEN chunks.refcount = u.uses THEN $3 ELSE chunks.unreferenced_since END "
               "FROM unnest($1::text[], $2::bigint[]) AS u (id, uses) "
               "WHERE chunks.id = decode(u.id, 'hex') AND chunks.refcount >= u.uses "
               "RETURNING chunks.size, chunks.refcount",
               a.hex, a.counts, now));
  if (static_cast<size_t>(rows.size()) != a.ids.size()) {
    return Status::Corruption("a chunk has fewer references than its versions");
  }
  for (int r = 0; r < rows.size(); ++r) {
    if (rows.Int(r, 1) == 0) {
      --delta_.chunks;
      delta_.chunk_bytes -= rows.Int(r, 0);
    }
  }
  return Status::Ok();
}

Status PgTxn::AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) {
  return c_.Exec(
      "UPDATE chunks SET tiers = tiers | $2 "
      "WHERE id IN (SELECT decode(unnest($1::text[]), 'hex')) AND collecting = 0",
      HexArray(ids), tiers);
}

Status PgTxn::Finish() {
  REEL_RETURN_IF_ERROR(FlushStats());
  return FlushEvents();
}

Status PgTxn::FlushStats() {
  const StatsDelta& d = delta_;
  if (d.files == 0 && d.directories == 0 && d.logical_bytes == 0 && d.chunks == 0 &&
      d.chunk_bytes == 0 && d.versions == 0 && d.trash_entries == 0) {
    return Status::Ok();
  }
  thread_local std::minstd_rand rng(std::random_device{}());
  const int shard = static_cast<int>(rng() % kStatsShards);
  return c_.Exec(
      "UPDATE stats SET files = files + $2, directories = directories + $3, "
      "logical_bytes = logical_bytes + $4, chunks = chunks + $5, chunk_bytes = chunk_bytes + $6, "
      "versions = versions + $7, trash_entries = trash_entries + $8 WHERE shard = $1",
      shard, d.files, d.directories, d.logical_bytes, d.chunks, d.chunk_bytes, d.versions,
      d.trash_entries);
}

}  // namespace reel::postgres
