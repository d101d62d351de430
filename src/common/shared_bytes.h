// SharedBytes: immutable bytes shared by reference, either a whole buffer or a slice of one. A
// chunk fetched inside a pack run is a slice of the run's buffer, and a read reply is a list of
// slices of chunks: the bytes are not copied between the network, the cache and the FUSE reply.
// A slice keeps its whole buffer alive. Copying a SharedBytes copies a reference, not bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"

namespace reel {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Takes the vector over (no copy of its bytes).
  explicit SharedBytes(std::vector<uint8_t> bytes) {
    auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    bytes_ = std::span<const uint8_t>(*owned);
    buffer_size_ = bytes_.size();
    owner_ = std::move(owned);
  }
  // `bytes` inside memory that `owner` keeps alive (null for static memory), a buffer of
  // `buffer_size` bytes in all (what holding these bytes costs).
  SharedBytes(std::shared_ptr<const void> owner, std::span<const uint8_t> bytes,
              size_t buffer_size)
      : owner_(std::move(owner)), bytes_(bytes), buffer_size_(buffer_size) {}
  SharedBytes(std::shared_ptr<const void> owner, std::span<const uint8_t> bytes)
      : SharedBytes(std::move(owner), bytes, bytes.size()) {}

  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::span<const uint8_t> span() const { return bytes_; }
  const uint8_t* begin() const { return bytes_.data(); }
  const uint8_t* end() const { return bytes_.data() + bytes_.size(); }
  // Bytes [offset, offset+length) of these, sharing the same buffer (must lie inside).
  SharedBytes Slice(size_t offset, size_t length) const {
    return SharedBytes(owner_, bytes_.subspan(offset, length), buffer_size_);
  }
  // The buffer these bytes keep alive: the same id for every slice of one buffer (null for
  // static memory), and its whole size. A cache that holds slices counts buffers, not slices.
  const void* buffer_id() const { return owner_.get(); }
  size_t buffer_size() const { return buffer_size_; }

 private:
  std::shared_ptr<const void> owner_;
  std::span<const uint8_t> bytes_;
  size_t buffer_size_ = 0;
};

// A fetched vector (or its error) as SharedBytes, taking the bytes over.
inline Result<SharedBytes> ToShared(Result<std::vector<uint8_t>> got) {
  if (!got.ok()) return got.status();
  return SharedBytes(std::move(got).value());
}

}  // namespace reel
