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

namespace reel {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Takes the vector over (no copy of its bytes).
  explicit SharedBytes(std::vector<uint8_t> bytes) {
    auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    bytes_ = std::span<const uint8_t>(*owned);
    owner_ = std::move(owned);
  }
  // `bytes` inside memory that `owner` keeps alive (null for static memory).
  SharedBytes(std::shared_ptr<const void> owner, std::span<const uint8_t> bytes)
      : owner_(std::move(owner)), bytes_(bytes) {}

  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::span<const uint8_t> span() const { return bytes_; }
  const uint8_t* begin() const { return bytes_.data(); }
  const uint8_t* end() const { return bytes_.data() + bytes_.size(); }
  // Bytes [offset, offset+length) of these, sharing the same buffer (must lie inside).
  SharedBytes Slice(size_t offset, size_t length) const {
    return SharedBytes(owner_, bytes_.subspan(offset, length));
  }

 private:
  std::shared_ptr<const void> owner_;
  std::span<const uint8_t> bytes_;
};

}  // namespace reel
