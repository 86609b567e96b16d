// Timed jobs on a real store: started at StartTime and stopped at EndTime, the store written
// first with its event; a job stopped meanwhile stays stopped; the loop's next wake-up.
#include "runtime/timed_jobs.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/sqlite/sqlite_store.h"
#include "store/test_jobs.h"
#include "test_util.h"

namespace floe::runtime {
namespace {

constexpr char kAccount[] = "1000000000000001";

store::JobRecord Timed(const std::string& id, int64_t start_ms, int64_t end_ms) {
  store::JobRecord j = testing::TestJob(id, kAccount);
  j.start_mode = store::StartMode::kTimed;
  j.status = store::JobStatus::kNotStarted;
  j.start_time_ms = start_ms;
  j.end_time_ms = end_ms;
  return j;
}

class TimedJobsTest : public ::testing::Test {
 protected:
  TimedJobsTest() : store_(dir_.File("floe.db")) {}
  store::JobStatus Stored(const std::string& id) { return (*store_.GetJob(kAccount, id))->status; }
  std::vector<std::string> Events(const std::string& id) {
    std::vector<std::string> out;
    auto events = store_.ListJobEvents(id, 10);
    for (const auto& e : *events) out.push_back(e.event + ":" + e.detail);
    return out;
  }
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
};

TEST_F(TimedJobsTest, AJobStartsAtItsStartTimeAndStopsAtItsEndTimeStoreFirst) {
  ASSERT_EQ(store_.InsertJob(Timed("t1", 1000, 5000), {})->outcome,
            store::JobInsertOutcome::kInserted);
  std::vector<store::JobRecord> jobs = {*(*store_.GetJob(kAccount, "t1"))};
  EXPECT_FALSE(AdvanceTimedJobs(store_, jobs, 999));
  EXPECT_EQ(Stored("t1"), store::JobStatus::kNotStarted);
  EXPECT_TRUE(AdvanceTimedJobs(store_, jobs, 1000));
  EXPECT_EQ(jobs[0].status, store::JobStatus::kRunning);
  EXPECT_EQ(Stored("t1"), store::JobStatus::kRunning);
  EXPECT_FALSE(AdvanceTimedJobs(store_, jobs, 4999));
  EXPECT_TRUE(AdvanceTimedJobs(store_, jobs, 5000));
  EXPECT_EQ(Stored("t1"), store::JobStatus::kStopped);
  auto events = Events("t1");
  EXPECT_NE(std::find(events.begin(), events.end(), "scheduled_start:StartTime reached"),
            events.end());
  EXPECT_NE(std::find(events.begin(), events.end(), "stopped:EndTime reached"), events.end());
}

TEST_F(TimedJobsTest, AJobStoppedMeanwhileStaysStopped) {
  ASSERT_EQ(store_.InsertJob(Timed("t2", 1000, 0), {})->outcome,
            store::JobInsertOutcome::kInserted);
  std::vector<store::JobRecord> jobs = {*(*store_.GetJob(kAccount, "t2"))};
  // Stopped through the API (on any node) after the loop read the job.
  ASSERT_TRUE(*store_.UpdateJob(kAccount, "t2",
                                [](const store::JobRecord& cur, std::vector<store::JobEvent>&) {
                                  store::JobRecord next = cur;
                                  next.status = store::JobStatus::kStopped;
                                  return core::Result<store::JobRecord>(next);
                                }));
  EXPECT_TRUE(AdvanceTimedJobs(store_, jobs, 2000));  // its record learns the truth
  EXPECT_EQ(jobs[0].status, store::JobStatus::kStopped);
  EXPECT_EQ(Stored("t2"), store::JobStatus::kStopped);
}

TEST(TimedJobs, TheNextWakeUpIsTheEarliestStartOrEndStillAhead) {
  auto a = Timed("a", 3000, 9000);
  auto b = Timed("b", 500, 7000);
  b.status = store::JobStatus::kRunning;  // started: only its end is ahead
  auto c = Timed("c", 0, 0);
  c.start_mode = store::StartMode::kNow;
  c.status = store::JobStatus::kRunning;
  EXPECT_EQ(NextTimedMs({a, b, c}, 1000), 3000);
  EXPECT_EQ(NextTimedMs({a, b, c}, 3000), 7000);
  EXPECT_EQ(NextTimedMs({a, b, c}, 8000), 9000);
  EXPECT_EQ(NextTimedMs({a, b, c}, 9000), 0);
  EXPECT_EQ(NextTimedMs({c}, 0), 0);
}

}  // namespace
}  // namespace floe::runtime
