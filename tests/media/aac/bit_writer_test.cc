// The MSB-first bit writer and reader every AAC element is written with.
#include "media/aac/bit_writer.h"

#include <gtest/gtest.h>

namespace floe::media::aac {
namespace {

TEST(BitWriterTest, FieldsAreWrittenMostSignificantBitFirstAcrossBytes) {
  BitWriter w;
  w.Put(0b101, 3);
  w.Put(0x1F, 5);
  w.Put(0xABC, 12);
  EXPECT_EQ(w.bits(), 20u);
  ASSERT_EQ(w.data().size(), 3u);
  EXPECT_EQ(w.data()[0], 0b10111111);
  EXPECT_EQ(w.data()[1], 0xAB);
  EXPECT_EQ(w.data()[2], 0xC0);  // the unused low bits are zero
  w.AlignZero();
  EXPECT_EQ(w.bits(), 24u);
  w.AlignZero();  // already aligned: nothing
  EXPECT_EQ(w.bits(), 24u);
  w.Put(0xDEADBEEF, 32);
  EXPECT_EQ(w.data()[3], 0xDE);
  EXPECT_EQ(w.data()[6], 0xEF);
}

TEST(BitWriterTest, AppendIsBitExactAlignedOrNot) {
  BitWriter tail;
  tail.Put(0b1101, 4);
  tail.Put(0x3FF, 10);
  for (int lead = 0; lead < 9; ++lead) {
    BitWriter w;
    w.Put(0, lead);
    w.Append(tail);
    ASSERT_EQ(w.bits(), static_cast<size_t>(lead) + 14);
    BitReader r(w.data(), w.bits());
    EXPECT_EQ(r.Get(lead), 0u);
    EXPECT_EQ(r.Get(4), 0b1101u);
    EXPECT_EQ(r.Get(10), 0x3FFu);
    EXPECT_EQ(r.left(), 0u);
    EXPECT_FALSE(r.overrun());
  }
}

TEST(BitReaderTest, ReadsPastTheEndAreZerosAndMarked) {
  const uint8_t bytes[] = {0xF0};
  BitReader r(bytes, 6);
  EXPECT_EQ(r.Get(4), 0xFu);
  EXPECT_EQ(r.Get(4), 0u);  // two real zero bits, two past the end
  EXPECT_TRUE(r.overrun());
  BitReader s(bytes);
  s.Skip(9);
  EXPECT_TRUE(s.overrun());
  EXPECT_EQ(s.left(), 0u);
}

}  // namespace
}  // namespace floe::media::aac
