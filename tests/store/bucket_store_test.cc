// The Store contract for buckets, against SQLite and PostgreSQL: one name in the whole store,
// listed by account, deleted once, every field kept as given.
#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace floe::store {
namespace {

class BucketStoreTest : public StoreTest {};

TEST_P(BucketStoreTest, ANameIsTakenOnceAcrossAccountsAndEveryFieldIsKept) {
  Store& store = *store_;
  Bucket a{"rec-a", "A", "oss-cn-shanghai.aliyuncs.com", "/srv/buckets/rec-a", 5};
  ASSERT_TRUE(*store.AddBucket(a));
  EXPECT_FALSE(*store.AddBucket({"rec-a", "B", "", "/srv/other", 6}));  // another account too
  ASSERT_TRUE(*store.AddBucket({"rec-b", "B", "", "/srv/buckets/rec-b 'quoted'", 7}));
  auto got = store.GetBucket("rec-a");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->account_id, "A");
  EXPECT_EQ((*got)->endpoint, "oss-cn-shanghai.aliyuncs.com");
  EXPECT_EQ((*got)->dir, "/srv/buckets/rec-a");
  EXPECT_EQ((*got)->create_time_ms, 5);
  EXPECT_EQ((**store.GetBucket("rec-b")).dir, "/srv/buckets/rec-b 'quoted'");
  EXPECT_FALSE(store.GetBucket("rec-c")->has_value());
}

TEST_P(BucketStoreTest, ListsByNameForOneAccountOrAllAndDeletesOnce) {
  Store& store = *store_;
  ASSERT_TRUE(*store.AddBucket({"zeta", "A", "", "/z", 1}));
  ASSERT_TRUE(*store.AddBucket({"alpha", "A", "", "/a", 2}));
  ASSERT_TRUE(*store.AddBucket({"beta", "B", "", "/b", 3}));
  auto mine = *store.ListBuckets(std::string("A"));
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].name, "alpha");
  EXPECT_EQ(mine[1].name, "zeta");
  EXPECT_EQ(store.ListBuckets(std::nullopt)->size(), 3u);
  EXPECT_TRUE(store.ListBuckets(std::string("C"))->empty());
  EXPECT_TRUE(*store.DeleteBucket("alpha"));
  EXPECT_FALSE(*store.DeleteBucket("alpha"));
  EXPECT_FALSE(store.GetBucket("alpha")->has_value());
  EXPECT_EQ(store.ListBuckets(std::string("A"))->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, BucketStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::store
