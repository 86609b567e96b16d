// The profiles of `floe ice` (cli/ice_profile.h): how the file with the credentials is written.
#include "cli/ice_profile.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "test_util.h"

namespace floe::cli {
namespace {

IceConfig OneProfile() {
  IceConfig c;
  IceProfile p;
  p.access_key_id = "LTAIid";
  p.access_key_secret = "s3cret";
  c.profiles.push_back(p);
  return c;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(IceProfileTest, ASymlinkAtTheTempNameDoesNotRedirectTheCredentials) {
  testing::TempDir dir;
  std::string path = dir.File("config.json"), elsewhere = dir.File("elsewhere");
  { std::ofstream(elsewhere) << "theirs"; }
  ASSERT_EQ(::symlink(elsewhere.c_str(), (path + ".tmp").c_str()), 0);
  ASSERT_TRUE(SaveIceConfig(path, OneProfile()));
  EXPECT_EQ(Read(elsewhere), "theirs");
  EXPECT_NE(Read(path).find("s3cret"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(IceProfileTest, AnOldTempFileDoesNotLendItsMode) {
  testing::TempDir dir;
  std::string path = dir.File("config.json");
  { std::ofstream(path + ".tmp") << "old"; }
  ASSERT_EQ(::chmod((path + ".tmp").c_str(), 0644), 0);
  ASSERT_TRUE(SaveIceConfig(path, OneProfile()));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadIceConfig(path);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->profiles.size(), 1u);
  EXPECT_EQ(loaded->profiles[0].access_key_secret, "s3cret");
}

}  // namespace
}  // namespace floe::cli
