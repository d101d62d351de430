// AlignedBufferPool: page-aligned buffers handed out as shared pointers, which go back to the pool
// (not to the allocator) when the last holder lets go. A cold read fetches a pack run of up to
// 16 MiB into a fresh buffer every few milliseconds; a new mapping each time costs a page fault,
// a memory-cgroup charge and a zero fill per 4 KiB (5-7% of the daemon's CPU in a cold 2 GiB read
// on the benchmark VM), while a reused buffer is already mapped.
//
// Sizes are rounded up to a power of two (at least 1 MiB), so runs of 13 to 16 MiB share one
// size (pages never touched cost no memory), and a request gets the smallest free buffer that is
// big enough; at most `max_free_bytes` are kept free (more are released).
// Buffers may outlive the pool object: the free lists live in shared state their deleters hold.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace reel {

class AlignedBufferPool {
 public:
  explicit AlignedBufferPool(size_t max_free_bytes);
  AlignedBufferPool(const AlignedBufferPool&) = delete;
  AlignedBufferPool& operator=(const AlignedBufferPool&) = delete;

  // A buffer of at least `bytes`, aligned to 4 KiB (contents unspecified); null when out of memory.
  std::shared_ptr<uint8_t> Take(size_t bytes);
  // Bytes in free buffers now.
  size_t free_bytes() const;

 private:
  struct State {
    explicit State(size_t max) : max_free(max) {}
    const size_t max_free;
    mutable std::mutex mu;                       // guards free and free_bytes
    std::map<size_t, std::vector<uint8_t*>> free;  // by size class (bytes)
    size_t free_bytes = 0;
    void Give(uint8_t* p, size_t size);
    ~State();
  };
  std::shared_ptr<State> state_;
};

}  // namespace reel
