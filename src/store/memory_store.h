// MemoryStore: an ObjectStore in process memory (URI memory://NAME), for tests and tools.
// Nothing is persisted; "durable" means "visible to later calls on this instance".
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "store/object_store.h"

namespace reel {

class MemoryStore final : public ObjectStore {
 public:
  explicit MemoryStore(std::string name = "") : name_(std::move(name)) {}

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  std::string Uri() const override { return "memory://" + name_; }

  // Number of objects and sum of their sizes (for tests).
  size_t ObjectCount() const;
  uint64_t TotalBytes() const;

 private:
  // Object bytes are immutable once stored and shared, so a reader copies them after dropping
  // the lock, and a Put builds its copy before taking it.
  struct Object {
    std::shared_ptr<const std::vector<uint8_t>> data;
    int64_t mtime_unix_ns = 0;
  };
  // The Object for `key`, or nullptr data if absent. Takes mu_.
  Object Find(const std::string& key) const;

  const std::string name_;
  // mu_ guards objects_ (the map itself: which keys exist and which Object each maps to). It is
  // held only for map lookups and updates, never while copying bytes or calling List's visitor.
  mutable std::mutex mu_;
  std::map<std::string, Object> objects_;  // ordered, so List can seek to its prefix
};

}  // namespace reel
