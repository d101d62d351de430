#include "engine/chunk_reader.h"

#include "chunking/sha256.h"
#include "store/chunk_keys.h"
#include "store/object_store.h"

namespace reel {

namespace {
constexpr size_t kMaxQueuedPrefetches = 64;
}  // namespace

ChunkReader::ChunkReader(ObjectStore* store, uint64_t capacity_bytes, uint32_t prefetch_threads)
    : store_(store), capacity_(capacity_bytes) {
  for (uint32_t i = 0; i < prefetch_threads; ++i) prefetchers_.emplace_back([this] { PrefetchLoop(); });
}

ChunkReader::~ChunkReader() {
  {
    std::lock_guard lock(prefetch_mu_);
    stop_ = true;
  }
  prefetch_cv_.notify_all();
  for (auto& t : prefetchers_) t.join();
}

void ChunkReader::Prefetch(const ChunkRef& ref) {
  if (prefetchers_.empty() || IsHole(ref.id)) return;
  {
    std::lock_guard lock(mu_);
    if (entries_.count(ref.id) || loading_.count(ref.id)) return;
  }
  {
    std::lock_guard lock(prefetch_mu_);
    if (prefetch_queue_.size() >= kMaxQueuedPrefetches) return;
    for (const ChunkRef& q : prefetch_queue_) {
      if (q.id == ref.id) return;
    }
    prefetch_queue_.push_back(ref);
  }
  prefetch_cv_.notify_one();
}

void ChunkReader::PrefetchLoop() {
  while (true) {
    ChunkRef ref;
    {
      std::unique_lock lock(prefetch_mu_);
      prefetch_cv_.wait(lock, [&] { return stop_ || !prefetch_queue_.empty(); });
      if (stop_) return;
      ref = prefetch_queue_.front();
      prefetch_queue_.pop_front();
    }
    if (Get(ref).ok()) prefetched_.fetch_add(1);
  }
}

Result<ChunkData> ChunkReader::Get(const ChunkRef& ref) {
  std::promise<Result<ChunkData>> promise;
  {
    std::unique_lock lock(mu_);
    auto it = entries_.find(ref.id);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
      return it->second.data;
    }
    auto loading = loading_.find(ref.id);
    if (loading != loading_.end()) {
      auto pending = loading->second;
      lock.unlock();
      return pending.get();
    }
    loading_.emplace(ref.id, promise.get_future().share());
  }
  Result<ChunkData> result = Fetch(ref);
  if (result.ok()) Insert(ref.id, *result);
  promise.set_value(result);
  std::lock_guard lock(mu_);
  loading_.erase(ref.id);
  return result;
}

Result<ChunkData> ChunkReader::Fetch(const ChunkRef& ref) {
  bool verified = false;
  auto got = store_->GetChunk(ChunkKey(ref.id), &verified);
  if (!got.ok()) return got.status().WithContext("chunk " + ref.id.Hex());
  if (got->size() != ref.length || (!verified && Sha256(*got) != ref.id)) {
    return Status::Corruption("chunk " + ref.id.Hex() + " does not match its hash");
  }
  return ChunkData(std::make_shared<const std::vector<uint8_t>>(std::move(got).value()));
}

Status ChunkReader::Verify(const ChunkId& id, uint64_t* bytes) {
  auto got = store_->Get(ChunkKey(id));
  if (!got.ok()) return got.status();
  *bytes = got->size();
  if (Sha256(*got) != id) return Status::Corruption("chunk " + id.Hex() + " does not match its hash");
  return Status::Ok();
}

void ChunkReader::Drop(const ChunkId& id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  bytes_ -= it->second.data->size();
  lru_.erase(it->second.lru_pos);
  entries_.erase(it);
}

void ChunkReader::Insert(const ChunkId& id, const ChunkData& data) {
  if (data->size() > capacity_) return;
  std::lock_guard lock(mu_);
  if (entries_.count(id)) return;
  lru_.push_front(id);
  entries_.emplace(id, Entry{data, lru_.begin()});
  bytes_ += data->size();
  while (bytes_ > capacity_ && !lru_.empty()) {
    auto victim = entries_.find(lru_.back());
    bytes_ -= victim->second.data->size();
    entries_.erase(victim);
    lru_.pop_back();
  }
}

}  // namespace reel
