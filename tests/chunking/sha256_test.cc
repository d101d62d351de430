#include "chunking/sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace reel {
namespace {

std::string HashOf(std::string_view s) {
  return Sha256({reinterpret_cast<const uint8_t*>(s.data()), s.size()}).Hex();
}

// FIPS 180-2 appendix B and the usual empty-string vector.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(HashOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HashOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(HashOf(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Sha256() feeds OpenSSL in pieces; every size around the piece and prefetch boundaries must
// give the one-shot digest.
TEST(Sha256Test, MatchesOneShotEvpDigestForAllSizes) {
  std::vector<uint8_t> data((1 << 20) + 4096);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
  std::vector<size_t> sizes = {0, 1, 55, 56, 63, 64, 65, 1023, 1024, 1025, 4095, 4096, 4097,
                               5000, 5120, 8191, 8193, 65536, 1 << 20, (1 << 20) + 4096};
  for (size_t s = 1; s < 20000; s += 997) sizes.push_back(s);
  for (size_t size : sizes) {
    ChunkId expected;
    unsigned int len = 0;
    ASSERT_EQ(EVP_Digest(data.data() + 1, std::min(size, data.size() - 1), expected.bytes.data(),
                         &len, EVP_sha256(), nullptr),
              1);
    EXPECT_EQ(Sha256({data.data() + 1, std::min(size, data.size() - 1)}), expected) << size;
  }
}

TEST(Sha256Test, ContextReuseDoesNotLeakState) {
  const std::string first = HashOf("abc");
  (void)HashOf(std::string(100000, 'x'));
  EXPECT_EQ(HashOf("abc"), first);
  EXPECT_NE(HashOf("abd"), first);
}

TEST(Sha256Test, SameResultOnEveryThread) {
  std::vector<uint8_t> data(3 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + (i >> 9));
  const ChunkId expected = Sha256(data);
  std::vector<ChunkId> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 3; ++rep) got[t] = Sha256(data);
    });
  }
  for (auto& th : threads) th.join();
  for (const ChunkId& id : got) EXPECT_EQ(id, expected);
}

// RFC 4231 test case 1: a 20-byte key is zero-padded to the block like a 32-byte one ending in
// zeros, so both name the same HMAC.
TEST(HmacSha256Test, Rfc4231Vector) {
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < 20; ++i) key[i] = 0x0b;
  const std::string data = "Hi There";
  EXPECT_EQ(HmacSha256(key, {reinterpret_cast<const uint8_t*>(data.data()), data.size()}).Hex(),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// Every size around the piece and prefetch boundaries gives OpenSSL's one-shot HMAC; another key
// gives another name; the plain SHA-256 is never the keyed one.
TEST(HmacSha256Test, MatchesOpenSslAtEverySize) {
  std::array<uint8_t, 32> key{}, other{};
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(i * 7 + 1);
    other[i] = static_cast<uint8_t>(i * 7 + 2);
  }
  std::vector<uint8_t> data(9000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + (i >> 7));
  for (size_t n : {0, 1, 63, 64, 65, 1023, 1024, 1025, 4095, 4096, 4097, 8192, 9000}) {
    const std::span<const uint8_t> in(data.data(), n);
    unsigned char want[32];
    unsigned int len = 0;
    ASSERT_NE(HMAC(EVP_sha256(), key.data(), 32, in.data(), in.size(), want, &len), nullptr);
    ASSERT_EQ(len, 32u);
    const ChunkId got = HmacSha256(key, in);
    EXPECT_EQ(0, std::memcmp(got.bytes.data(), want, 32)) << n;
    EXPECT_NE(got, HmacSha256(other, in)) << n;
    EXPECT_NE(got, Sha256(in)) << n;
  }
}

}  // namespace
}  // namespace reel
