#include "auth/nonce_cache.h"

#include <gtest/gtest.h>

namespace floe::auth {

TEST(MemoryNonceCache, RefusesAReplayWithinItsLifetime) {
  MemoryNonceCache cache;
  EXPECT_TRUE(cache.Use("ak", "n1", 1000, 5000));
  EXPECT_FALSE(cache.Use("ak", "n1", 4999, 9000));
  EXPECT_TRUE(cache.Use("other-ak", "n1", 1000, 5000));  // nonces are per AccessKey
  EXPECT_TRUE(cache.Use("ak", "n1", 5000, 9000));        // expired: usable again
}

TEST(MemoryNonceCache, SweepsExpiredEntries) {
  MemoryNonceCache cache;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(cache.Use("ak", std::to_string(i), 0, 1000));
  EXPECT_EQ(cache.Size(), 100u);
  // 1000 new keys touch every shard, each of which then drops its expired entries.
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(cache.Use("ak2", std::to_string(i), 20'000, 30'000));
  EXPECT_EQ(cache.Size(), 1000u);
}

}  // namespace floe::auth
