// SHA-256 through OpenSSL's EVP interface (uses SHA-NI when the CPU has it).
#pragma once

#include <cstdint>
#include <span>

#include "common/chunk_id.h"

namespace reel {

[[nodiscard]] ChunkId Sha256(std::span<const uint8_t> data);

}  // namespace reel
