// Rate limits across nodes: two nodes of one PostgreSQL store, each with its own limiter; what
// one admits is paid back by the other at their next exchange, once.
#include "auth/rate_share.h"

#include <gtest/gtest.h>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_backends.h"
#include "test_util.h"

namespace floe::auth {
namespace {

TEST(RateShare, AnAccessKeysRateHoldsForTwoNodesTogether) {
  std::string url = store::PgServer::Get().NewDatabase();
  store::postgres::PostgresStore a(url, 2), b(url, 2);
  RateLimiter la(/*rate=*/10, /*burst=*/10), lb(10, 10);
  RateShare sa(a, la, "node-a/1"), sb(b, lb, "node-b/1");
  ASSERT_TRUE(sa.ShareOnce(0));
  ASSERT_TRUE(sb.ShareOnce(0));

  for (int i = 0; i < 10; ++i) ASSERT_TRUE(la.Allow("ak", 1000)) << i;  // the burst, on a
  ASSERT_TRUE(sa.ShareOnce(1000));
  ASSERT_TRUE(sb.ShareOnce(1000));
  EXPECT_FALSE(lb.Allow("ak", 1000));    // b knows the key's burst is spent
  EXPECT_TRUE(lb.Allow("other", 1000));  // other keys are not
  ASSERT_TRUE(sb.ShareOnce(1100));       // nothing new: nothing paid twice
  EXPECT_TRUE(lb.Allow("ak", 1100));     // the one token 100 ms refill at 10/s
  EXPECT_FALSE(lb.Allow("ak", 1100));

  // What b admitted goes to a: its bucket has refilled 2 tokens since 1000, less b's one.
  ASSERT_TRUE(sb.ShareOnce(1200));
  ASSERT_TRUE(sa.ShareOnce(1200));
  EXPECT_TRUE(la.Allow("ak", 1200));
  EXPECT_FALSE(la.Allow("ak", 1200));
}

TEST(RateShare, ANodeThatJoinsLaterStartsFromWhereTheTotalsStand) {
  std::string url = store::PgServer::Get().NewDatabase();
  store::postgres::PostgresStore a(url, 2), b(url, 2);
  RateLimiter la(10, 10), lb(10, 10);
  RateShare sa(a, la, "node-a/1");
  ASSERT_TRUE(sa.ShareOnce(0));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(la.Allow("ak", 1000));
  ASSERT_TRUE(sa.ShareOnce(1000));
  // b starts after that: its first exchange learns the totals and pays back nothing from
  // before it was there.
  RateShare sb(b, lb, "node-b/1");
  ASSERT_TRUE(sb.ShareOnce(5000));
  EXPECT_TRUE(lb.Allow("ak", 5000));
}

TEST(RateShare, ASqliteStoreHasNoOtherNodes) {
  testing::TempDir dir;
  store::sqlite::SqliteStore s(dir.File("floe.db"));
  auto r = s.ShareRateCounts("node-a/1", {{"node-a/1", "ak", 5}}, 60'000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace floe::auth
