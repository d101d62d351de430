#include "tiers/transfer_engine.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "store/chunk_keys.h"
#include "tiers/tiered_store.h"

namespace reel {
namespace {

constexpr auto kIdlePoll = std::chrono::milliseconds(200);

}  // namespace

TransferEngine::TransferEngine(Catalog* catalog, MachineState* machine, TieredStore* store,
                               uint32_t threads)
    : catalog_(catalog),
      machine_(machine),
      store_(store),
      threads_(std::max<uint32_t>(1, threads)) {}

TransferEngine::~TransferEngine() { Stop(); }

Status TransferEngine::Start() {
  // spdlog creates its registry on first use, inside the uninstrumented libspdlog: make it exist
  // before worker threads log, or TSan sees the lazy init race.
  spdlog::default_logger_raw();
  REEL_ASSIGN_OR_RETURN(uint64_t requeued, machine_->RequeueRunningTransfers());
  if (requeued > 0) spdlog::info("transfers: {} interrupted transfers queued again", requeued);
  std::lock_guard lock(mu_);
  stop_ = false;
  for (uint32_t i = 0; i < threads_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  return Status::Ok();
}

void TransferEngine::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    workers.swap(workers_);
  }
  cv_.notify_all();
  for (auto& t : workers) t.join();
}

Result<uint64_t> TransferEngine::Enqueue(const std::vector<TransferRequest>& requests) {
  REEL_ASSIGN_OR_RETURN(uint64_t added, machine_->EnqueueTransfers(requests, WallClockNs()));
  {
    std::lock_guard lock(mu_);
    ++enqueued_;
  }
  cv_.notify_all();
  return added;
}

void TransferEngine::Pause() {
  std::lock_guard lock(mu_);
  paused_ = true;
}

void TransferEngine::Resume() {
  {
    std::lock_guard lock(mu_);
    paused_ = false;
  }
  cv_.notify_all();
}

void TransferEngine::SetOnComplete(std::function<void(const Transfer&)> fn) {
  std::lock_guard lock(mu_);
  on_complete_ = std::move(fn);
}

void TransferEngine::SetOnIdle(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  on_idle_ = std::move(fn);
}

Result<TransferProgress> TransferEngine::Progress() {
  TransferProgress p;
  REEL_ASSIGN_OR_RETURN(p.queue, machine_->CountTransfers(WallClockNs()));
  std::lock_guard lock(mu_);
  p.paused = paused_;
  p.completed = completed_;
  p.completed_bytes = completed_bytes_;
  p.failures = failures_;
  p.last_error = last_error_;
  return p;
}

Status TransferEngine::WaitEmpty(int64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    REEL_ASSIGN_OR_RETURN(TransferCounts c, machine_->CountTransfers(WallClockNs()));
    if (c.queued == 0 && c.running == 0) return Status::Ok();
    std::unique_lock lock(mu_);
    if (paused_) return Status::Busy("transfers are paused with work queued");
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(std::to_string(c.queued + c.running) +
                                 " transfers still pending" +
                                 (last_error_.empty() ? "" : " (last error: " + last_error_ + ")"));
    }
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

int64_t TransferEngine::BackoffNs(uint32_t attempts) {
  // 0.5 s, 1 s, 2 s ... capped at 60 s; "equal jitter": half fixed, half random.
  double base = std::min(60.0, 0.5 * static_cast<double>(1ull << std::min<uint32_t>(attempts, 7)));
  std::lock_guard lock(mu_);
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return static_cast<int64_t>(base * jitter(rng_) * 1e9);
}

