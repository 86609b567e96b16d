// Buckets' names and their files' signed links, on a real store.
#include "ice/buckets.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

TEST(BucketNameTest, OssRules) {
  for (const std::string& ok :
       {std::string("abc"), std::string("rec-1"), std::string("a0-b1-c2"), std::string(63, 'a')}) {
    EXPECT_FALSE(BucketNameProblem(ok).has_value()) << ok;
  }
  for (const std::string& bad : {std::string("ab"), std::string(64, 'a'), std::string("Rec"),
                                 std::string("-rec"), std::string("rec-"), std::string("rec_1"),
                                 std::string("rec.1"), std::string("re c"), std::string("../x")}) {
    EXPECT_TRUE(BucketNameProblem(bad).has_value()) << bad;
  }
}

class BucketLinksTest : public ::testing::Test {
 protected:
  BucketLinksTest() : store_(dir_.File("floe.db")) {
    EXPECT_TRUE(*store_.AddBucket({"rec-1", "A", "", "/srv/rec-1", 1}));
  }
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  int64_t now_ms_ = 1'800'000'000'000;
  BucketLinks links_{"secret", store_, [this] { return now_ms_; }};
};

TEST_F(BucketLinksTest, ALinkReadsItsObjectInTheBucketsDirectory) {
  std::string path = links_.Issue("rec-1", "record/a b/录制.m3u8", 600);
  EXPECT_EQ(path.rfind("/files/rec-1/1800000600/", 0), 0u) << path;
  EXPECT_NE(path.find("/record/a%20b/%E5%BD%95%E5%88%B6.m3u8"), std::string::npos) << path;
  auto target = links_.Resolve(path);
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_EQ(target->dir, "/srv/rec-1");
  EXPECT_EQ(target->object, "record/a b/录制.m3u8");
}

TEST_F(BucketLinksTest, ExpiredForgedOrOrphanedLinksAre403) {
  std::string path = links_.Issue("rec-1", "record/x.ts", 60);
  auto refused = [&](const std::string& p) {
    auto r = links_.Resolve(p);
    return !r.ok() && r.error().http_status == 403;
  };
  EXPECT_FALSE(refused(path));
  std::string other = path;
  other.replace(other.rfind("x.ts"), 4, "y.ts");  // another object
  EXPECT_TRUE(refused(other));
  std::string dots = path.substr(0, path.rfind("record/")) + "record/%2E%2E/%2E%2E/floe.db";
  EXPECT_TRUE(refused(dots));
  EXPECT_TRUE(refused(path.substr(0, path.rfind("/record/"))));  // no object
  EXPECT_TRUE(refused("/files/rec-1"));
  EXPECT_TRUE(refused("/files/rec-1/1800000060/zz/record/x.ts"));
  EXPECT_TRUE(
      BucketLinks("other", store_, [this] { return now_ms_; }).Resolve(path).error().http_status ==
      403);
  now_ms_ += 61'000;
  EXPECT_TRUE(refused(path));
  now_ms_ -= 61'000;
  ASSERT_TRUE(*store_.DeleteBucket("rec-1"));  // the bucket went: its links with it
  EXPECT_TRUE(refused(path));
}

}  // namespace
}  // namespace floe::ice
