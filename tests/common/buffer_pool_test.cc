#include "common/buffer_pool.h"

#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace reel {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

TEST(AlignedBufferPoolTest, ABufferLetGoIsHandedOutAgain) {
  AlignedBufferPool pool(64 * kMiB);
  std::shared_ptr<uint8_t> a = pool.Take(3 * kMiB);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.get()) % 4096, 0u);
  std::memset(a.get(), 0x5A, 3 * kMiB);  // the whole requested size is usable
  uint8_t* const first = a.get();
  a.reset();
  EXPECT_EQ(pool.free_bytes(), 4 * kMiB) << "rounded up to a power of two";
  // A smaller request that fits takes the free buffer; a bigger one needs a new one.
  std::shared_ptr<uint8_t> b = pool.Take(kMiB + 1);
  EXPECT_EQ(b.get(), first);
  EXPECT_EQ(pool.free_bytes(), 0u);
  std::shared_ptr<uint8_t> c = pool.Take(5 * kMiB);
  EXPECT_NE(c.get(), first);
}

TEST(AlignedBufferPoolTest, SlicesKeepTheirBufferOutOfThePool) {
  AlignedBufferPool pool(64 * kMiB);
  std::shared_ptr<uint8_t> buf = pool.Take(kMiB);
  std::shared_ptr<const void> slice(buf, buf.get() + 4096);  // an aliasing holder, as a chunk is
  buf.reset();
  EXPECT_EQ(pool.free_bytes(), 0u) << "still held by the slice";
  slice.reset();
  EXPECT_EQ(pool.free_bytes(), kMiB);
}

TEST(AlignedBufferPoolTest, KeepsNoMoreThanItsLimitFree) {
  AlignedBufferPool pool(2 * kMiB);
  std::vector<std::shared_ptr<uint8_t>> held;
  for (int i = 0; i < 4; ++i) held.push_back(pool.Take(kMiB));
  held.clear();
  EXPECT_EQ(pool.free_bytes(), 2 * kMiB);
}

TEST(AlignedBufferPoolTest, BuffersMayOutliveThePool) {
  std::shared_ptr<uint8_t> kept;
  {
    AlignedBufferPool pool(8 * kMiB);
    kept = pool.Take(kMiB);
    std::memset(kept.get(), 1, kMiB);
  }
  EXPECT_EQ(kept.get()[kMiB - 1], 1);
  kept.reset();  // returned to the pool's state, which goes with it (ASan would see a leak)
}

TEST(AlignedBufferPoolTest, ManyThreadsTakeAndReturn) {
  AlignedBufferPool pool(16 * kMiB);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 200; ++i) {
        std::shared_ptr<uint8_t> b = pool.Take(kMiB * static_cast<size_t>(1 + (i + t) % 3));
        ASSERT_NE(b, nullptr);
        b.get()[0] = static_cast<uint8_t>(i);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(pool.free_bytes(), 16 * kMiB);
}

}  // namespace
}  // namespace reel
