// MachineState's durable transfer queue.
#include <functional>

#include "catalog/sqlite/chunk_id_blob.h"
#include "catalog/sqlite/sqlite_db.h"
#include "machine/machine_state.h"

namespace reel {

using sqlite::ChunkIdFromBlob;
using sqlite::Db;
using sqlite::IdBlob;
using sqlite::Stmt;

namespace {

#define REEL_TRANSFER_COLUMNS \
  "id, kind, chunk, size, tier, state, attempts, created, next_attempt, last_error"

Transfer ReadTransfer(const Stmt& st) {
  Transfer t;
  t.id = st.U64(0);
  t.request.kind = static_cast<TransferKind>(st.Int(1));
  t.request.chunk = ChunkIdFromBlob(st.BlobView(2));
  t.request.size = static_cast<uint32_t>(st.Int(3));
  t.request.tier = static_cast<TierMask>(st.Int(4));
  t.state = static_cast<TransferState>(st.Int(5));
  t.attempts = static_cast<uint32_t>(st.Int(6));
  t.created = st.Int(7);
  t.next_attempt = st.Int(8);
  t.last_error = st.Text(9);
  return t;
}

// Appends the rows of `st` to `out` while `fits` (null: all) accepts them.
Status ReadTransfersWhile(Stmt& st, const std::function<bool(const Transfer&)>& fits,
                          std::vector<Transfer>* out) {
  while (true) {
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Ok();
    Transfer t = ReadTransfer(st);
    if (fits && !fits(t)) return Status::Ok();
    out->push_back(std::move(t));
  }
}

Status MarkRunning(Db& db, std::vector<Transfer>& claimed) {
  for (Transfer& t : claimed) {
    REEL_RETURN_IF_ERROR(db.Prepare("UPDATE transfers SET state = 1 WHERE id = ?1").Bind(t.id).Run());
    t.state = TransferState::kRunning;
  }
  return Status::Ok();
}

}  // namespace

Result<uint64_t> MachineState::EnqueueTransfers(const std::vector<TransferRequest>& requests,
                                                 TimeNs now) {
  uint64_t added = 0;
  Status s = Write([&](Db& db) -> Status {
    added = 0;
    for (const TransferRequest& r : requests) {
      if (r.kind != TransferKind::kUpload && r.kind != TransferKind::kDownload) {
        return Status::InvalidArgument("unknown transfer kind");
      }
      if (r.kind == TransferKind::kUpload && (r.tier == 0 || (r.tier & (r.tier - 1)) != 0)) {
        return Status::InvalidArgument("an upload needs exactly one target tier");
      }
      REEL_RETURN_IF_ERROR(
          db.Prepare("INSERT OR IGNORE INTO transfers (kind, chunk, size, tier, created, "
                     "next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?5)")
              .Bind(static_cast<int>(r.kind), IdBlob(r.chunk), static_cast<int64_t>(r.size),
                    static_cast<int64_t>(r.tier), now)
              .Run());
      added += db.Changes();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return added;
}

Result<std::vector<Transfer>> MachineState::Claim(
    const std::function<Stmt(Db&)>& due, const std::function<bool(const Transfer&)>& fits) {
  std::vector<Transfer> out;
  Status s = Write([&](Db& db) -> Status {
    out.clear();
    {
      Stmt st = due(db);
      REEL_RETURN_IF_ERROR(ReadTransfersWhile(st, fits, &out));
    }
    return MarkRunning(db, out);
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<Transfer>> MachineState::ClaimTransfers(size_t limit, TimeNs now) {
  return Claim(
      [&](Db& db) {
        Stmt st = db.Prepare("SELECT " REEL_TRANSFER_COLUMNS
                             " FROM transfers WHERE state = 0 AND next_attempt <= ?1 "
                             "ORDER BY next_attempt, id LIMIT ?2");
        st.Bind(now, static_cast<int64_t>(limit));
        return st;
      },
      nullptr);
}

Result<std::vector<Transfer>> MachineState::ClaimBatch(TransferKind kind, TierMask tier,
                                                        uint64_t max_bytes, TimeNs now) {
  uint64_t bytes = 0;
  size_t taken = 0;
  return Claim(
      [&](Db& db) {
        bytes = 0;
        taken = 0;
        // Bounded scan: a pack never holds more chunks than this anyway.
        Stmt st = db.Prepare("SELECT " REEL_TRANSFER_COLUMNS
                             " FROM transfers WHERE state = 0 AND next_attempt <= ?1 AND "
                             "kind = ?2 AND tier = ?3 ORDER BY next_attempt, id LIMIT 4096");
        st.Bind(now, static_cast<int>(kind), static_cast<int64_t>(tier));
        return st;
      },
      [&](const Transfer& t) {
        if (taken > 0 && bytes + t.request.size > max_bytes) return false;
        bytes += t.request.size;
        ++taken;
        return true;
      });
}

Status MachineState::RemoveTransfers(const std::vector<uint64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  return Write([&](Db& db) -> Status {
    for (uint64_t id : ids) {
      REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM transfers WHERE id = ?1").Bind(id).Run());
    }
    return Status::Ok();
  });
}

Status MachineState::RetryTransfer(uint64_t id, TimeNs next_attempt, const std::string& error) {
  return Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(
        db.Prepare("UPDATE transfers SET state = 0, attempts = attempts + 1, next_attempt = ?2, "
                   "last_error = ?3 WHERE id = ?1")
            .Bind(id, next_attempt, error.substr(0, 500))
            .Run());
    if (db.Changes() == 0) return Status::NotFound("no transfer " + std::to_string(id));
    return Status::Ok();
  });
}

Result<uint64_t> MachineState::RequeueRunningTransfers() {
  uint64_t n = 0;
  Status s = Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(db.Exec("UPDATE transfers SET state = 0 WHERE state = 1"));
    n = db.Changes();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

Result<std::vector<Transfer>> MachineState::ListTransfers(size_t limit) {
  std::vector<Transfer> out;
  Status s = Read([&](Db& db) -> Status {
    out.clear();
    Stmt st = db.Prepare("SELECT " REEL_TRANSFER_COLUMNS " FROM transfers ORDER BY id LIMIT ?1");
    st.Bind(static_cast<int64_t>(limit));
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      out.push_back(ReadTransfer(st));
    }
  });
  if (!s.ok()) return s;
  return out;
}

Result<TransferCounts> MachineState::CountTransfers(TimeNs now) {
  TransferCounts c;
  Status s = Read([&](Db& db) -> Status {
    Stmt st = db.Prepare(
        "SELECT coalesce(sum(state = 0), 0), coalesce(sum(state = 1), 0), "
        "coalesce(sum(state = 0 AND attempts > 0 AND next_attempt > ?1), 0), "
        "coalesce(sum(size), 0) FROM transfers");
    st.Bind(now);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      c.queued = st.U64(0);
      c.running = st.U64(1);
      c.waiting_retry = st.U64(2);
      c.bytes_pending = st.U64(3);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return c;
}

}  // namespace reel
