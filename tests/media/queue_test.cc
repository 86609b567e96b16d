// The bounded queue between pipeline stages: it never holds more than its capacity, a full
// queue blocks Push (and refuses TryPush), and Close wakes every waiter and drains in order.
#include "media/queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace floe::media {
namespace {

using namespace std::chrono_literals;

TEST(BoundedQueueTest, KeepsOrderAndRefusesPastCapacity) {
  BoundedQueue<int> q(2);
  EXPECT_TRUE(q.TryPush(1));
  EXPECT_TRUE(q.Push(2));
  EXPECT_FALSE(q.TryPush(3));  // full: shed, never grown
  EXPECT_EQ(q.Size(), 2u);
  EXPECT_EQ(q.Pop(), 1);
  EXPECT_TRUE(q.TryPush(3));
  EXPECT_EQ(q.Pop(), 2);
  EXPECT_EQ(q.Pop(), 3);
}

TEST(BoundedQueueTest, AFullQueueHoldsThePusherBackUntilThereIsRoom) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.Push(1));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.Push(2);
    pushed = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(pushed.load());  // still waiting for room
  EXPECT_EQ(q.Pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.Pop(), 2);
}

TEST(BoundedQueueTest, CloseWakesABlockedPusherAndPopperAndDrainsWhatIsLeft) {
  BoundedQueue<int> full(1);
  ASSERT_TRUE(full.Push(1));
  std::atomic<int> push_result{-1};
  std::thread producer([&] { push_result = full.Push(2) ? 1 : 0; });
  BoundedQueue<int> empty(1);
  std::atomic<bool> popped_nothing{false};
  std::thread consumer([&] { popped_nothing = !empty.Pop().has_value(); });
  std::this_thread::sleep_for(50ms);
  full.Close();
  empty.Close();
  producer.join();
  consumer.join();
  EXPECT_EQ(push_result.load(), 0);  // refused, not enqueued
  EXPECT_TRUE(popped_nothing.load());
  EXPECT_EQ(full.Pop(), 1);  // what was in before Close is still delivered
  EXPECT_FALSE(full.Pop().has_value());
  EXPECT_FALSE(full.TryPush(3));
}

}  // namespace
}  // namespace floe::media
