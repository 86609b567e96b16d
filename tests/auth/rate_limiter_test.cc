#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

namespace floe::auth {
namespace {

TEST(RateLimiter, BurstThenRefill) {
  RateLimiter limiter(/*rate=*/10, /*burst=*/5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow("ak", 1000)) << i;
  EXPECT_FALSE(limiter.Allow("ak", 1000));
  EXPECT_TRUE(limiter.Allow("other", 1000));  // buckets are per AccessKey
  EXPECT_FALSE(limiter.Allow("ak", 1050));    // half a token
  EXPECT_TRUE(limiter.Allow("ak", 1100));     // one token after 100 ms at 10/s
  EXPECT_FALSE(limiter.Allow("ak", 1100));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow("ak", 100'000)) << i;  // capped at burst
  EXPECT_FALSE(limiter.Allow("ak", 100'000));
}

TEST(RateLimiter, ZeroRateDisablesLimiting) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.Allow("ak", 0));
}

}  // namespace
}  // namespace floe::auth
