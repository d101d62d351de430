// ChunkReader's memory bound when the chunks it caches are slices of bigger buffers (a pack run
// fetched with one GET): the bound counts the buffers they keep alive, not the slices.
#include "engine/chunk_reader.h"

#include <memory>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "chunking/sha256.h"
#include "store/chunk_keys.h"
#include "store/memory_store.h"
#include "testing/pattern.h"

namespace reel {
namespace {

constexpr size_t kChunk = 64 << 10;
constexpr size_t kPerRun = 16;  // chunks per fetched buffer

// Serves GetChunks as a pack run would be: all chunks of one call are slices of one buffer. It
// keeps weak references to the buffers, so the test sees how many are still alive.
class RunStore final : public ObjectStore {
 public:
  Status Put(const std::string& key, std::span<const uint8_t> data) override {
    return base_.Put(key, data);
  }
  Result<std::vector<uint8_t>> Get(const std::string& key) override { return base_.Get(key); }
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override {
    return base_.GetRange(key, offset, length);
  }
  Result<ObjectInfo> Head(const std::string& key) override { return base_.Head(key); }
  Status Delete(const std::string& key) override { return base_.Delete(key); }
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override {
    return base_.List(prefix, visit);
  }
  std::string Uri() const override { return "memory://runs"; }

  void GetChunks(const std::vector<std::string>& keys, const ChunkFetched& done) override {
    auto buffer = std::make_shared<std::vector<uint8_t>>(keys.size() * kChunk);
    std::vector<SharedBytes> slices;
    for (size_t i = 0; i < keys.size(); ++i) {
      auto got = Get(keys[i]);
      ASSERT_TRUE(got.ok());
      std::copy(got->begin(), got->end(), buffer->begin() + static_cast<ptrdiff_t>(i * kChunk));
    }
    const SharedBytes all(buffer, std::span<const uint8_t>(*buffer), buffer->size());
    {
      std::lock_guard lock(mu_);
      buffers_.push_back(buffer);
    }
    for (size_t i = 0; i < keys.size(); ++i) done(i, all.Slice(i * kChunk, kChunk), false);
  }
  size_t live_buffers() {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& b : buffers_) n += b.expired() ? 0 : 1;
    return n;
  }

 private:
  MemoryStore base_;
  std::mutex mu_;
  std::vector<std::weak_ptr<std::vector<uint8_t>>> buffers_;
};

TEST(ChunkReaderTest, ChunksKeptFromManyRunsDoNotHoldMoreThanTheCapacity) {
  RunStore store;
  constexpr size_t kRuns = 40;
  std::vector<std::vector<ChunkRef>> runs(kRuns);
  for (size_t r = 0; r < kRuns; ++r) {
    for (size_t c = 0; c < kPerRun; ++c) {
      auto data = testing::Pattern(kChunk, static_cast<uint32_t>(r * 1000 + c));
      const ChunkId id = Sha256(data);
      ASSERT_TRUE(store.Put(ChunkKey(id), data).ok());
      runs[r].push_back(ChunkRef{id, static_cast<uint32_t>(kChunk)});
    }
  }
  // Room for 4 runs' buffers (64 chunks) by bytes.
  const uint64_t capacity = 4 * kPerRun * kChunk;
  ChunkReader reader(&store, ChunkNames(), capacity, 1);
  for (size_t r = 0; r < kRuns; ++r) {
    reader.Prefetch(runs[r]);
    // A reader that keeps coming back to the first chunk of every run it has seen (a scrubbing
    // editor): those chunks stay the most recently used, each in a different run's buffer.
    for (size_t seen = 0; seen <= r; ++seen) {
      auto got = reader.Get(runs[seen][0]);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(Sha256(got->span()), runs[seen][0].id);
    }
    EXPECT_LE(store.live_buffers(), 4u + 2u)
        << "after run " << r << ": cached slices keep whole buffers alive past the capacity";
  }
}

}  // namespace
}  // namespace reel
