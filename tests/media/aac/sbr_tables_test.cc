// The SBR Huffman and start-frequency tables against the properties the standard gives them.
#include "media/aac/sbr_tables.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace floe::media::aac {
namespace {

TEST(SbrTablesTest, EveryHuffmanTableIsCompleteAndPrefixFree) {
  const int lavs[kSbrHuffTableCount] = {60, 60, 24, 24, 31, 31, 12, 12, 31, 12};
  for (int t = 0; t < kSbrHuffTableCount; ++t) {
    SCOPED_TRACE(t);
    const SbrHuffTable& table = GetSbrHuffTable(static_cast<SbrHuff>(t));
    EXPECT_EQ(table.lav, lavs[t]);
    ASSERT_EQ(table.codes.size(), static_cast<size_t>(2 * table.lav + 1));
    // Kraft sum exactly 1, in units of 2^-32 (no code is longer than 20 bits).
    uint64_t kraft = 0;
    for (const HuffCode& c : table.codes) {
      ASSERT_GE(c.length, 1);
      ASSERT_LE(c.length, 20);
      ASSERT_LT(c.code, 1u << c.length);
      kraft += uint64_t{1} << (32 - c.length);
    }
    EXPECT_EQ(kraft, uint64_t{1} << 32);
    for (const HuffCode& a : table.codes) {
      for (const HuffCode& b : table.codes) {
        if (&a == &b || a.length > b.length) continue;
        EXPECT_NE(b.code >> (b.length - a.length), a.code) << "a code is a prefix of another";
      }
    }
  }
}

TEST(SbrTablesTest, ZeroDeltaCostsWhatTheNotesMeasured) {
  auto zero = [](SbrHuff t) {
    const SbrHuffTable& table = GetSbrHuffTable(t);
    return table.codes[table.lav];
  };
  EXPECT_EQ(zero(SbrHuff::kEnv15F).length, 2);
  EXPECT_EQ(zero(SbrHuff::kEnv15F).code, 0u);
  EXPECT_EQ(zero(SbrHuff::kEnv30F).length, 1);
  EXPECT_EQ(zero(SbrHuff::kEnv30T).length, 1);
  EXPECT_EQ(zero(SbrHuff::kNoise30T).length, 1);
  EXPECT_EQ(zero(SbrHuff::kEnvBal15T).length, 1);
  EXPECT_EQ(zero(SbrHuff::kNoiseBal30T).length, 1);
  // The extremes of the 1.5 dB frequency table are its longest codes (20 bits, all ones last).
  const SbrHuffTable& f15 = GetSbrHuffTable(SbrHuff::kEnv15F);
  EXPECT_EQ(f15.codes[120].length, 20);
  EXPECT_EQ(f15.codes[120].code, 0xfffffu);
  EXPECT_EQ(f15.codes[59].length, 2);  // -1
  EXPECT_EQ(f15.codes[61].length, 3);  // +1
}

TEST(SbrTablesTest, RateClassesGiveStartAndStopMinimums) {
  auto r48 = GetSbrRateClass(48000);
  ASSERT_TRUE(r48.has_value());
  EXPECT_EQ(r48->start_min, 11);
  EXPECT_EQ(r48->stop_min, 21);
  EXPECT_EQ(r48->max_k2_minus_k0, 32);
  EXPECT_EQ(r48->start_offsets[12], 11);
  auto r44 = GetSbrRateClass(44100);
  ASSERT_TRUE(r44.has_value());
  EXPECT_EQ(r44->start_min, 12);
  EXPECT_EQ(r44->max_k2_minus_k0, 35);
  auto r24 = GetSbrRateClass(24000);
  ASSERT_TRUE(r24.has_value());
  EXPECT_EQ(r24->start_min, 16);
  EXPECT_EQ(r24->max_k2_minus_k0, 48);
  EXPECT_EQ(r24->start_offsets[15], 16);
  EXPECT_EQ(GetSbrRateClass(96000)->start_offsets[0], -2);
  EXPECT_FALSE(GetSbrRateClass(8000).has_value());
  EXPECT_FALSE(GetSbrRateClass(47999).has_value());
}

}  // namespace
}  // namespace floe::media::aac
