// SHA-256 and HMAC-SHA256 through OpenSSL's EVP interface (uses SHA-NI when the CPU has it).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/chunk_id.h"

namespace reel {

[[nodiscard]] ChunkId Sha256(std::span<const uint8_t> data);
// HMAC-SHA256 (RFC 2104) of `data` under a 256-bit key: the keyed chunk names of an encrypted
// workspace (chunking/chunk_cipher.h), as fast as Sha256 on large inputs.
[[nodiscard]] ChunkId HmacSha256(const std::array<uint8_t, 32>& key,
                                 std::span<const uint8_t> data);

}  // namespace reel
