// Where packs live on a shared tier: "packs/ab/<32 hex>", a random 128-bit name.
//
// Random rather than named by content: a name is never reused, so a pack that gc deleted can
// never be confused with a later upload that happens to hold the same chunks in the same order,
// and a PUT retried after a lost acknowledgement writes a new object instead of racing with the
// one the catalog may already know. Content naming would buy nothing here: every chunk inside is
// verified against its own SHA-256 when read. The cost of a lost acknowledgement is an
// unreferenced pack object (garbage, never data loss).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "common/hex.h"

namespace reel {

inline constexpr char kPackPrefix[] = "packs/";

inline std::string NewPackKey(std::mt19937_64& rng) {
  std::array<uint8_t, 16> bytes{};
  const uint64_t words[2] = {rng(), rng()};
  std::memcpy(bytes.data(), words, bytes.size());
  std::string hex = ToHex(bytes);
  return std::string(kPackPrefix) + hex.substr(0, 2) + "/" + hex;
}

// Whether `key` has the shape of a pack key (the tiered store deletes nothing else as a pack).
inline bool IsPackKey(const std::string& key) {
  constexpr size_t kPrefix = sizeof(kPackPrefix) - 1;
  if (key.size() != kPrefix + 3 + 32 || key.rfind(kPackPrefix, 0) != 0) return false;
  if (key[kPrefix + 2] != '/' || key.compare(kPrefix, 2, key, kPrefix + 3, 2) != 0) return false;
  for (size_t i = kPrefix + 3; i < key.size(); ++i) {
    char c = key[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace reel
