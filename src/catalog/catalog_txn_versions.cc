// The catalog's transaction logic for versions: a new version checked, appended and made current,
// or kept as rejected, or made a conflict copy next to its file (keep-both).
#include <algorithm>
#include <ctime>

#include "catalog/catalog_txn.h"
#include "catalog/catalog_txn_internal.h"
#include "common/names.h"

namespace reel {

using namespace catalog_txn_internal;

Result<ChunkUses> CheckNewVersion(const NewVersion& v) {
  uint64_t total = 0;
  for (const ChunkRef& c : v.chunks) total += c.length;
  if (total != v.size) {
    return Status::InvalidArgument("chunk lengths add up to " + std::to_string(total) +
                                   ", version size is " + std::to_string(v.size));
  }
  if (v.chunks.size() > UINT32_MAX) return Status::InvalidArgument("too many chunks");
  if (v.kind == VersionKind::kRejected) {
    return Status::InvalidArgument("only a conflict makes a rejected version");
  }
  ChunkUses uses;
  AddChunkUses(v.chunks, uses);
  return uses;
}

namespace {

// Cuts `s` to at most `n` bytes without splitting a UTF-8 sequence.
std::string CutUtf8(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// Appends the version `v` to file `attr` (not made current when `rejected`) and records its
// events; `conflict`: what the policy did when v.base was not current.
Result<VersionInfo> AppendVersion(CatalogTxn& tx, const Attributes& attr, const NewVersion& v,
                                  const ChunkUses& uses, TimeNs now,
                                  std::optional<ConflictPolicy> conflict) {
  const bool rejected = conflict == ConflictPolicy::kReject;
  VersionInfo info;
  REEL_ASSIGN_OR_RETURN(info.number, tx.NextVersionNumber(attr.ino));
  info.created = now;
  info.size = v.size;
  info.kind = rejected ? VersionKind::kRejected : v.kind;
  info.message = v.message;
  info.chunk_count = static_cast<uint32_t>(v.chunks.size());
  info.commit_id = v.commit_id;
  info.author = v.author;
  REEL_ASSIGN_OR_RETURN(info.id, tx.InsertVersion(attr.ino, info, v.chunks, uses));
  info.head = attr.version;
  if (!rejected) {
    const TimeNs mtime = v.mtime != 0 ? v.mtime : now;
    const TimeNs ctime = v.mtime != 0 ? std::max(attr.ctime, v.mtime) : now;
    REEL_RETURN_IF_ERROR(tx.SetCurrentVersion(attr, info.number, v.size, mtime, ctime));
    info.head = info.number;
    REEL_ASSIGN_OR_RETURN(ChangeEvent e, EventAtFirstName(tx, ChangeKind::kVersion, attr, now));
    e.version = info.number;
    e.version_kind = info.kind;
    e.size = info.size;
    REEL_RETURN_IF_ERROR(Append(tx, e));
  }
  if (conflict) {
    info.conflict = conflict;
    REEL_ASSIGN_OR_RETURN(ChangeEvent e, EventAtFirstName(tx, ChangeKind::kConflict, attr, now));
    e.version = info.number;
    e.version_kind = info.kind;
    e.size = info.size;
    REEL_RETURN_IF_ERROR(Append(tx, e));
  }
  return info;
}

// keep-both: the content of `v` becomes the first version of a new file next to `attr`'s
// first name, which keeps its current version.
Result<VersionInfo> CommitConflictCopy(CatalogTxn& tx, const Attributes& attr, const Dentry& at,
                                       const NewVersion& v, const ChunkUses& uses, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(Attributes dir, LoadDirectory(tx, at.parent));
  std::string copy_name;
  for (int n = 1; n <= 100 && copy_name.empty(); ++n) {
    std::string candidate = ConflictCopyName(at.name, v.author, now, n);
    REEL_ASSIGN_OR_RETURN(auto taken, tx.FindDentry(at.parent, candidate));
    if (!taken) copy_name = std::move(candidate);
  }
  if (copy_name.empty()) return Exists(ConflictCopyName(at.name, v.author, now, 100));
  NewNode node;
  node.mode = attr.mode & 07777;
  node.uid = attr.uid;
  node.gid = attr.gid;
  REEL_ASSIGN_OR_RETURN(Attributes copy, InsertNode(tx, dir, copy_name, node, 0, now));
  NewVersion first = v;
  first.base.reset();
  REEL_ASSIGN_OR_RETURN(VersionInfo info, AppendVersion(tx, copy, first, uses, now, std::nullopt));
  REEL_ASSIGN_OR_RETURN(ChangeEvent e, EventAtFirstName(tx, ChangeKind::kConflict, attr, now));
  e.version = 0;  // nothing new on this file: see ChangeKind::kConflict
  e.version_kind = v.kind;
  e.size = v.size;
  REEL_ASSIGN_OR_RETURN(e.old_path, PathIn(tx, at.parent, copy_name));
  REEL_RETURN_IF_ERROR(Append(tx, e));
  info.conflict = ConflictPolicy::kKeepBoth;
  info.head = attr.version;
  info.conflict_copy = copy.ino;
  info.conflict_copy_name = std::move(copy_name);
  return info;
}

}  // namespace

std::string ConflictCopyName(const std::string& name, const std::string& author, TimeNs now,
                             int n) {
  // "shot.v2.nk" -> "shot.v2" + ".nk"; ".bashrc" and "README" have no extension.
  const size_t dot = name.rfind('.');
  const bool has_ext = dot != std::string::npos && dot > 0 && name.size() - dot <= 16;
  const std::string ext = has_ext ? name.substr(dot) : std::string();
  const std::string stem = has_ext ? name.substr(0, dot) : name;
  const time_t secs = static_cast<time_t>(now / 1000000000);
  struct tm utc {};
  gmtime_r(&secs, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H%M", &utc);
  std::string who;
  for (char c : author) {
    if (c != '/' && c != '\0' && c != '(' && c != ')') who += c;
  }
  std::string tag = " (conflict " + CutUtf8(who, 64) + (who.empty() ? "" : " ") + when +
                    (n > 1 ? " " + std::to_string(n) : "") + ")";
  return CutUtf8(stem, kMaxNameLength - tag.size() - ext.size()) + tag + ext;
}

// The inode must be a regular file (IsDirectory for a directory, InvalidArgument otherwise).
// v.mtime == 0 means "now". A file in the trash (still open somewhere) may get versions; its
// trash size follows.
Result<VersionInfo> CommitVersionIn(CatalogTxn& tx, InodeId ino, const NewVersion& v,
                                    const ChunkUses& uses, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(ino));
  if (IsDir(attr)) return Status::IsDirectory("inode " + std::to_string(ino) + " is a directory");
  if (attr.type != FileType::kRegular) {
    return Status::InvalidArgument("inode " + std::to_string(ino) + " is not a regular file");
  }
  std::optional<ConflictPolicy> conflict;
  if (v.base) {
    uint64_t head = 0;
    if (attr.version != 0) {
      REEL_ASSIGN_OR_RETURN(head, tx.VersionId(ino, attr.version));
    }
    if (head != *v.base) conflict = v.on_conflict;
  }
  // A lock holder whose lease lapsed wrote without the lock: its content never becomes current.
  if (v.fenced) conflict = ConflictPolicy::kReject;
  if (conflict == ConflictPolicy::kKeepBoth) {
    REEL_ASSIGN_OR_RETURN(std::optional<Dentry> first, tx.FirstName(ino));
    if (first) return CommitConflictCopy(tx, attr, *first, v, uses, now);
    conflict = ConflictPolicy::kReject;  // in the trash (open somewhere): no place for a copy
  }
  return AppendVersion(tx, attr, v, uses, now, conflict);
}

}  // namespace reel
