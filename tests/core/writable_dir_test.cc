#include "core/writable_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace floe::core {
namespace {

TEST(WritableDirTest, CreatesTheDirectoryAndLeavesNoProbeBehind) {
  testing::TempDir dir;
  std::string target = dir.File("a/b/c");
  ASSERT_TRUE(EnsureWritableDir(target).ok());
  EXPECT_TRUE(std::filesystem::is_directory(target));
  EXPECT_TRUE(std::filesystem::is_empty(target));
  std::ofstream(target + "/kept.ts") << "x";  // an existing directory with files is fine
  ASSERT_TRUE(EnsureWritableDir(target).ok());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(target), {}), 1);
}

TEST(WritableDirTest, ADirectoryThatCannotBeMadeOrIsAFileIsRefusedWithTheReason) {
  testing::TempDir dir;
  std::ofstream(dir.File("file")) << "x";
  for (const std::string& bad : {dir.File("file"), dir.File("file/sub")}) {
    auto r = EnsureWritableDir(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "DirectoryNotWritable");
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace floe::core
