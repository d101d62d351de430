#include "chunking/fixed_chunker.h"

#include <vector>

#include <gtest/gtest.h>

#include "chunking/chunker.h"

namespace reel {
namespace {

std::unique_ptr<Chunker> Fixed(uint32_t size) {
  ChunkerOptions o;
  o.kind = ChunkerOptions::Kind::kFixed;
  o.fixed_size = size;
  auto c = MakeChunker(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

TEST(FixedChunkerTest, EveryChunkButTheLastHasFixedSize) {
  auto chunker = Fixed(4096);
  EXPECT_EQ(chunker->MaxChunk(), 4096u);
  std::vector<uint8_t> data(4096 * 5 + 123, 0xAB);
  std::vector<size_t> lengths;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t rest = data.size() - pos;
    const size_t window = std::min<size_t>(rest, chunker->MaxChunk());
    const bool at_end = window == rest;
    const size_t cut = chunker->NextCut({data.data() + pos, window}, at_end);
    ASSERT_GE(cut, 1u);
    lengths.push_back(cut);
    pos += cut;
  }
  EXPECT_EQ(lengths, (std::vector<size_t>{4096, 4096, 4096, 4096, 4096, 123}));
}

TEST(FixedChunkerTest, CutsAtFixedSizeWhenGivenMore) {
  auto chunker = Fixed(8192);
  std::vector<uint8_t> data(100000);
  EXPECT_EQ(chunker->NextCut(data, false), 8192u);
  EXPECT_EQ(chunker->NextCut(data, true), 8192u);
  EXPECT_EQ(chunker->NextCut({data.data(), 8192}, true), 8192u);
  EXPECT_EQ(chunker->NextCut({data.data(), 1}, true), 1u);
}

TEST(FixedChunkerTest, ExactMultipleHasNoShortTail) {
  auto chunker = Fixed(4096);
  std::vector<uint8_t> data(4096 * 3);
  size_t pos = 0;
  int chunks = 0;
  while (pos < data.size()) {
    size_t cut = chunker->NextCut({data.data() + pos, data.size() - pos}, true);
    EXPECT_EQ(cut, 4096u);
    pos += cut;
    ++chunks;
  }
  EXPECT_EQ(chunks, 3);
}

}  // namespace
}  // namespace reel
