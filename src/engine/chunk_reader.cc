#include "engine/chunk_reader.h"

#include <algorithm>

#include "chunking/sha256.h"
#include "store/chunk_keys.h"
#include "store/object_store.h"

namespace reel {

namespace {
constexpr size_t kMaxQueuedPrefetches = 64;
}  // namespace

ChunkReader::ChunkReader(ObjectStore* store, const ChunkNames& names, uint64_t capacity_bytes,
                         uint32_t prefetch_threads)
    : store_(store), names_(names), capacity_(capacity_bytes) {
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

void ChunkReader::Prefetch(std::span<const ChunkRef> refs) {
  if (prefetchers_.empty()) return;
  std::vector<ChunkRef> wanted;
  {
    std::lock_guard lock(mu_);
    for (const ChunkRef& ref : refs) {
      if (IsHole(ref.id) || entries_.count(ref.id) || loading_.count(ref.id)) continue;
      wanted.push_back(ref);
    }
  }
  if (wanted.empty()) return;
  {
    std::lock_guard lock(prefetch_mu_);
    std::vector<ChunkRef> run;
    uint64_t run_bytes = 0;
    auto close_run = [&] {
      if (run.empty()) return;
      prefetch_queue_.push_back(std::move(run));
      run.clear();
      run_bytes = 0;
    };
    for (const ChunkRef& ref : wanted) {
      if (queued_chunks_ >= kMaxQueuedPrefetches) break;
      bool queued = std::any_of(prefetch_queue_.begin(), prefetch_queue_.end(), [&](const auto& r) {
        return std::any_of(r.begin(), r.end(), [&](const ChunkRef& q) { return q.id == ref.id; });
      });
      if (queued) {
        close_run();  // the run stops at a chunk it skips: it must stay consecutive
        continue;
      }
      if (!run.empty() && run_bytes + ref.length > kPrefetchRunBytes) close_run();
      run.push_back(ref);
      run_bytes += ref.length;
      ++queued_chunks_;
    }
    close_run();
  }
  prefetch_cv_.notify_all();
}

void ChunkReader::PrefetchLoop() {
  while (true) {
    std::vector<ChunkRef> run;
    {
      std::unique_lock lock(prefetch_mu_);
      prefetch_cv_.wait(lock, [&] { return stop_ || !prefetch_queue_.empty(); });
      if (stop_) return;
      run = std::move(prefetch_queue_.front());
      prefetch_queue_.pop_front();
      queued_chunks_ -= run.size();
    }
    FetchRun(run);
  }
}

void ChunkReader::FetchRun(const std::vector<ChunkRef>& run) {
  // Claim the chunks nobody has or fetches yet; readers of them wait for these promises.
  std::vector<ChunkRef> mine;
  std::vector<std::promise<Result<ChunkData>>> promises;
  {
    std::lock_guard lock(mu_);
    for (const ChunkRef& ref : run) {
      if (entries_.count(ref.id) || loading_.count(ref.id)) continue;
      mine.push_back(ref);
      promises.emplace_back();
      loading_.emplace(ref.id, promises.back().get_future().share());
    }
  }
  if (mine.empty()) return;
  std::vector<std::string> keys;
  keys.reserve(mine.size());
  for (const ChunkRef& ref : mine) keys.push_back(ChunkKey(ref.id));
  std::vector<bool> settled(mine.size(), false);
  auto settle = [&](size_t i, Result<ChunkData> result) {
    if (i >= mine.size() || settled[i]) return;
    settled[i] = true;
    if (result.ok()) prefetched_.fetch_add(1);
    Settle(mine[i].id, promises[i], result);
  };
  store_->GetChunks(keys, [&](size_t i, Result<SharedBytes> got, bool verified) {
    if (i < mine.size()) settle(i, Checked(mine[i], std::move(got), verified));
  });
  for (size_t i = 0; i < mine.size(); ++i) {
    if (!settled[i]) settle(i, Status::Internal("the store did not return chunk " + mine[i].id.Hex()));
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
  Settle(ref.id, promise, result);
  return result;
}

void ChunkReader::Settle(const ChunkId& id, std::promise<Result<ChunkData>>& promise,
                         const Result<ChunkData>& result) {
  if (result.ok()) Insert(id, *result);
  promise.set_value(result);
  std::lock_guard lock(mu_);
  loading_.erase(id);
}

Result<ChunkData> ChunkReader::Fetch(const ChunkRef& ref) {
  bool verified = false;
  auto got = store_->GetChunk(ChunkKey(ref.id), &verified);
  return Checked(ref, ToShared(std::move(got)), verified);
}

Result<ChunkData> ChunkReader::Checked(const ChunkRef& ref, Result<SharedBytes> got,
                                       bool verified) const {
  if (!got.ok()) return got.status().WithContext("chunk " + ref.id.Hex());
  if (got->size() != ref.length || (!verified && names_.Of(got->span()) != ref.id)) {
    return Status::Corruption("chunk " + ref.id.Hex() + " does not match its hash");
  }
  return std::move(got).value();
}

Status ChunkReader::Verify(const ChunkId& id, uint64_t* bytes) {
  bool verified = false;
  auto got = store_->GetChunk(ChunkKey(id), &verified);
  if (!got.ok()) return got.status();
  *bytes = got->size();
  if (!verified && names_.Of(*got) != id) {
    return Status::Corruption("chunk " + id.Hex() + " does not match its hash");
  }
  return Status::Ok();
}

void ChunkReader::Drop(const ChunkId& id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it != entries_.end()) EraseLocked(it);
}

void ChunkReader::EraseLocked(EntryMap::iterator it) {
  const ChunkData& data = it->second.data;
  auto use = buffers_.find(data.buffer_id());
  if (use != buffers_.end() && --use->second.chunks == 0) {
    bytes_ -= use->second.bytes;
    buffers_.erase(use);
  }
  lru_.erase(it->second.lru_pos);
  entries_.erase(it);
}

void ChunkReader::Insert(const ChunkId& id, const ChunkData& data) {
  if (data.buffer_size() > capacity_) return;
  std::lock_guard lock(mu_);
  if (entries_.count(id)) return;
  lru_.push_front(id);
  entries_.emplace(id, Entry{data, lru_.begin()});
  BufferUse& use = buffers_[data.buffer_id()];
  if (use.chunks++ == 0) {
    use.bytes = data.buffer_size();
    bytes_ += use.bytes;
  }
  while (bytes_ > capacity_ && lru_.size() > 1) EraseLocked(entries_.find(lru_.back()));
}

}  // namespace reel
