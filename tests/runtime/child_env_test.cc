// The environment of a run-job child (runtime/child_env.h): what it keeps of the server's.
#include "runtime/child_env.h"

#include <gtest/gtest.h>

namespace floe::runtime {
namespace {

TEST(ChildEnvTest, KeepsPathLocaleAndTimeZoneOnly) {
  const char* parent[] = {"PATH=/usr/bin:/bin",
                          "PGPASSWORD=s3cret",
                          "LANG=C.UTF-8",
                          "LC_ALL=C",
                          "TZ=UTC",
                          "HOME=/root",
                          "ALIBABA_CLOUD_ACCESS_KEY_SECRET=k",
                          "http_proxy=http://u:p@proxy:3128",
                          "ASAN_OPTIONS=detect_leaks=1",
                          nullptr};
  EXPECT_EQ(ChildEnvironment(parent),
            (std::vector<std::string>{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C", "TZ=UTC",
                                      "ASAN_OPTIONS=detect_leaks=1"}));
}

TEST(ChildEnvTest, APathIsGivenWhenTheServerHasNone) {
  const char* parent[] = {"PGPASSWORD=s3cret", nullptr};
  EXPECT_EQ(ChildEnvironment(parent),
            (std::vector<std::string>{"PATH=/usr/local/bin:/usr/bin:/bin"}));
}

}  // namespace
}  // namespace floe::runtime
