// ChunkCipher: keyed names and AES-256-GCM sealing of an encrypted workspace's chunks.
#include "chunking/chunk_cipher.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/status_assert.h"

namespace reel::testing {
namespace {

std::vector<uint8_t> Key(uint8_t seed) {
  std::vector<uint8_t> k(kWorkspaceKeyBytes);
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed + i * 13);
  return k;
}

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::shared_ptr<const ChunkCipher> CipherOf(uint8_t seed) {
  auto c = ChunkCipher::FromWorkspaceKey(Key(seed));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : nullptr;
}

// `plain` sealed as `id`, after a prefix that must stay as it is (a pack's earlier members).
std::vector<uint8_t> Sealed(const ChunkCipher& c, const ChunkId& id,
                            const std::vector<uint8_t>& plain, const std::string& before = "") {
  std::vector<uint8_t> buf = Bytes(before);
  buf.insert(buf.end(), plain.begin(), plain.end());
  EXPECT_OK(c.SealTail(id, plain.size(), &buf));
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + before.size()), before);
  return {buf.begin() + before.size(), buf.end()};
}

TEST(ChunkCipherTest, NamesAreKeyedDeterministicAndNotTheSha256) {
  auto a = CipherOf(1), a2 = CipherOf(1), b = CipherOf(2);
  const std::vector<uint8_t> frame = Bytes("frame 1001 of shot 42");
  EXPECT_TRUE(a->names().keyed());
  EXPECT_FALSE(ChunkNames().keyed());
  EXPECT_EQ(a->names().Of(frame), a2->names().Of(frame)) << "dedup inside a workspace";
  EXPECT_NE(a->names().Of(frame), b->names().Of(frame)) << "another workspace, another name";
  EXPECT_NE(a->names().Of(frame), Sha256(frame));
  EXPECT_EQ(ChunkNames().Of(frame), Sha256(frame));
}

TEST(ChunkCipherTest, SealedBytesOpenToThePlaintextAndHideIt) {
  auto c = CipherOf(1);
  for (size_t n : {0, 1, 15, 16, 17, 4096, 1 << 20}) {
    std::vector<uint8_t> plain(n);
    for (size_t i = 0; i < n; ++i) plain[i] = static_cast<uint8_t>('A' + i % 7);
    const ChunkId id = c->names().Of(plain);
    std::vector<uint8_t> sealed = Sealed(*c, id, plain, "earlier member");
    ASSERT_EQ(sealed.size(), n + kSealOverhead);
    if (n >= 16) {
      EXPECT_EQ(std::search(sealed.begin(), sealed.end(), plain.begin(), plain.begin() + 16),
                sealed.end())
          << "no plaintext run survives sealing (" << n << " bytes)";
    }
    EXPECT_EQ(Sealed(*c, id, plain), sealed) << "equal content seals to equal bytes";
    ASSERT_OK_AND_ASSIGN(size_t opened, c->Open(id, sealed));
    ASSERT_EQ(opened, n);
    EXPECT_TRUE(std::equal(plain.begin(), plain.end(), sealed.begin()));
  }
}

TEST(ChunkCipherTest, OpeningRefusesWhatWasNotSealedAsThisChunkWithThisKey) {
  auto c = CipherOf(1), other = CipherOf(2);
  const std::vector<uint8_t> plain = Bytes("the director's cut, reel 3");
  const ChunkId id = c->names().Of(plain);
  const std::vector<uint8_t> sealed = Sealed(*c, id, plain);

  std::vector<uint8_t> flipped = sealed;
  flipped[3] ^= 0x01;
  EXPECT_CODE(c->Open(id, flipped), Code::kCorruption);
  EXPECT_NE(std::string(flipped.begin(), flipped.begin() + 8), "the dire") << "wiped, not left";

  std::vector<uint8_t> tag = sealed;
  tag.back() ^= 0x80;
  EXPECT_CODE(c->Open(id, tag), Code::kCorruption);

  std::vector<uint8_t> truncated(sealed.begin(), sealed.end() - 1);
  EXPECT_CODE(c->Open(id, truncated), Code::kCorruption);
  std::vector<uint8_t> tiny(sealed.begin(), sealed.begin() + 5);
  EXPECT_CODE(c->Open(id, tiny), Code::kCorruption);

  std::vector<uint8_t> as_other_chunk = sealed;
  EXPECT_CODE(c->Open(c->names().Of(Bytes("another chunk")), as_other_chunk), Code::kCorruption);

  std::vector<uint8_t> other_key = sealed;
  EXPECT_CODE(other->Open(id, other_key), Code::kCorruption);
}

TEST(ChunkCipherTest, AWorkspaceKeyHasThirtyTwoBytes) {
  EXPECT_CODE(ChunkCipher::FromWorkspaceKey(std::vector<uint8_t>(31)), Code::kInvalidArgument);
  EXPECT_CODE(ChunkCipher::FromWorkspaceKey(std::vector<uint8_t>(33)), Code::kInvalidArgument);
  EXPECT_CODE(ChunkCipher::FromWorkspaceKey({}), Code::kInvalidArgument);
}

}  // namespace
}  // namespace reel::testing
