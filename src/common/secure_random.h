// Bytes from the kernel's CSPRNG (getrandom), for secrets and ids that must not be guessed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace reel {

// Blocks only until the kernel's pool is initialised at boot; aborts if the kernel refuses
// (there is nothing sensible to do without randomness).
void SecureRandomBytes(uint8_t* out, size_t n);
std::vector<uint8_t> SecureRandomBytes(size_t n);

}  // namespace reel