void TransferEngine::WorkerLoop() {
  bool worked = false;  // ran transfers since it last found none due
  while (true) {
    uint64_t enqueued = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !paused_; });
      if (stop_) return;
      enqueued = enqueued_;
    }
    auto claimed = machine_->ClaimTransfers(1, WallClockNs());
    if (!claimed.ok() || claimed->empty()) {
      if (!claimed.ok()) spdlog::warn("transfers: claim: {}", claimed.status().ToString());
      if (claimed.ok() && worked) {
        std::function<void()> idle;
        {
          std::lock_guard lock(mu_);
          idle = on_idle_;
        }
        if (idle) idle();
      }
      worked = false;
      // New work wakes it at once; work waiting out a retry's delay is found by the poll.
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kIdlePoll, [&] { return stop_ || enqueued_ != enqueued; });
      if (stop_) return;
      continue;
    }
    const Transfer& t = claimed->front();
    if (t.request.kind == TransferKind::kUpload) {
      RunUploads(t);
    } else {
      RunDownloads(t);
    }
    worked = true;
    cv_.notify_all();
  }
}

void TransferEngine::Record(const Transfer& t, const Status& s, int64_t retry_at, bool log) {
  if (s.ok()) {
    std::function<void(const Transfer&)> done;
    {
      std::lock_guard lock(mu_);
      ++completed_;
      completed_bytes_ += t.request.size;
      done = on_complete_;
    }
    if (done) done(t);
    return;
  }
  if (Moot(t, s)) return;
  if (log) {
    spdlog::warn("transfers: chunk {} attempt {} failed: {} (retry in {} ms)",
                 t.request.chunk.Hex(), t.attempts + 1, s.ToString(),
                 std::max<int64_t>(0, retry_at - WallClockNs()) / 1000000);
  }
  {
    std::lock_guard lock(mu_);
    ++failures_;
    last_error_ = s.ToString();
  }
  Status r = machine_->RetryTransfer(t.id, retry_at, s.ToString());
  if (!r.ok()) spdlog::error("transfers: requeue: {}", r.ToString());
}

bool TransferEngine::Moot(const Transfer& t, const Status& failure) {
  if (failure.code() != Code::kNotFound) return false;
  auto known = catalog_->HasChunk(t.request.chunk);
  if (!known.ok() || *known) return false;
  Status removed = machine_->RemoveTransfers({t.id});
  if (!removed.ok()) {
    spdlog::warn("transfers: drop the entry of collected chunk {}: {}", t.request.chunk.Hex(),
                 removed.ToString());
    return false;
  }
  spdlog::info("transfers: chunk {} was collected; its {} is dropped", t.request.chunk.Hex(),
               t.request.kind == TransferKind::kUpload ? "upload" : "download");
  return true;
}

std::vector<Transfer> TransferEngine::ClaimBatchAfter(const Transfer& first) {
  std::vector<Transfer> batch{first};
  if (first.request.size >= kPackTargetBytes) return batch;
  auto more = machine_->ClaimBatch(first.request.kind, first.request.tier,
                                   kPackTargetBytes - first.request.size, WallClockNs());
  if (more.ok()) {
    batch.insert(batch.end(), more->begin(), more->end());
  } else {
    spdlog::warn("transfers: claim a batch: {}", more.status().ToString());
  }
  return batch;
}

void TransferEngine::RunDownloads(const Transfer& first) {
  const std::vector<Transfer> batch = ClaimBatchAfter(first);
  std::vector<Status> results(batch.size());
  std::vector<std::string> keys;
  std::vector<size_t> fetched;  // batch index of keys[i]
  for (size_t i = 0; i < batch.size(); ++i) {
    if (store_->cache().Contains(batch[i].request.chunk)) continue;  // already here
    keys.push_back(ChunkKey(batch[i].request.chunk));
    fetched.push_back(i);
    results[i] = Status::Internal("the store did not return the chunk");
  }
  if (!keys.empty()) {
    store_->GetChunks(keys, [&](size_t k, Result<SharedBytes> got, bool) {
      if (k < fetched.size()) results[fetched[k]] = got.status();
    });
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Status s = results[i];
    if (s.ok()) s = machine_->RemoveTransfers({batch[i].id});
    Record(batch[i], s, WallClockNs() + BackoffNs(batch[i].attempts));
  }
}

}  // namespace reel
