#include "engine/chunk_uploader.h"

#include "catalog/catalog.h"
#include "chunking/sha256.h"
#include "store/chunk_keys.h"
#include "engine/inflight_chunks.h"
#include "store/object_store.h"

namespace reel {

ChunkUploader::ChunkUploader(ObjectStore* store, Catalog* catalog, InflightChunks* inflight,
                             const ChunkNames& names, uint32_t threads, uint64_t max_queued_bytes)
    : store_(store), catalog_(catalog), inflight_(inflight), names_(names),
      max_threads_(threads == 0 ? 1 : threads), max_queued_bytes_(max_queued_bytes) {}

ChunkUploader::~ChunkUploader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  for (const auto& id : registered_) inflight_->Remove(id);
}

void ChunkUploader::AddExisting(const ChunkRef& ref) {
  std::lock_guard lock(mu_);
  if (!IsHole(ref.id)) {
    inflight_->Add(ref.id);
    registered_.push_back(ref.id);
  }
  refs_.push_back(ref);
}

void ChunkUploader::AddNew(std::vector<uint8_t> data) {
  std::unique_lock lock(mu_);
  size_t slot = refs_.size();
  refs_.push_back(ChunkRef{{}, static_cast<uint32_t>(data.size())});
  // The first chunk is stored inline: most files are one chunk and need no threads.
  if (slot == 0 && workers_.empty()) {
    lock.unlock();
    Status s = Store(slot, data);
    lock.lock();
    if (!s.ok() && first_error_.ok()) first_error_ = s;
    return;
  }
  if (workers_.size() < max_threads_) workers_.emplace_back([this] { WorkerLoop(); });
  space_cv_.wait(lock, [&] { return queued_bytes_ < max_queued_bytes_ || jobs_.empty(); });
  queued_bytes_ += data.size();
  jobs_.push_back(Job{slot, std::move(data)});
  work_cv_.notify_one();
}

void ChunkUploader::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    ++running_;
    bool failed = !first_error_.ok();  // read under mu_: other workers set it
    lock.unlock();
    Status s = failed ? Status::Ok() : Store(job.slot, job.data);
    size_t n = job.data.size();
    job.data = {};
    lock.lock();
    if (!s.ok() && first_error_.ok()) first_error_ = s;
    queued_bytes_ -= n;
    --running_;
    space_cv_.notify_all();
  }
}

// Called without mu_ held, except to publish results.
Status ChunkUploader::Store(size_t slot, const std::vector<uint8_t>& data) {
  ChunkId id = names_.Of(data);
  inflight_->Add(id);
  bool exists = false;
  auto known = catalog_->HasChunk(id);
  Status s = known.status();
  if (s.ok()) exists = *known;
  // Durable at Finish (one SyncPuts for the whole version), before the catalog commit.
  if (s.ok() && !exists) s = store_->PutUnsynced(ChunkKey(id), data);
  std::lock_guard lock(mu_);
  registered_.push_back(id);
  refs_[slot].id = id;
  if (s.ok()) {
    if (exists) {
      ++stats_.chunks_deduplicated;
    } else {
      ++stats_.chunks_written;
      stats_.bytes_written += data.size();
    }
  }
  return s;
}

Result<std::vector<ChunkRef>> ChunkUploader::Finish() {
  std::unique_lock lock(mu_);
  space_cv_.wait(lock, [&] { return jobs_.empty() && running_ == 0; });
  if (!first_error_.ok()) return first_error_;
  if (stats_.chunks_written > 0) {
    Status synced = store_->SyncPuts();
    if (!synced.ok()) return synced.WithContext("make the new chunks durable");
  }
  return std::vector<ChunkRef>(refs_.begin(), refs_.end());
}

}  // namespace reel
