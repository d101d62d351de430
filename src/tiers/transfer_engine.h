// TransferEngine: runs the durable transfer queue kept in the catalog. Worker threads claim due
// transfers, copy each chunk, and record the result:
//   upload   -> read the chunk from the drive (local cache, else another tier), verify it, put it
//               to the target shared tier; CompleteTransfer records the tier bit in the same
//               catalog transaction that removes the queue entry.
//   download -> TieredStore::Get (verifies, keeps a clean local copy).
// A failure puts the transfer back with exponential backoff and jitter (0.5 s doubling to 60 s);
// transfers never give up on their own: a store that is down for an hour is retried until it
// returns. Queue entries survive restarts (running ones are requeued at Start). Transfers run on
// their own threads: reads and writes of local data never wait for them.
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

class TransferEngine {
 public:
  TransferEngine(Catalog* catalog, TieredStore* store, uint32_t threads);
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
  // Waits until no transfer is queued or running, or `timeout_ms` passes (Unavailable), or the
  // engine is paused with work left (Aborted).
  [[nodiscard]] Status WaitEmpty(int64_t timeout_ms);

 private:
  void WorkerLoop();
  Status Run(const Transfer& t);
  int64_t BackoffNs(uint32_t attempts);

  Catalog* catalog_;
  TieredStore* store_;
  const uint32_t threads_;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;  // work queued, resumed, stopped, or a transfer finished
  bool stop_ = false;
  bool paused_ = false;
  uint64_t completed_ = 0;
  uint64_t completed_bytes_ = 0;
  uint64_t failures_ = 0;
  std::string last_error_;
  std::function<void(const Transfer&)> on_complete_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::vector<std::thread> workers_;
};

}  // namespace reel
