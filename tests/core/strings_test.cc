#include "core/strings.h"

#include <gtest/gtest.h>

namespace floe::core {

TEST(PercentEncode, KeepsUnreservedAndEncodesTheRestUpperCase) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("a b*c!'()"), "a%20b%2Ac%21%27%28%29");
  EXPECT_EQ(PercentEncode("/=&:"), "%2F%3D%26%3A");
  EXPECT_EQ(PercentEncode("\xe6\xa8\xa1"), "%E6%A8%A1");
}

TEST(PercentDecode, DecodesEscapesAndPlus) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a%20b+c%2a", out));
  EXPECT_EQ(out, "a b c*");
  ASSERT_TRUE(PercentDecode("a+b", out, /*plus_is_space=*/false));
  EXPECT_EQ(out, "a+b");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  std::string out;
  EXPECT_FALSE(PercentDecode("%", out));
  EXPECT_FALSE(PercentDecode("%2", out));
  EXPECT_FALSE(PercentDecode("%zz", out));
  EXPECT_FALSE(PercentDecode("abc%4", out));
}

TEST(ParsePlainInt, AcceptsOnlyDigits) {
  EXPECT_EQ(ParsePlainInt("0"), 0);
  EXPECT_EQ(ParsePlainInt("720"), 720);
  for (const char* bad : {"", "72O", "1e3", " 720", "720 ", "7.5", "-1", "+1", "0x10"}) {
    EXPECT_FALSE(ParsePlainInt(bad).has_value()) << bad;
  }
}

TEST(ParsePlainInt, SaturatesInsteadOfOverflowing) {
  auto v = ParsePlainInt("99999999999999999999999999");
  ASSERT_TRUE(v.has_value());
  EXPECT_GT(*v, 6000);
  EXPECT_GT(*v, 0);
}

}  // namespace floe::core
