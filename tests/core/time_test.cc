#include "core/time.h"

#include <gtest/gtest.h>

namespace floe::core {

TEST(Time, FormatsAndParsesUtc) {
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(1456231584), "2016-02-23T12:46:24Z");
  EXPECT_EQ(ParseUtc("2016-02-23T12:46:24Z"), 1456231584);
  EXPECT_EQ(ParseUtc("2024-02-29T00:00:00Z"), 1709164800);
}

TEST(Time, RejectsMalformedTimestamps) {
  for (const char* bad :
       {"", "2016-02-23 12:46:24Z", "2016-02-23T12:46:24", "2016-02-23T12:46:24+08:00",
        "2016-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2016-02-23T24:00:00Z",
        "2016-02-23T12:60:00Z", "20a6-02-23T12:46:24Z", "1456231584"}) {
    EXPECT_FALSE(ParseUtc(bad).has_value()) << bad;
  }
}

}  // namespace floe::core
