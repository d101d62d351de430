// TeamDirectory: locks on files shared by the mounts of the team (catalog/file_lock.h), held in
// the lock sessions of their instances (pg_schema.cc, schema 12).
#include <map>
#include <set>
#include <tuple>

#include "catalog/catalog_txn.h"
#include "catalog/postgres/pg_pool.h"
#include "catalog/postgres/pg_txn.h"
#include "team/team_directory.h"
#include "team/team_queries.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

namespace {

// Old lapsed sessions are forgotten after this (a commit under one is refused all the same).
constexpr TimeNs kForgetLapsedAfter = 24LL * 3600 * 1000000000;

Status Lapsed(uint64_t session) {
  return Status(Code::kConflict, "lock session " + std::to_string(session) +
                                     " has lapsed: its locks are gone");
}

Status CheckCaller(const TeamRequest& request) {
  if (request.instance.empty()) {
    return Status::InvalidArgument("locks are held by a named instance (Reel-Instance)");
  }
  return Status::Ok();
}

// PermissionDenied unless request.instance is the caller's and mounts workspace `workspace_id`.
Status CheckInstanceIn(PgConn& c, const TeamRequest& request, uint64_t workspace_id) {
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        c.Query("SELECT workspace_id FROM instances WHERE name = $1 AND "
                                "user_id = $2",
                                request.instance, request.caller.id));
  if (rows.empty() || rows.U64(0, 0) != workspace_id) {
    return Status::PermissionDenied("instance \"" + request.instance +
                                    "\" is not one of yours mounting this workspace");
  }
  return Status::Ok();
}

// A lock row with its holder and its session's expiry: the columns of REEL_LOCKS_SELECT.
#define REEL_LOCKS_SELECT                                                                     \
  "SELECT l.ino, l.flavor, l.owner, l.type, l.first, l.last, l.pid, l.since, l.session, "     \
  "s.instance, u.name, i.host, s.expires FROM file_locks l "                                  \
  "JOIN lock_sessions s ON s.token = l.session JOIN instances i ON i.name = s.instance "      \
  "JOIN users u ON u.id = i.user_id "

struct LockRow {
  LockHolderInfo info;
  TimeNs expires = 0;
};

std::vector<LockRow> LockRows(const PgRows& rows) {
  std::vector<LockRow> out;
  for (int r = 0; r < rows.size(); ++r) {
    LockRow row;
    LockHolderInfo& i = row.info;
    i.ino = rows.U64(r, 0);
    i.lock.flavor = static_cast<LockFlavor>(rows.Int(r, 1));
    i.lock.owner = rows.U64(r, 2);
    i.lock.type = static_cast<LockType>(rows.Int(r, 3));
    i.lock.first = rows.U64(r, 4);
    i.lock.last = rows.U64(r, 5);
    i.lock.pid = static_cast<uint32_t>(rows.Int(r, 6));
    i.since = rows.Int(r, 7);
    i.session = rows.U64(r, 8);
    i.instance = rows.Text(r, 9);
    i.user = rows.Text(r, 10);
    i.host = rows.Text(r, 11);
    row.expires = rows.Int(r, 12);
    out.push_back(std::move(row));
  }
  return out;
}

int64_t I64(uint64_t v) { return static_cast<int64_t>(v); }

// Whose locks DropLocksIn deletes: session `arg`'s, or those of the sessions lapsed before `arg`.
enum class Sessions { kOne, kLapsedBefore };
// Deletes those locks, recording kLockReleased for each file and session they were on.
Status DropLocksIn(PgConn& c, postgres::PgTxn& tx, Sessions which, int64_t arg, TimeNs now);

}  // namespace

namespace {

Status DropLocksIn(PgConn& c, postgres::PgTxn& tx, Sessions which, int64_t arg, TimeNs now) {
  PgRows files;
  if (which == Sessions::kOne) {
    REEL_ASSIGN_OR_RETURN(files, c.Query("SELECT DISTINCT session, ino FROM file_locks WHERE "
                                         "session = $1 ORDER BY session, ino",
                                         arg));
    REEL_RETURN_IF_ERROR(c.Exec("DELETE FROM file_locks WHERE session = $1", arg));
  } else {
    REEL_ASSIGN_OR_RETURN(files, c.Query("SELECT DISTINCT session, ino FROM file_locks WHERE "
                                         "session IN (SELECT token FROM lock_sessions WHERE "
                                         "expires < $1) ORDER BY session, ino",
                                         arg));
    REEL_RETURN_IF_ERROR(c.Exec("DELETE FROM file_locks WHERE session IN (SELECT token FROM "
                                "lock_sessions WHERE expires < $1)",
                                arg));
  }
  for (int r = 0; r < files.size(); ++r) {
    Status s = RecordLockEvent(tx, files.U64(r, 1), /*taken=*/false, now);
    // A file purged meanwhile has nobody left to tell.
    if (!s.ok() && s.code() != Code::kNotFound) return s;
  }
  return Status::Ok();
}

}  // namespace

