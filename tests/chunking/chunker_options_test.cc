#include <gtest/gtest.h>

#include "chunking/chunker.h"

namespace reel {
namespace {

ChunkerOptions Cdc(uint32_t min, uint32_t avg, uint32_t max) {
  ChunkerOptions o;
  o.kind = ChunkerOptions::Kind::kFastCdc;
  o.min_size = min;
  o.avg_size = avg;
  o.max_size = max;
  return o;
}

ChunkerOptions FixedOpts(uint32_t size) {
  ChunkerOptions o;
  o.kind = ChunkerOptions::Kind::kFixed;
  o.fixed_size = size;
  return o;
}

TEST(ChunkerOptionsTest, DefaultsAreValid) {
  ChunkerOptions o;
  EXPECT_TRUE(ValidateChunkerOptions(o).ok());
  EXPECT_EQ(o.kind, ChunkerOptions::Kind::kFastCdc);
  auto chunker = MakeChunker(o);
  ASSERT_TRUE(chunker.ok()) << chunker.status().ToString();
  EXPECT_EQ((*chunker)->MaxChunk(), o.max_size);
  EXPECT_TRUE(ValidateChunkerOptions(FixedOpts(o.fixed_size)).ok());
}

TEST(ChunkerOptionsTest, AcceptsTheBoundaries) {
  EXPECT_TRUE(ValidateChunkerOptions(Cdc(64, 128, 129)).ok());
  EXPECT_TRUE(ValidateChunkerOptions(Cdc(1 << 20, 32 << 20, 64 << 20)).ok());
  EXPECT_TRUE(ValidateChunkerOptions(FixedOpts(4096)).ok());
  EXPECT_TRUE(ValidateChunkerOptions(FixedOpts(256u << 20)).ok());
}

TEST(ChunkerOptionsTest, RejectsBadFastCdcBounds) {
  const ChunkerOptions bad[] = {
      Cdc(63, 128, 1024),                // min below the 64-byte hash window
      Cdc(0, 128, 1024),                 //
      Cdc(4096, 4096, 65536),            // min == avg
      Cdc(8192, 4096, 65536),            // min > avg
      Cdc(1024, 4096, 4096),             // avg == max
      Cdc(1024, 4096, 2048),             // max < avg
      Cdc(1024, 3000, 65536),            // avg not a power of two
      Cdc(1024, 6144, 65536),            //
      Cdc(1 << 20, 32 << 20, (64 << 20) + 1),  // max above 64 MiB
  };
  for (const ChunkerOptions& o : bad) {
    Status s = ValidateChunkerOptions(o);
    EXPECT_EQ(s.code(), Code::kInvalidArgument)
        << o.min_size << "/" << o.avg_size << "/" << o.max_size;
    EXPECT_FALSE(s.message().empty());
    auto chunker = MakeChunker(o);
    EXPECT_FALSE(chunker.ok());
    EXPECT_EQ(chunker.status().code(), Code::kInvalidArgument);
  }
}

TEST(ChunkerOptionsTest, RejectsBadFixedSize) {
  for (uint32_t size : {0u, 1u, 4095u, (256u << 20) + 1, 0xFFFFFFFFu}) {
    EXPECT_EQ(ValidateChunkerOptions(FixedOpts(size)).code(), Code::kInvalidArgument) << size;
    EXPECT_EQ(MakeChunker(FixedOpts(size)).status().code(), Code::kInvalidArgument) << size;
  }
}

TEST(ChunkerOptionsTest, OnlyTheSelectedKindIsChecked) {
  // A fixed-size configuration does not care about the FastCDC bounds, and vice versa.
  ChunkerOptions fixed = FixedOpts(1 << 20);
  fixed.min_size = 1;
  EXPECT_TRUE(ValidateChunkerOptions(fixed).ok());
  ChunkerOptions cdc = Cdc(4096, 16384, 65536);
  cdc.fixed_size = 1;
  EXPECT_TRUE(ValidateChunkerOptions(cdc).ok());
}

TEST(ChunkerOptionsTest, RejectsUnknownKind) {
  ChunkerOptions o;
  o.kind = static_cast<ChunkerOptions::Kind>(7);
  EXPECT_EQ(ValidateChunkerOptions(o).code(), Code::kInvalidArgument);
}

TEST(ChunkerOptionsTest, MakeChunkerPicksTheKind) {
  auto fixed = MakeChunker(FixedOpts(1 << 20));
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ((*fixed)->MaxChunk(), 1u << 20);
  auto cdc = MakeChunker(Cdc(4096, 16384, 65536));
  ASSERT_TRUE(cdc.ok());
  EXPECT_EQ((*cdc)->MaxChunk(), 65536u);
}

}  // namespace
}  // namespace reel
