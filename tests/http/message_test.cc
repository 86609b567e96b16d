#include "http/message.h"

#include <gtest/gtest.h>

namespace floe::http {

TEST(Request, SplitsPathAndQuery) {
  Request r;
  r.target = "/?Action=X&Version=2020-11-09";
  EXPECT_EQ(r.Path(), "/");
  EXPECT_EQ(r.RawQuery(), "Action=X&Version=2020-11-09");
  r.target = "/healthz";
  EXPECT_EQ(r.Path(), "/healthz");
  EXPECT_EQ(r.RawQuery(), "");
}

TEST(ParseQuery, DecodesPairsInOrder) {
  std::vector<std::pair<std::string, std::string>> out;
  ASSERT_TRUE(ParseQuery("b=2&a=%7B%22x%22%3A1%7D&empty=&flag&&c=a+b", out));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_EQ(out[1].second, "{\"x\":1}");
  EXPECT_EQ(out[2], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_EQ(out[3], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(out[4].second, "a b");
}

TEST(ParseQuery, RejectsMalformedEscapes) {
  std::vector<std::pair<std::string, std::string>> out;
  EXPECT_FALSE(ParseQuery("a=%G1", out));
}

}  // namespace floe::http
