// ChunkCipher: the encryption of an encrypted workspace's chunks on the shared tiers.
//
// One 256-bit workspace key, which the team server holds and hands only to the workspace's
// members, gives two keys (HMAC-SHA256 of the workspace key and a label):
//   - the name key: chunks are named by HMAC-SHA256 of their content (ChunkNames::Keyed);
//   - the data key: every chunk is sealed with AES-256-GCM before it leaves the machine, and
//     opened (tag checked) when it comes back.
// A sealed chunk is ciphertext || 16-byte tag, the plaintext's length plus kSealOverhead. The
// nonce is the first 12 bytes of the chunk's (keyed) name and the name is the associated data:
// equal content seals to equal bytes (a retried upload writes the same object), distinct content
// has distinct names and so distinct nonces (a repeat needs two of 2^96 prefixes to collide), and
// a sealed chunk cannot be passed off as another one. Nothing about a chunk's plaintext, not
// even its plain SHA-256, reaches a store; its length does (plus 16).
//
// The local cache holds plaintext chunks under their keyed names: this machine's disk is the
// instance's, which the workspace's member already reads in the clear through the mount.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "chunking/chunk_names.h"
#include "common/status.h"

namespace reel {

inline constexpr size_t kWorkspaceKeyBytes = 32;
inline constexpr size_t kSealOverhead = 16;  // the GCM tag

class ChunkCipher {
 public:
  // From the workspace key (kWorkspaceKeyBytes, else InvalidArgument).
  [[nodiscard]] static Result<std::shared_ptr<const ChunkCipher>> FromWorkspaceKey(
      std::span<const uint8_t> key);

  const ChunkNames& names() const { return names_; }

  // Seals the chunk `id` whose plaintext is the last `plain` bytes of `*buf`, in place: they
  // become ciphertext, followed by the tag (the buffer grows by kSealOverhead).
  [[nodiscard]] Status SealTail(const ChunkId& id, size_t plain, std::vector<uint8_t>* buf) const;
  // Opens a sealed chunk in place: on success the first size() - kSealOverhead bytes of `sealed`
  // are the plaintext, and that length is returned. Corruption if the bytes were not sealed as
  // `id` under this key (damaged, truncated, another chunk's, another workspace's).
  [[nodiscard]] Result<size_t> Open(const ChunkId& id, std::span<uint8_t> sealed) const;

 private:
  ChunkCipher() = default;
  ChunkNames names_;
  std::array<uint8_t, 32> data_key_{};
};

}  // namespace reel
