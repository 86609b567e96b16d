// The parametric stereo tables as typed from 14496-3 Annex 8.A: every Huffman table is a
// complete prefix code of the right size, the quantisers are symmetric and ordered, and the
// band layout covers the QMF bands in order.
#include "media/aac/ps_tables.h"

#include <gtest/gtest.h>

namespace floe::media::aac {
namespace {

TEST(PsTablesTest, EveryHuffmanTableIsACompletePrefixCode) {
  const int lavs[] = {14, 14, 7, 7};
  for (int t = 0; t < 4; ++t) {
    const PsHuffTable& table = GetPsHuffTable(static_cast<PsHuff>(t));
    EXPECT_EQ(table.lav, lavs[t]);
    ASSERT_EQ(table.codes.size(), static_cast<size_t>(2 * table.lav + 1));
    uint64_t kraft = 0;  // in units of 2^-32; no code is longer than 20 bits
    for (const HuffCode& c : table.codes) {
      ASSERT_GE(c.length, 1);
      ASSERT_LE(c.length, 20);
      ASSERT_LT(c.code, 1u << c.length);
      kraft += uint64_t{1} << (32 - c.length);
    }
    EXPECT_EQ(kraft, uint64_t{1} << 32) << "table " << t;
    for (const HuffCode& a : table.codes) {
      for (const HuffCode& b : table.codes) {
        if (&a == &b || a.length > b.length) continue;
        EXPECT_NE(b.code >> (b.length - a.length), a.code) << "table " << t;
      }
    }
    // A zero delta is the most likely symbol: one bit, code 0.
    EXPECT_EQ(table.codes[table.lav].length, 1);
    EXPECT_EQ(table.codes[table.lav].code, 0u);
  }
}

TEST(PsTablesTest, QuantisersAreOrderedAndIidIsSymmetric) {
  for (size_t i = 0; i < kIidDb.size(); ++i) {
    EXPECT_DOUBLE_EQ(kIidDb[i], -kIidDb[kIidDb.size() - 1 - i]);
    if (i > 0) {
      EXPECT_LT(kIidDb[i - 1], kIidDb[i]);
    }
  }
  EXPECT_EQ(kIidDb[kIidMaxIndex + 3], 7.0);  // the index AAC-NOTES 3 measured as 7.00 dB
  EXPECT_EQ(kIcc.front(), 1.0);
  EXPECT_EQ(kIcc[5], 0.0);
  EXPECT_EQ(kIcc.back(), -1.0);
  for (size_t i = 1; i < kIcc.size(); ++i) EXPECT_GT(kIcc[i - 1], kIcc[i]);
}

TEST(PsTablesTest, StereoBandsCoverTheQmfBandsInOrder) {
  for (int bands : {10, 20}) {
    auto ranges = PsBandQmfRanges(bands);
    ASSERT_EQ(ranges.size(), static_cast<size_t>(bands));
    EXPECT_EQ(ranges.front().begin, 0);
    EXPECT_EQ(ranges.back().end, 64);
    for (size_t b = 1; b < ranges.size(); ++b) {
      EXPECT_LT(ranges[b].begin, ranges[b].end);
      // Either the same QMF band (hybrid-split bands measured whole) or the next one.
      const bool same =
          ranges[b].begin == ranges[b - 1].begin && ranges[b].end == ranges[b - 1].end;
      EXPECT_TRUE(same || ranges[b].begin == ranges[b - 1].end) << bands << " band " << b;
    }
  }
  // 20-band band 2b and 2b + 1 together are 10-band band b, as the decoder maps them.
  auto r10 = PsBandQmfRanges(10), r20 = PsBandQmfRanges(20);
  for (size_t b = 0; b < 10; ++b) {
    EXPECT_EQ(r10[b].begin, r20[2 * b].begin);
    EXPECT_EQ(r10[b].end, r20[2 * b + 1].end);
  }
  EXPECT_TRUE(PsBandQmfRanges(34).empty());
}

}  // namespace
}  // namespace floe::media::aac
