#include "common/clock.h"
#include "store/memory_store.h"

#include <algorithm>
#include <chrono>

namespace reel {
namespace {


Status NotFound(const std::string& key) { return Status::NotFound("object not found: " + key); }

// How many entries List copies per lock acquisition.
constexpr size_t kListBatch = 256;

}  // namespace

MemoryStore::Object MemoryStore::Find(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? Object{} : it->second;
}

Status MemoryStore::Put(const std::string& key, std::span<const uint8_t> data) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  Object obj{std::make_shared<const std::vector<uint8_t>>(data.begin(), data.end()), WallClockNs()};
  {
    std::lock_guard lock(mu_);
    std::swap(objects_[key], obj);
  }
  return Status::Ok();  // `obj` (the replaced object, if any) is freed outside the lock
}

Result<std::vector<uint8_t>> MemoryStore::Get(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  Object obj = Find(key);
  if (!obj.data) return NotFound(key);
  return *obj.data;
}

Result<std::vector<uint8_t>> MemoryStore::GetRange(const std::string& key, uint64_t offset,
                                                   uint64_t length) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  Object obj = Find(key);
  if (!obj.data) return NotFound(key);
  const uint64_t size = obj.data->size();
  if (offset >= size) return std::vector<uint8_t>();
  auto begin = obj.data->begin() + static_cast<ptrdiff_t>(offset);
  return std::vector<uint8_t>(begin, begin + static_cast<ptrdiff_t>(std::min(length, size - offset)));
}

Result<ObjectInfo> MemoryStore::Head(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  Object obj = Find(key);
  if (!obj.data) return NotFound(key);
  return ObjectInfo{key, obj.data->size(), obj.mtime_unix_ns};
}

Status MemoryStore::Delete(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  Object removed;
  {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::Ok();
    removed = std::move(it->second);
    objects_.erase(it);
  }
  return Status::Ok();
}

Status MemoryStore::List(const std::string& prefix,
                         const std::function<bool(const ObjectInfo&)>& visit) {
  REEL_RETURN_IF_ERROR(ValidateObjectKeyPrefix(prefix));
  // Copy a batch under the lock, visit it without the lock, resume after the last key seen.
  std::vector<ObjectInfo> batch;
  batch.reserve(kListBatch);
  std::string resume = prefix;  // first key to look at (inclusive on the first round)
  bool first = true;
  for (;;) {
    batch.clear();
    {
      std::lock_guard lock(mu_);
      auto it = first ? objects_.lower_bound(resume) : objects_.upper_bound(resume);
      for (; it != objects_.end() && batch.size() < kListBatch; ++it) {
        if (!it->first.starts_with(prefix)) break;
        batch.push_back(ObjectInfo{it->first, it->second.data->size(), it->second.mtime_unix_ns});
      }
    }
    for (const ObjectInfo& info : batch) {
      if (!visit(info)) return Status::Ok();
    }
    if (batch.size() < kListBatch) return Status::Ok();
    resume = batch.back().key;
    first = false;
  }
}

size_t MemoryStore::ObjectCount() const {
  std::lock_guard lock(mu_);
  return objects_.size();
}

uint64_t MemoryStore::TotalBytes() const {
  std::lock_guard lock(mu_);
  uint64_t total = 0;
  for (const auto& [key, obj] : objects_) total += obj.data->size();
  return total;
}

}  // namespace reel