namespace team {

Result<bool> LockFenceLiveIn(PgConn& c, uint64_t token, const std::string& instance, TimeNs now) {
  if (token == 0 || token > INT64_MAX || instance.empty()) return false;
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        c.Query("SELECT 1 FROM lock_sessions WHERE token = $1 AND "
                                "instance = $2 AND expires > $3",
                                I64(token), instance, now));
  return !rows.empty();
}

}  // namespace team

Result<LockOutcome> TeamDirectory::SetLock(const Workspace& workspace, InodeId ino,
                                           const FileLock& lock, uint64_t session, bool test,
                                           TimeNs lease, const TeamRequest& request) {
  REEL_RETURN_IF_ERROR(CheckCaller(request));
  REEL_RETURN_IF_ERROR(CheckFileLock(lock));
  if (lease <= 0) return Status::InvalidArgument("a lock session lasts a positive time");
  if (ino == 0 || ino > INT64_MAX || session > INT64_MAX) {
    return Status::InvalidArgument("no such file or session");
  }
  LockOutcome out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    out = LockOutcome{};
    const TimeNs now = request.now;
    REEL_RETURN_IF_ERROR(CheckInstanceIn(c, request, workspace.id));
    uint64_t mine = 0;
    if (session == 0 && !request.id.empty()) {
      // A retry of the request that made a session (its answer was lost) goes on in it.
      REEL_ASSIGN_OR_RETURN(PgRows s, c.Query("SELECT token FROM lock_sessions WHERE "
                                              "instance = $1 AND request_id = $2 AND "
                                              "expires > $3",
                                              request.instance, request.id, now));
      if (!s.empty()) mine = s.U64(0, 0);
    }
    if (session != 0) {
      REEL_ASSIGN_OR_RETURN(PgRows s, c.Query("SELECT expires FROM lock_sessions WHERE "
                                              "token = $1 AND instance = $2",
                                              I64(session), request.instance));
      if (s.empty() || s.Int(0, 0) <= now) return Lapsed(session);
      mine = session;
    }
    REEL_ASSIGN_OR_RETURN(PgRows rows, c.Query(REEL_LOCKS_SELECT
                                               "WHERE l.ino = $1 AND s.workspace_id = $2",
                                               I64(ino), I64(workspace.id)));
    const std::vector<LockRow> all = LockRows(rows);
    postgres::PgTxn tx(c, {request.caller.name, request.instance});
    // The locks of lapsed sessions no longer count: they go now.
    std::set<uint64_t> lapsed;
    for (const LockRow& r : all) {
      if (r.expires <= now) lapsed.insert(r.info.session);
    }
    for (uint64_t s : lapsed) {
      REEL_RETURN_IF_ERROR(
          c.Exec("DELETE FROM file_locks WHERE session = $1 AND ino = $2", I64(s), I64(ino)));
      REEL_RETURN_IF_ERROR(RecordLockEvent(tx, ino, /*taken=*/false, now));
    }
    bool held_before = false;
    bool held_otherwise = false;  // locks of this session this request leaves as they are
    std::vector<FileLock> owned;  // this holder's of this flavor
    std::map<std::tuple<uint64_t, uint64_t, int>, TimeNs> owned_since;
    const LockHolderInfo* conflict = nullptr;
    for (const LockRow& r : all) {
      if (r.expires <= now) continue;
      const FileLock& l = r.info.lock;
      if (mine != 0 && r.info.session == mine) {
        held_before = true;
        if (l.owner == lock.owner && l.flavor == lock.flavor) {
          owned.push_back(l);
          owned_since[{l.first, l.last, static_cast<int>(l.type)}] = r.info.since;
          continue;
        }
        held_otherwise = true;
        if (l.owner == lock.owner) continue;
      }
      if (conflict == nullptr && LocksConflict(l, lock)) conflict = &r.info;
    }
    out.session = mine;
    out.held = held_before;
    if (test || (conflict != nullptr && lock.type != LockType::kUnlock)) {
      out.granted = conflict == nullptr;
      if (conflict != nullptr) out.conflict = *conflict;
      return tx.Finish();
    }
    out.granted = true;
    if (mine == 0) {
      if (lock.type == LockType::kUnlock) return tx.Finish();  // nothing held
      REEL_ASSIGN_OR_RETURN(PgRows made,
                            c.Query("INSERT INTO lock_sessions (instance, workspace_id, started, "
                                    "expires, request_id) VALUES ($1, $2, $3, $4, $5) "
                                    "RETURNING token",
                                    request.instance, I64(workspace.id), now, now + lease,
                                    request.id));
      mine = made.U64(0, 0);
    } else {
      REEL_RETURN_IF_ERROR(c.Exec("UPDATE lock_sessions SET expires = $2 WHERE token = $1",
                                  I64(mine), now + lease));
    }
    out.session = mine;
    out.expires = now + lease;
    REEL_RETURN_IF_ERROR(c.Exec("DELETE FROM file_locks WHERE session = $1 AND ino = $2 AND "
                                "owner = $3 AND flavor = $4",
                                I64(mine), I64(ino), I64(lock.owner),
                                static_cast<int64_t>(lock.flavor)));
    const std::vector<FileLock> after = ApplyLock(owned, lock);
    for (const FileLock& l : after) {
      auto was = owned_since.find({l.first, l.last, static_cast<int>(l.type)});
      REEL_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO file_locks (session, ino, flavor, owner, type, first, last, pid, since) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          I64(mine), I64(ino), static_cast<int64_t>(l.flavor), I64(l.owner),
          static_cast<int64_t>(l.type), I64(l.first), I64(l.last), static_cast<int64_t>(l.pid),
          was != owned_since.end() ? was->second : now));
    }
    out.held = held_otherwise || !after.empty();
    if (held_before != out.held) {
      REEL_RETURN_IF_ERROR(RecordLockEvent(tx, ino, /*taken=*/out.held, now));
    }
    return tx.Finish();
  }));
  return out;
}

