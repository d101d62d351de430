// ChunkNames: how a chunk's content becomes its ChunkId.
//
// Plain: the SHA-256 of the content, so equal content has one name on every drive (dedup across
// a studio's unencrypted workspaces). Keyed (an encrypted workspace): HMAC-SHA256 under the
// workspace's name key, so a store, or anyone without the key, cannot tell from a name whether a
// known file is stored; equal content still has one name inside the workspace (dedup there).
// Every reader checks a chunk against its name this way, whichever the naming.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "chunking/sha256.h"
#include "common/chunk_id.h"

namespace reel {

class ChunkNames {
 public:
  ChunkNames() = default;  // plain SHA-256
  static ChunkNames Keyed(const std::array<uint8_t, 32>& key) {
    ChunkNames n;
    n.key_ = key;
    return n;
  }

  [[nodiscard]] ChunkId Of(std::span<const uint8_t> content) const {
    return key_ ? HmacSha256(*key_, content) : Sha256(content);
  }
  bool keyed() const { return key_.has_value(); }

 private:
  std::optional<std::array<uint8_t, 32>> key_;
};

}  // namespace reel
