// A TCP port on loopback that nothing listens on: for a server a test starts in another process
// (and may kill and start again on the same port), or an address that must not answer. Chosen at
// random below the kernel's ephemeral range, so that no outgoing connection of a test running
// beside it takes the port as its source port before the server binds it.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace reel::testing {

namespace free_port_internal {

// Whether `port` (0: any) can be bound on loopback now; the port bound in *bound.
inline bool Bindable(int port, int* bound) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  socklen_t len = sizeof a;
  ok = ok && ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (ok) *bound = ntohs(a.sin_port);
  return ok;
}

}  // namespace free_port_internal

inline int FreeLoopbackPort() {
  int ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  constexpr int kLowest = 10000;
  int port = 0;
  if (ephemeral_low > kLowest + 1000) {
    std::mt19937 gen(std::random_device{}());
    std::uniform_int_distribution<int> pick(kLowest, ephemeral_low - 1);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      if (free_port_internal::Bindable(pick(gen), &port)) return port;
    }
  }
  (void)free_port_internal::Bindable(0, &port);  // the kernel's choice, as a last resort
  return port;
}

}  // namespace reel::testing