Result<std::vector<LockHolderInfo>> TeamDirectory::ListLocks(const Workspace& workspace,
                                                             InodeId ino, TimeNs now) {
  if (ino > INT64_MAX) return Status::InvalidArgument("no such file");
  std::vector<LockHolderInfo> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    out.clear();
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query(REEL_LOCKS_SELECT "WHERE s.workspace_id = $1 AND "
                                                    "($2 = 0 OR l.ino = $2) AND s.expires > $3 "
                                                    "ORDER BY l.ino, l.flavor, l.first, l.session",
                                  I64(workspace.id), I64(ino), now));
    for (LockRow& r : LockRows(rows)) out.push_back(std::move(r.info));
    return Status::Ok();
  }));
  return out;
}

Result<TimeNs> TeamDirectory::RenewLockSession(uint64_t session, TimeNs lease,
                                               const TeamRequest& request) {
  REEL_RETURN_IF_ERROR(CheckCaller(request));
  if (lease <= 0) return Status::InvalidArgument("a lock session lasts a positive time");
  if (session == 0 || session > INT64_MAX) return Lapsed(session);
  TimeNs expires = request.now + lease;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("UPDATE lock_sessions SET expires = $3 WHERE token = $1 AND instance = $2 AND "
                "expires > $4 AND instance IN (SELECT name FROM instances WHERE user_id = $5) "
                "RETURNING token",
                I64(session), request.instance, expires, request.now, request.caller.id));
    if (rows.empty()) return Lapsed(session);
    // Sessions lapsed long ago go, with the locks nobody has swept since.
    postgres::PgTxn tx(c, {request.caller.name, request.instance});
    const TimeNs old = request.now - kForgetLapsedAfter;
    REEL_RETURN_IF_ERROR(DropLocksIn(c, tx, Sessions::kLapsedBefore, old, request.now));
    REEL_RETURN_IF_ERROR(c.Exec("DELETE FROM lock_sessions WHERE expires < $1", old));
    return tx.Finish();
  }));
  return expires;
}

Status TeamDirectory::EndLockSession(uint64_t session, const TeamRequest& request) {
  REEL_RETURN_IF_ERROR(CheckCaller(request));
  if (session == 0 || session > INT64_MAX) return Status::Ok();
  return pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows mine,
        c.Query("SELECT expires FROM lock_sessions WHERE token = $1 AND instance = $2 AND "
                "instance IN (SELECT name FROM instances WHERE user_id = $3)",
                I64(session), request.instance, request.caller.id));
    if (mine.empty()) return Status::Ok();  // not theirs, or long gone: nothing to end
    postgres::PgTxn tx(c, {request.caller.name, request.instance});
    REEL_RETURN_IF_ERROR(DropLocksIn(c, tx, Sessions::kOne, I64(session), request.now));
    // Kept as lapsed (expires 0), so a commit still carrying its token is refused.
    REEL_RETURN_IF_ERROR(
        c.Exec("UPDATE lock_sessions SET expires = 0 WHERE token = $1", I64(session)));
    return tx.Finish();
  });
}

}  // namespace reel
