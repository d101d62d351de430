#include "common/secure_random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

namespace reel {

void SecureRandomBytes(uint8_t* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(out + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      std::abort();
    }
    got += static_cast<size_t>(r);
  }
}

std::vector<uint8_t> SecureRandomBytes(size_t n) {
  std::vector<uint8_t> b(n);
  SecureRandomBytes(b.data(), n);
  return b;
}

}  // namespace reel
