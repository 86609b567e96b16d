#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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

TEST(RateLimiter, HandsOutWhatItAdmittedOnceAndPaysBackWhatOthersUsed) {
  RateLimiter limiter(/*rate=*/10, /*burst=*/5);
  limiter.ShareCounts();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("ak", 1000));
  EXPECT_TRUE(limiter.Allow("bk", 1000));
  auto taken = limiter.TakeUnshared();
  std::sort(taken.begin(), taken.end());
  EXPECT_EQ(taken, (std::vector<std::pair<std::string, int64_t>>{{"ak", 3}, {"bk", 1}}));
  EXPECT_TRUE(limiter.TakeUnshared().empty());  // handed out once
  // Other nodes used 12 of ak's tokens: its bucket (2 left) goes to -5 at most, and refills
  // from there at 10/s: the next token is 600 ms away.
  limiter.Drain("ak", 12, 1000);
  EXPECT_FALSE(limiter.Allow("ak", 1000));
  EXPECT_FALSE(limiter.Allow("ak", 1500));
  EXPECT_TRUE(limiter.Allow("ak", 1600));
  EXPECT_TRUE(limiter.Allow("bk", 1000));  // other keys keep their own
}

TEST(RateLimiter, ABucketWithTokensNotYetHandedOutIsNotSweptAway) {
  RateLimiter limiter(/*rate=*/1000, /*burst=*/1);
  limiter.ShareCounts();
  EXPECT_TRUE(limiter.Allow("ak", 0));
  // Thousands of keys later, with ak's bucket full again, a sweep drops full buckets.
  for (int i = 0; i < 5000; ++i) limiter.Check("k" + std::to_string(i), 10'000);
  auto taken = limiter.TakeUnshared();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0], (std::pair<std::string, int64_t>{"ak", 1}));
}

TEST(RateLimiter, WithoutSharingNothingIsCountedAndFullBucketsStillGo) {
  RateLimiter limiter(/*rate=*/1000, /*burst=*/1);  // one node, or the per-address limiter
  EXPECT_TRUE(limiter.Allow("ak", 0));
  for (int i = 0; i < 5000; ++i) limiter.Check("k" + std::to_string(i), 10'000);
  EXPECT_TRUE(limiter.TakeUnshared().empty());
}

}  // namespace
}  // namespace floe::auth
