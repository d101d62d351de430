// MachineState: what belongs to this machine and not to the team: the durable transfer queue
// (chunks to copy to a shared tier or into this machine's cache) and the pinned files. It lives
// in a local SQLite database next to the drive's manifest (machine.db) in every mode, whatever
// the catalog is, so a team catalog never holds one machine's queue.
//
// Every method is one transaction, thread-safe (one connection behind a mutex: none of this is
// on the hot path), and OK means committed. NotFound for an unknown transfer id; InvalidArgument
// for a malformed request.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

namespace sqlite {
class Db;
class Stmt;
}

// The durable transfer queue: a chunk to copy to a shared tier (upload) or into this machine's
// cache (download).
enum class TransferKind { kUpload = 1, kDownload = 2 };
enum class TransferState { kQueued = 0, kRunning = 1 };

struct TransferRequest {
  TransferKind kind = TransferKind::kUpload;
  ChunkId chunk;
  uint32_t size = 0;
  TierMask tier = 0;  // upload: the one target tier bit; download: 0
};

struct Transfer {
  uint64_t id = 0;
  TransferRequest request;
  TransferState state = TransferState::kQueued;
  uint32_t attempts = 0;    // failed attempts so far
  TimeNs created = 0;
  TimeNs next_attempt = 0;  // not claimed before this time
  std::string last_error;
};

struct TransferCounts {
  uint64_t queued = 0, running = 0, waiting_retry = 0;  // waiting_retry: queued, failed before
  uint64_t bytes_pending = 0;                            // queued + running
};

class MachineState {
 public:
  // Opens (creating and migrating if needed) the database at `path`, or a private in-memory one
  // for ":memory:". `legacy_catalog` (optional) is an SQLite catalog that may still hold this
  // machine's pins and queue from before they moved here: they are copied in (a copy already
  // made is not repeated) and dropped from it.
  [[nodiscard]] static Result<std::unique_ptr<MachineState>> Open(
      const std::string& path, const std::string& legacy_catalog = "");
  ~MachineState();
  MachineState(const MachineState&) = delete;
  MachineState& operator=(const MachineState&) = delete;

  // --- transfer queue (durable: survives restarts) ---
  // Queues requests; one already queued or running (same kind, chunk and tier) is not repeated.
  // Returns how many were added.
  [[nodiscard]] Result<uint64_t> EnqueueTransfers(const std::vector<TransferRequest>& requests,
                                                  TimeNs now);
  // Marks up to `limit` queued transfers due at `now` running and returns them, oldest first.
  [[nodiscard]] Result<std::vector<Transfer>> ClaimTransfers(size_t limit, TimeNs now);
  // Marks queued transfers of `kind` (uploads: to `tier`; downloads: tier 0) due at `now`
  // running and returns them, oldest first, as many as fit in `max_bytes` (by request size) but
  // at least one if any is due. The transfer engine fills a pack with uploads, and fetches
  // downloads together (neighbours in a pack come with one ranged GET).
  [[nodiscard]] Result<std::vector<Transfer>> ClaimBatch(TransferKind kind, TierMask tier,
                                                         uint64_t max_bytes, TimeNs now);
  // Removes finished (or moot) transfers; ids no longer queued are skipped. The caller records
  // what a transfer achieved (an upload's tier bit, in the catalog) before removing it, so a
  // crash in between repeats the transfer instead of losing it.
  [[nodiscard]] Status RemoveTransfers(const std::vector<uint64_t>& ids);
  // Puts a failed transfer back in the queue, due at `next_attempt`.
  [[nodiscard]] Status RetryTransfer(uint64_t id, TimeNs next_attempt, const std::string& error);
  // Running transfers become queued again (at startup: their process is gone). Returns how many.
  [[nodiscard]] Result<uint64_t> RequeueRunningTransfers();
  // Up to `limit` transfers, oldest first.
  [[nodiscard]] Result<std::vector<Transfer>> ListTransfers(size_t limit);
  [[nodiscard]] Result<TransferCounts> CountTransfers(TimeNs now);

  // --- pins: files whose current chunks this machine keeps in its cache ---
  [[nodiscard]] Status SetPinned(InodeId ino, bool pinned);
  [[nodiscard]] Result<std::vector<InodeId>> ListPinned();

 private:
  explicit MachineState(std::unique_ptr<sqlite::Db> db);
  // Run `body` as one write transaction / one read snapshot, holding mu_.
  Status Write(const std::function<Status(sqlite::Db&)>& body);
  Status Read(const std::function<Status(sqlite::Db&)>& body);
  Status ImportLegacy(const std::string& catalog_path);
  // One write transaction: the rows `due` selects, while `fits` (null: all) takes them, become
  // running and are returned.
  Result<std::vector<Transfer>> Claim(const std::function<sqlite::Stmt(sqlite::Db&)>& due,
                                      const std::function<bool(const Transfer&)>& fits);

  // Guards db_: its statement cache and its transaction state.
  std::mutex mu_;
  std::unique_ptr<sqlite::Db> db_;
};

}  // namespace reel
