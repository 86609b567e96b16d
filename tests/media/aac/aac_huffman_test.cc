// The spectral and scalefactor codebooks: entry counts of Annex 4.A, every book a complete prefix
// code, and values written by WriteSpectral read back by an independent decoder in this file.
#include "media/aac/aac_huffman.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

namespace floe::media::aac {
namespace {

constexpr int kLongestCode = 19;

// Kraft sum scaled by 2^19 (== 2^19 for a complete code) and whether no code is a prefix of
// another (and every code fits its length).
void ExpectCompletePrefixCode(std::span<const HuffCode> codes, const std::string& name) {
  uint64_t kraft = 0;
  for (const HuffCode& c : codes) {
    ASSERT_GE(c.length, 1) << name;
    ASSERT_LE(c.length, kLongestCode) << name;
    EXPECT_LT(c.code, 1u << c.length) << name;
    kraft += uint64_t{1} << (kLongestCode - c.length);
  }
  EXPECT_EQ(kraft, uint64_t{1} << kLongestCode) << name << ": Kraft sum is not 1";
  for (size_t i = 0; i < codes.size(); ++i)
    for (size_t j = 0; j < codes.size(); ++j) {
      if (i == j || codes[i].length > codes[j].length) continue;
      EXPECT_NE(codes[j].code >> (codes[j].length - codes[i].length), codes[i].code)
          << name << ": code " << i << " is a prefix of code " << j;
    }
}

// The index of the next code word, read bit by bit; -1 when none matches.
int ReadCode(BitReader& r, std::span<const HuffCode> codes) {
  uint32_t v = 0;
  for (int len = 1; len <= kLongestCode; ++len) {
    v = (v << 1) | r.Get(1);
    for (size_t i = 0; i < codes.size(); ++i)
      if (codes[i].length == len && codes[i].code == v) return static_cast<int>(i);
  }
  return -1;
}

// spectral_data() of one band as the standard reads it: code word, digits, sign bits, escapes.
std::vector<int> ReadSpectral(int book, size_t lines, BitReader& r) {
  const SpectralBook& b = Book(book);
  std::vector<int> out;
  while (out.size() < lines) {
    int index = ReadCode(r, b.codes);
    if (index < 0) return {};
    const int base = b.is_signed ? 2 * b.lav + 1 : b.lav + 1;
    std::vector<int> t(static_cast<size_t>(b.dim));
    for (int i = b.dim - 1; i >= 0; --i, index /= base)
      t[static_cast<size_t>(i)] = index % base - (b.is_signed ? b.lav : 0);
    if (!b.is_signed) {
      for (int& v : t)
        if (v != 0 && r.GetBit()) v = -v;
    }
    if (book == 11) {
      for (int& v : t) {
        if (std::abs(v) != 16) continue;
        int n = 0;
        while (r.GetBit()) ++n;
        const int a = (1 << (n + 4)) + static_cast<int>(r.Get(n + 4));
        v = v < 0 ? -a : a;
      }
    }
    out.insert(out.end(), t.begin(), t.end());
  }
  return out;
}

TEST(AacHuffman, BooksHaveTheEntryCountsAndShapesOfAnnex4A) {
  const int entries[] = {81, 81, 81, 81, 81, 81, 64, 64, 169, 169, 289};
  const int lav[] = {1, 1, 2, 2, 4, 4, 7, 7, 12, 12, 16};
  int total = 0;
  for (int book = 1; book <= 11; ++book) {
    const SpectralBook& b = Book(book);
    EXPECT_EQ(static_cast<int>(b.codes.size()), entries[book - 1]) << "book " << book;
    EXPECT_EQ(b.lav, lav[book - 1]) << "book " << book;
    EXPECT_EQ(b.dim, book <= 4 ? 4 : 2) << "book " << book;
    EXPECT_EQ(b.is_signed, book == 1 || book == 2 || book == 5 || book == 6) << "book " << book;
    total += static_cast<int>(b.codes.size());
  }
  EXPECT_EQ(total, 1241);
  // The scalefactor book: delta 0 is the one-bit code 0, the extremes take 18 and 19 bits.
  EXPECT_EQ(ScalefactorCode(0).length, 1);
  EXPECT_EQ(ScalefactorCode(0).code, 0u);
  EXPECT_EQ(ScalefactorCode(-60).length, 18);
  EXPECT_EQ(ScalefactorCode(60).length, 19);
}

TEST(AacHuffman, EveryBookIsACompletePrefixCode) {
  for (int book = 1; book <= 11; ++book)
    ExpectCompletePrefixCode(Book(book).codes, "book " + std::to_string(book));
  std::vector<HuffCode> sf;
  for (int d = -60; d <= 60; ++d) sf.push_back(ScalefactorCode(d));
  ExpectCompletePrefixCode(sf, "scalefactor book");
}

TEST(AacHuffman, RandomValuesInEveryBookReadBackExactly) {
  std::mt19937 rng(23);
  for (int book = 1; book <= 11; ++book) {
    const SpectralBook& b = Book(book);
    for (int round = 0; round < 40; ++round) {
      std::vector<int> q(32);
      for (int& v : q) {
        // Book 11: a third of the values from the escape range, up to 8191.
        const bool escape = book == 11 && rng() % 3 == 0;
        const int a = escape ? 16 + static_cast<int>(rng() % (8191 - 16 + 1))
                             : static_cast<int>(rng() % static_cast<unsigned>(b.lav + 1));
        v = rng() % 2 ? -a : a;
      }
      if (round == 0) q[1] = book == 11 ? -8191 : b.lav;  // the extremes
      if (round == 0) q[2] = book == 11 ? 16 : -b.lav;
      const int bits = SpectralBits(book, q);
      ASSERT_GT(bits, 0) << "book " << book;
      BitWriter w;
      WriteSpectral(book, q, w);
      EXPECT_EQ(static_cast<int>(w.bits()), bits) << "book " << book;
      BitReader r(w.data(), w.bits());
      EXPECT_EQ(ReadSpectral(book, q.size(), r), q) << "book " << book;
      EXPECT_EQ(r.position(), w.bits()) << "book " << book;
      EXPECT_FALSE(r.overrun());
    }
  }
}

TEST(AacHuffman, ValuesBeyondABooksRangeAreRefused) {
  for (int book = 1; book <= 10; ++book) {
    std::vector<int> q(4, 0);
    q[3] = -(Book(book).lav + 1);
    EXPECT_EQ(SpectralBits(book, q), -1) << "book " << book;
  }
  EXPECT_EQ(SpectralBits(11, std::vector<int>{8191, -8191}),
            21 + 21 + 2 + Book(11).codes[16 * 17 + 16].length);
  EXPECT_EQ(SpectralBits(11, std::vector<int>{0, 8192}), -1);
  EXPECT_EQ(SpectralBits(11, std::vector<int>{-8192, 0}), -1);
}

TEST(AacHuffman, ScalefactorDeltasReadBack) {
  std::vector<HuffCode> sf;
  for (int d = -60; d <= 60; ++d) sf.push_back(ScalefactorCode(d));
  BitWriter w;
  for (int d = -60; d <= 60; ++d) w.Put(ScalefactorCode(d).code, ScalefactorCode(d).length);
  BitReader r(w.data(), w.bits());
  for (int d = -60; d <= 60; ++d) EXPECT_EQ(ReadCode(r, sf) - 60, d);
}

}  // namespace
}  // namespace floe::media::aac
