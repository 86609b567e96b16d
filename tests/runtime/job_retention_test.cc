// Retention of stopped jobs: a sweep deletes those stopped longer than the retention ago.
#include "runtime/job_retention.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/test_jobs.h"
#include "test_util.h"

namespace floe::runtime {
namespace {

constexpr char kTemplate[] = "00000000000000000000000000000360";
constexpr int64_t kHour = 3600 * 1000;

class JobRetentionTest : public ::testing::Test {
 protected:
  JobRetentionTest() : store_(dir_.File("floe.db")) {}

  // A job of account A, stopped at stop_ms (0: running).
  void AddJob(const std::string& id, int64_t stop_ms) {
    store::JobRecord j = testing::TestJob(id, "A", kTemplate);
    j.input_url = "rtmp://127.0.0.1/live/" + id;
    j.output_url = "rtmp://127.0.0.1/live/" + id + "_out";
    ASSERT_EQ(store_.InsertJob(j, {})->outcome, store::JobInsertOutcome::kInserted);
    if (stop_ms == 0) return;
    ASSERT_TRUE(*store_.UpdateJob(
        "A", id,
        [&](const store::JobRecord& cur,
            std::vector<store::JobEvent>& events) -> core::Result<store::JobRecord> {
          auto next = cur;
          next.status = store::JobStatus::kStopped;
          events.push_back({"", stop_ms, "stopped", "stop command"});
          return next;
        }));
  }

  bool Kept(const std::string& id) { return store_.GetJob("A", id)->has_value(); }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  int64_t now_ = 1000 * kHour;
};

TEST_F(JobRetentionTest, ASweepDeletesOnlyJobsStoppedLongerThanTheRetentionAgo) {
  AddJob("expired", now_ - 25 * kHour);
  AddJob("recent", now_ - 23 * kHour);
  AddJob("running", 0);
  JobRetention retention(store_, 24 * kHour, std::chrono::hours(1), [this] { return now_; });
  auto n = retention.SweepOnce();
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(Kept("expired"));
  EXPECT_TRUE(store_.ListJobEvents("expired", 10)->empty());
  EXPECT_TRUE(Kept("recent"));
  EXPECT_TRUE(Kept("running"));
  now_ += 2 * kHour;  // "recent" is now 25 hours stopped
  EXPECT_EQ(*retention.SweepOnce(), 1);
  EXPECT_FALSE(Kept("recent"));
  now_ += 1000 * kHour;
  EXPECT_EQ(*retention.SweepOnce(), 0);
  EXPECT_TRUE(Kept("running"));
}

TEST_F(JobRetentionTest, ASweepGoesOnBatchByBatch) {
  for (int i = 0; i < 7; ++i) AddJob("j" + std::to_string(i), 1);
  JobRetention retention(
      store_, kHour, std::chrono::hours(1), [this] { return now_; }, 3);
  EXPECT_EQ(*retention.SweepOnce(), 7);
  EXPECT_EQ(*retention.SweepOnce(), 0);
}

TEST_F(JobRetentionTest, StartSweepsAtOnceAndStopEndsTheThread) {
  AddJob("expired", 1);
  JobRetention retention(store_, kHour, std::chrono::hours(1), [this] { return now_; });
  retention.Start();
  for (int i = 0; i < 500 && Kept("expired"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  retention.Stop();  // returns at once, though the next sweep is an hour away
  EXPECT_FALSE(Kept("expired"));
}

}  // namespace
}  // namespace floe::runtime
