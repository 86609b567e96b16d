#include "auth/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "test_util.h"

namespace floe::auth {
namespace {

TEST(SecretBox, SealsAndOpens) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.Seal("my-secret");
  EXPECT_EQ(sealed.rfind("v1:", 0), 0u);
  EXPECT_EQ(sealed.find("my-secret"), std::string::npos);
  EXPECT_EQ(box.Open(sealed), "my-secret");
  EXPECT_NE(box.Seal("my-secret"), sealed);  // fresh IV each time
  EXPECT_EQ(box.Open(box.Seal("")), "");
}

TEST(SecretBox, RefusesAlteredTextOrAnotherKey) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.Seal("my-secret");
  std::string altered = sealed;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(altered).has_value());
  EXPECT_FALSE(SecretBox(std::string(32, 'x')).Open(sealed).has_value());
  EXPECT_FALSE(box.Open("plaintext").has_value());
  EXPECT_FALSE(box.Open("v1:!!!").has_value());
}

TEST(SecretBox, KeyFileIsCreatedOnceWithMode0600) {
  testing::TempDir dir;
  std::string path = dir.File("master.key");
  auto first = SecretBox::LoadOrCreate(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto again = SecretBox::LoadOrCreate(path);
  EXPECT_EQ(again.Open(first.Seal("x")), "x");
}

TEST(SecretBox, RefusesAKeyFileOfTheWrongSize) {
  testing::TempDir dir;
  std::ofstream(dir.File("master.key")) << std::string(40, 'z');
  EXPECT_THROW(SecretBox::LoadOrCreate(dir.File("master.key")), std::runtime_error);
}

}  // namespace
}  // namespace floe::auth
