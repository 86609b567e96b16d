#include "core/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace floe::core {

TEST(Ids, HaveTheDocumentedShapes) {
  EXPECT_TRUE(std::regex_match(
      NewRequestId(),
      std::regex("[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}")));
  EXPECT_TRUE(IsResourceId(NewResourceId()));
  EXPECT_TRUE(std::regex_match(NewAccountId(), std::regex("[1-9][0-9]{15}")));
  EXPECT_TRUE(std::regex_match(NewAccessKeyId(), std::regex("LTAI[A-Za-z0-9]{20}")));
  EXPECT_TRUE(std::regex_match(NewAccessKeySecret(), std::regex("[A-Za-z0-9]{30}")));
}

TEST(Ids, AreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewResourceId()).second);
}

TEST(Ids, ResourceIdCheck) {
  EXPECT_FALSE(IsResourceId(""));
  EXPECT_FALSE(IsResourceId("0123456789abcdef0123456789abcdeF"));
  EXPECT_FALSE(IsResourceId("0123456789abcdef0123456789abcde"));
  EXPECT_TRUE(IsResourceId("0123456789abcdef0123456789abcdef"));
}

}  // namespace floe::core
