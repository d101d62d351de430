// TransferEngine: runs this machine's durable transfer queue (MachineState). Worker threads claim
// due transfers, copy chunks, and record the result (what a transfer achieved goes to the catalog
// first, then its queue entry goes, so a crash in between repeats it rather than losing it):
//   upload   -> uploads to one shared tier go in PACKS: a worker claims the queued uploads to that
//               tier in queue order (file order) up to kPackTargetBytes, reads each chunk from
//               the drive (local cache, else another tier), verifies it, and PUTs their
//               concatenation as one object under packs/ (tiers/pack_keys.h). Only after the
//               store acknowledged it does one catalog transaction record every member's tier bit
//               and location (tier, pack, offset, length); then the queue entries go. A chunk
//               already on the tier is completed without a copy. Object stores such as Ceph's
//               gateway pay a per-request cost that dominates at ~1 MiB chunks; a pack of 16 MiB
//               pays it once per 14 chunks.
//   download -> downloads are fetched in BATCHES: a worker claims the queued downloads in queue
//               order (hydrate queues a file's chunks in file order) up to kPackTargetBytes and
//               fetches them with one TieredStore::GetChunks, which reads neighbours in a pack
//               with one ranged GET, verifies each chunk and keeps a clean local copy. Chunks
//               already local are completed without a fetch; each entry completes on its own.
// A failure puts the transfer back with exponential backoff and jitter (0.5 s doubling to 60 s);
// a failed pack PUT puts every member back with the same delay, so they are claimed together
// again. Transfers never give up on their own: a store that is down for an hour is retried until
// it returns, unless the chunk itself is gone from the catalog (collected meanwhile): then the
// entry is dropped. Queue entries survive restarts (running ones are requeued at Start). Transfers run
// on their own threads: reads and writes of local data never wait for them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "catalog/types.h"
#include "machine/machine_state.h"
#include "common/status.h"

namespace reel {

class Catalog;
class TieredStore;

struct TransferProgress {
  TransferCounts queue;       // from the catalog
  bool paused = false;
  uint64_t completed = 0;     // since start
  uint64_t completed_bytes = 0;
  uint64_t failures = 0;      // failed attempts since start
  std::string last_error;     // of the most recent failed attempt
};

// Uploads to a shared tier are packed up to this many bytes; a single chunk bigger than that is a
// pack of its own.
inline constexpr uint64_t kPackTargetBytes = 16ull << 20;

class TransferEngine {
 public:
  TransferEngine(Catalog* catalog, MachineState* machine, TieredStore* store, uint32_t threads);
  ~TransferEngine();  // Stop()
  TransferEngine(const TransferEngine&) = delete;
  TransferEngine& operator=(const TransferEngine&) = delete;

  // Requeues transfers a previous process left running and starts the workers.
  [[nodiscard]] Status Start();
  // Stops the workers after their current transfer (queue entries stay for the next start).
  void Stop();

  // Queues transfers and wakes the workers.
  [[nodiscard]] Result<uint64_t> Enqueue(const std::vector<TransferRequest>& requests);
  void Pause();
  void Resume();
  [[nodiscard]] Result<TransferProgress> Progress();
  // Called after every completed transfer (outside any lock), e.g. to finish publishes.
  void SetOnComplete(std::function<void(const Transfer&)> fn);
  // Called (on a worker) when a worker that has just run transfers finds none due: the queue
  // has drained, at least for now (nullptr: nobody to tell).
  void SetOnIdle(std::function<void()> fn);
  // Waits until no transfer is queued or running, or `timeout_ms` passes (Unavailable), or the
  // engine is paused with work left (Aborted).
  [[nodiscard]] Status WaitEmpty(int64_t timeout_ms);

 private:
  void WorkerLoop();
  // `first` and the transfers of its kind and tier queued after it, claimed up to
  // kPackTargetBytes in all.
  std::vector<Transfer> ClaimBatchAfter(const Transfer& first);
  // `first` and the downloads queued after it, fetched together (transfer_engine.cc).
  void RunDownloads(const Transfer& first);
  // `first` and the uploads to its tier queued after it, as one pack (pack_upload.cc).
  void RunUploads(const Transfer& first);
  // Reads the chunk of upload `t`, appended to `pack` (unchanged on failure). The local copy is
  // hashed here only when `verify`: otherwise the target store checks it (PutHashedParts), and a
  // mismatch fails the pack, whose retry verifies. Copies from other tiers are always verified.
  // With the store's cipher, the copy is always verified, then sealed in the pack.
  Status ReadForUpload(const Transfer& t, std::vector<uint8_t>* pack, bool verify);
  // After a transfer ran: counters and the completion callback on success (its queue entry is
  // already gone); on failure the counters and the entry back in the queue, due at `retry_at`.
  // `log`: false when the caller logged the failure once for a whole pack.
  void Record(const Transfer& t, const Status& s, int64_t retry_at, bool log = true);
  // Whether a failed transfer's chunk is gone from the catalog (garbage collection took it):
  // such a transfer has nothing left to do and leaves the queue instead of being retried.
  bool Moot(const Transfer& t, const Status& failure);
  int64_t BackoffNs(uint32_t attempts);
  std::string NewPackKey();
  std::vector<uint8_t> TakePackBuffer();
  void GivePackBuffer(std::vector<uint8_t> buffer);

  Catalog* catalog_;
  MachineState* machine_;
  TieredStore* store_;
  const uint32_t threads_;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;  // work queued, resumed, stopped, or a transfer finished
  bool stop_ = false;
  bool paused_ = false;
  uint64_t enqueued_ = 0;  // Enqueue calls: an idle worker wakes when it moves
  uint64_t completed_ = 0;
  uint64_t completed_bytes_ = 0;
  uint64_t failures_ = 0;
  std::string last_error_;
  std::function<void(const Transfer&)> on_complete_;
  std::function<void()> on_idle_;
  std::mt19937_64 rng_{std::random_device{}()};
  // Pack buffers of finished uploads, reused: a fresh 16 MiB buffer per pack cost page faults
  // (and growing one chunk at a time, copies) on every pack.
  std::vector<std::vector<uint8_t>> spare_packs_;
  std::vector<std::thread> workers_;
};

}  // namespace reel
