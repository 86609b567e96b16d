// The per-node identity cache (auth/identity_cache.h) over a real PostgreSQL shared by two
// nodes: what it read stays cached until a node changes it, and then every node forgets it
// within the listener's round; on SQLite (one node) it caches nothing.
#include "auth/identity_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_backends.h"

namespace floe::auth {
namespace {

using store::postgres::Conn;
using store::postgres::PostgresStore;

// Waits (at most 5 s) until `done`; how long it took.
template <class Done>
std::chrono::milliseconds WaitFor(Done done) {
  auto t0 = std::chrono::steady_clock::now();
  while (!done() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0);
}

TEST(IdentityCache, AKeyDisabledOnOneNodeIsSeenDisabledOnAnotherWithinASecond) {
  std::string url = store::PgServer::Get().NewDatabase();
  PostgresStore a(url, 2), b(url, 2);
  ASSERT_TRUE(a.CreateAccount({"1000000000000001", "acme", true, 0},
                              store::AccessKey{"LTAIkey1", "s", "1000000000000001", "", true, 0})
                  .ok());
  IdentityCache cache(b);
  WaitFor([&] { return cache.caching(); });
  ASSERT_TRUE(cache.caching()) << "b's listener never came up";
  ASSERT_TRUE((*cache.GetAccessKey("LTAIkey1"))->active);
  // Cached: a change that nobody announces (written behind the store's back) is not seen.
  Conn(url).Exec("UPDATE access_keys SET user_name = 'behind' WHERE access_key_id = 'LTAIkey1'");
  EXPECT_EQ((*cache.GetAccessKey("LTAIkey1"))->user_name, "") << "not cached";
  EXPECT_GE(cache.size(), 1u);
  // Node a disables it: node b's cache forgets, and reads it disabled, within a second.
  ASSERT_TRUE(*a.SetAccessKeyActive("LTAIkey1", false));
  auto took = WaitFor([&] { return !(*cache.GetAccessKey("LTAIkey1"))->active; });
  EXPECT_FALSE((*cache.GetAccessKey("LTAIkey1"))->active);
  EXPECT_LT(took.count(), 1000);
  // A policy attached on a and the account's ICE switch: the same.
  ASSERT_TRUE(cache.ListPolicies("1000000000000001", "dev")->empty());
  ASSERT_TRUE(a.CreateRamUser({"1000000000000001", "dev", 0}).ok());
  ASSERT_TRUE(a.AttachPolicy("1000000000000001", "dev", "{}").ok());
  WaitFor([&] { return cache.ListPolicies("1000000000000001", "dev")->size() == 1; });
  EXPECT_EQ(cache.ListPolicies("1000000000000001", "dev")->size(), 1u);
  ASSERT_TRUE((*cache.GetAccount("1000000000000001"))->ice_enabled);
  ASSERT_TRUE(*a.SetIceEnabled("1000000000000001", false));
  WaitFor([&] { return !(*cache.GetAccount("1000000000000001"))->ice_enabled; });
  EXPECT_FALSE((*cache.GetAccount("1000000000000001"))->ice_enabled);
}

// When its listener's connection breaks the cache forgets all and reads through until the
// listener is back (a change it could not hear of is never served from memory).
TEST(IdentityCache, ALostListenerCachesNothingUntilItListensAgain) {
  std::string url = store::PgServer::Get().NewDatabase();
  PostgresStore b(url, 2);
  IdentityCache cache(b);
  WaitFor([&] { return cache.caching(); });
  ASSERT_TRUE(cache.caching());
  store::PgServer::Get().TerminateSessions(url);
  WaitFor([&] { return !cache.caching(); });
  // It may already be back: then it said so after forgetting everything.
  EXPECT_EQ(cache.size(), 0u);
  WaitFor([&] { return cache.caching(); });
  EXPECT_TRUE(cache.caching());
}

TEST(IdentityCache, OnSqliteEveryReadGoesToTheStore) {
  testing::TempDir dir;
  store::sqlite::SqliteStore s(dir.File("floe.db"));
  ASSERT_TRUE(s.CreateAccount({"1000000000000001", "acme", true, 0},
                              store::AccessKey{"LTAIkey1", "s", "1000000000000001", "", true, 0})
                  .ok());
  IdentityCache cache(s);
  EXPECT_FALSE(cache.caching());
  ASSERT_TRUE((*cache.GetAccessKey("LTAIkey1"))->active);
  ASSERT_TRUE(*s.SetAccessKeyActive("LTAIkey1", false));
  EXPECT_FALSE((*cache.GetAccessKey("LTAIkey1"))->active);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace floe::auth
