// Object names of the recording and snapshot families: placeholders allowed and required, and
// a relative path that stays under its bucket's directory.
#include "ice/object_name.h"

#include <gtest/gtest.h>

namespace floe::ice {
namespace {

std::string Problem(const std::string& name) {
  return ObjectNameProblem(name, 40, {"{A}", "{B}", "{C}"}, {{"{A}", "{B}"}}).value_or("");
}

TEST(ObjectName, PlaceholdersAllowedAndRequired) {
  EXPECT_EQ(Problem("x/{A}"), "");
  EXPECT_EQ(Problem("x/{B}-{C}"), "");
  EXPECT_EQ(Problem("x/{C}"), "must contain {A} or {B}.");
  EXPECT_EQ(Problem("x/{D}{A}"), "has the placeholder {D}; allowed here: {A} {B} {C}.");
  EXPECT_EQ(Problem("x/{A"), "has a '{' without its '}'.");
  EXPECT_EQ(Problem("x/A}{A}"), "has a '}' without its '{'.");
}

TEST(ObjectName, RenderingReplacesEachKnownPlaceholderEveryTime) {
  EXPECT_EQ(RenderObjectName("a/{JobId}/{Sequence}_{JobId}.m3u8",
                             {{"{JobId}", "j1"}, {"{Sequence}", "7"}}),
            "a/j1/7_j1.m3u8");
  EXPECT_EQ(RenderObjectName("{x}{JobId}{", {{"{JobId}", "j"}}), "{x}j{");  // nothing else touched
  EXPECT_EQ(RenderObjectName("录制/{JobId}", {{"{JobId}", "j"}}), "录制/j");
}

TEST(ObjectName, ARelativePathOfRealSegments) {
  for (const char* bad :
       {"/x/{A}", "", "../{A}", "x/../{A}", "x/./{A}", "x//{A}", "x/{A}/", ".."}) {
    EXPECT_NE(Problem(bad), "") << bad;
  }
  EXPECT_EQ(Problem("x\\{A}"), "contains a control character or a backslash.");
  EXPECT_EQ(Problem(std::string("x\x01{A}")), "contains a control character or a backslash.");
  EXPECT_EQ(Problem("x\xff{A}"), "is not valid UTF-8.");
  EXPECT_EQ(Problem(std::string(38, 'x') + "{A}"), "is 41 bytes; at most 40.");
  EXPECT_EQ(Problem("..x/x..{A}"), "");  // dots inside a segment are just text
}

}  // namespace
}  // namespace floe::ice
