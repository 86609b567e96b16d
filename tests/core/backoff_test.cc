#include "core/backoff.h"

#include <gtest/gtest.h>

namespace floe::core {
namespace {

TEST(Backoff, DoublesUpToTheCapAndStartsAgainAfterReset) {
  Backoff b(250, 4'000);
  for (int want : {250, 500, 1'000, 2'000, 4'000, 4'000}) EXPECT_EQ(b.Next(), want);
  b.Reset();
  EXPECT_EQ(b.Next(), 250);
}

TEST(Backoff, ACapBelowTheMinimumIsTheMinimum) {
  Backoff b(1'000, 10);
  EXPECT_EQ(b.Next(), 1'000);
  EXPECT_EQ(b.Next(), 1'000);
}

}  // namespace
}  // namespace floe::core
