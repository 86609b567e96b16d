// A node's leases on a real store (SQLite, its lease clock injected): claims within the
// node's capacity, the room of a stopped job freed at once, a lease another node took lost at
// the next heartbeat, one not renewed in time dropped, and how long the processes may push.
#include "runtime/lease_keeper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/time.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_jobs.h"
#include "test_util.h"

namespace floe::runtime {
namespace {

constexpr char kAccount[] = "1000000000000001";

SupervisorOptions Node(const std::string& name) {
  SupervisorOptions o;
  o.node_id = name;
  o.holder = name + "/1";
  o.capacity_mc = 1000;
  o.cost = [](const store::JobRecord&) -> int64_t { return 450; };
  o.lease_ms = 3000;
  o.lease_margin_ms = 1000;
  o.heartbeat_ms = 0;  // every Keep heartbeats and claims: the test says when
  o.claim_ms = 0;
  o.prefer_decoder_ms = 0;
  o.wait_after_ms = 0;
  return o;
}

class LeaseKeeperTest : public ::testing::Test {
 protected:
  LeaseKeeperTest() : store_(dir_.File("floe.db"), [this] { return now_.load(); }) {}

  void Submit(const std::string& id, const std::string& input) {
    store::JobRecord j = testing::TestJob(id, kAccount);
    j.input_url = input;
    j.output_url = "rtmp://127.0.0.1/live/" + id;
    ASSERT_EQ(store_.InsertJob(j, {})->outcome, store::JobInsertOutcome::kInserted);
  }
  std::vector<store::JobRecord> Live() { return *store_.ListLiveJobs(); }
  void Stop(const std::string& id) {
    ASSERT_TRUE(*store_.UpdateJob(kAccount, id,
                                  [](const store::JobRecord& cur, std::vector<store::JobEvent>&) {
                                    store::JobRecord next = cur;
                                    next.status = store::JobStatus::kStopped;
                                    return core::Result<store::JobRecord>(next);
                                  }));
  }

  testing::TempDir dir_;
  std::atomic<int64_t> now_{1'000'000};
  store::sqlite::SqliteStore store_;
};

TEST_F(LeaseKeeperTest, ItClaimsWithinItsCapacityAndFreesAStoppedJobsRoomAtOnce) {
  const auto opt = Node("n1");
  LeaseKeeper keeper(store_, opt);
  for (const char* id : {"j1", "j2", "j3"}) Submit(id, std::string("rtmp://in/") + id);
  keeper.Keep(Live(), true);
  EXPECT_EQ(keeper.count(), 2);  // 3 × 450 does not fit in 1000
  EXPECT_EQ(keeper.used_mc(), 900);
  std::string held = keeper.Holds("j1") ? "j1" : "j2";
  ASSERT_TRUE(keeper.Holds(held));
  Stop(held);
  keeper.Keep(Live(), false);  // released, and its room taken by the job that waited
  EXPECT_FALSE(keeper.Holds(held));
  EXPECT_TRUE(keeper.Holds("j3"));
  EXPECT_EQ(keeper.count(), 2);
}

TEST_F(LeaseKeeperTest, ALeaseAnotherNodeTookIsLostAtTheNextHeartbeat) {
  const auto a_opt = Node("a"), b_opt = Node("b");
  LeaseKeeper a(store_, a_opt), b(store_, b_opt);
  Submit("j1", "rtmp://in/1");
  a.Keep(Live(), true);
  ASSERT_TRUE(a.Holds("j1"));
  b.Keep(Live(), true);
  EXPECT_FALSE(b.Holds("j1")) << "a live lease was taken";
  now_ += 3001;  // a's lease ran out in the store (a was paused): b takes the job
  b.Keep(Live(), true);
  ASSERT_TRUE(b.Holds("j1"));
  EXPECT_TRUE(a.Keep(Live(), false)) << "a's heartbeat went through";
  EXPECT_FALSE(a.Holds("j1"));
  EXPECT_EQ(a.LeftFor({"j1"}, core::SteadyMillis()), 0);
  EXPECT_TRUE(b.Holds("j1"));
}

TEST_F(LeaseKeeperTest, TheProcessesMayPushUntilTheShortestLeaseLessTheMargin) {
  const auto opt = Node("n1");
  LeaseKeeper keeper(store_, opt);
  Submit("j1", "rtmp://in/1");
  const int64_t before = core::SteadyMillis();
  keeper.Keep(Live(), true);
  const int64_t left = keeper.LeftFor({"j1"}, before);
  EXPECT_GE(left, opt.lease_ms - opt.lease_margin_ms);
  EXPECT_LE(left, opt.lease_ms - opt.lease_margin_ms + (core::SteadyMillis() - before));
  EXPECT_EQ(keeper.LeftFor({}, before), 0);
  EXPECT_EQ(keeper.LeftFor({"nobody"}, before), 0);
  EXPECT_EQ(keeper.LeftFor({"j1", "nobody"}, before), left);  // only the held ones count
  EXPECT_EQ(keeper.LeftFor({"j1"}, before + 60'000), 1);      // past it: cut at once
  EXPECT_GE(keeper.heartbeat_age_ms(), 0);
}

TEST_F(LeaseKeeperTest, ALeaseNotRenewedInTimeIsDropped) {
  auto opt = Node("n1");
  opt.lease_ms = 300;
  opt.lease_margin_ms = 100;
  opt.heartbeat_ms = 60'000;  // the first heartbeat, then none: as if the store were away
  opt.claim_ms = 60'000;
  LeaseKeeper keeper(store_, opt);
  Submit("j1", "rtmp://in/1");
  keeper.Keep(Live(), true);
  ASSERT_TRUE(keeper.Holds("j1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_FALSE(keeper.Keep(Live(), false));  // no heartbeat due
  EXPECT_FALSE(keeper.Holds("j1"));
  EXPECT_EQ(keeper.used_mc(), 0);
}

}  // namespace
}  // namespace floe::runtime
