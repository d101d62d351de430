#include "common/buffer_pool.h"

#include <algorithm>
#include <cstdlib>

namespace reel {
namespace {

constexpr size_t kMinClass = size_t{1} << 20;
constexpr size_t kAlign = 4096;

}  // namespace

AlignedBufferPool::AlignedBufferPool(size_t max_free_bytes)
    : state_(std::make_shared<State>(max_free_bytes)) {}

std::shared_ptr<uint8_t> AlignedBufferPool::Take(size_t bytes) {
  size_t size = kMinClass;
  while (size < bytes) size *= 2;
  uint8_t* p = nullptr;
  {
    std::lock_guard lock(state_->mu);
    // The smallest free buffer that is big enough (runs vary in size by a few MiB).
    auto it = state_->free.lower_bound(size);
    if (it != state_->free.end()) {
      size = it->first;
      p = it->second.back();
      it->second.pop_back();
      if (it->second.empty()) state_->free.erase(it);
      state_->free_bytes -= size;
    }
  }
  if (p == nullptr) p = static_cast<uint8_t*>(std::aligned_alloc(kAlign, size));
  if (p == nullptr) return nullptr;
  std::shared_ptr<State> state = state_;
  return std::shared_ptr<uint8_t>(p, [state, size](uint8_t* q) { state->Give(q, size); });
}

size_t AlignedBufferPool::free_bytes() const {
  std::lock_guard lock(state_->mu);
  return state_->free_bytes;
}

void AlignedBufferPool::State::Give(uint8_t* p, size_t size) {
  {
    std::lock_guard lock(mu);
    if (free_bytes + size <= max_free) {
      free[size].push_back(p);
      free_bytes += size;
      return;
    }
  }
  std::free(p);
}

AlignedBufferPool::State::~State() {
  for (auto& [size, list] : free) {
    for (uint8_t* p : list) std::free(p);
  }
}

}  // namespace reel
