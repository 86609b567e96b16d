// The Store contract for leases (store.h), against SQLite and PostgreSQL: a claim takes each job
// once, raises its epoch and respects room; heartbeats extend and lose leases; an expired lease
// is claimed by another node under a new epoch; released and stopped jobs are free again.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "core/time.h"
#include "store/leases.h"
#include "store/store_backends.h"

namespace floe::store {
namespace {

class LeaseStoreTest : public StoreTest {
 protected:
  void Submit(const std::string& id, const std::string& input = "rtmp://127.0.0.1/live/in") {
    JobRecord j;
    j.job_id = id;
    j.account_id = "A";
    j.name = "job-" + id;
    j.template_id = "00000000000000000000000000000720";
    j.status = JobStatus::kRunning;
    j.input_type = "rtmp";
    j.input_url = input;
    j.output_type = "rtmp";
    j.output_url = "rtmp://127.0.0.1/live/" + id;
    j.create_time_ms = start_ms_ + ++t_;  // submitted a moment ago, in order
    auto r = store_->InsertJob(j, {});
    ASSERT_TRUE(r.ok() && r->outcome == JobInsertOutcome::kInserted);
  }
  ClaimRequest Req(const std::string& holder, int64_t lease_ms = 60'000, int64_t capacity = 0,
                   int64_t free = 0) {
    ClaimRequest r;
    r.holder = holder;
    r.lease_ms = lease_ms;
    r.capacity_mc = capacity;
    r.free_mc = free;
    r.cost = [](const JobRecord&) -> int64_t { return 450; };
    return r;
  }
  // A claim that spreads jobs over live peers (PlanClaims), who may take them within a minute.
  ClaimRequest Spread(const std::string& holder, int64_t free) {
    ClaimRequest r = Req(holder, 60'000, 2000, free);
    r.peer_window_ms = 60'000;
    r.defer_ms = 60'000;
    return r;
  }
  static constexpr const char* kInput = "rtmp://127.0.0.1/live/in";
  static std::vector<std::string> Ids(const std::vector<Lease>& ls) {
    std::vector<std::string> out;
    for (const auto& l : ls) out.push_back(l.job_id);
    std::sort(out.begin(), out.end());
    return out;
  }
  int64_t t_ = 0;
  int64_t start_ms_ = core::NowMillis() - 1000;
};

TEST_P(LeaseStoreTest, AClaimTakesWhatFitsAndMarksTheRestWaiting) {
  Store& store = *store_;
  Submit("j1");
  Submit("j2");
  Submit("j3");
  auto got = store.ClaimJobs(Req("w1/a", 60'000, 1000, 1000));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Ids(*got), (std::vector<std::string>{"j1", "j2"}));
  EXPECT_EQ(got->front().epoch, 1);
  EXPECT_EQ(got->front().cost_mc, 450);
  auto j3 = **store.GetJob("A", "j3");
  EXPECT_TRUE(j3.waiting);
  EXPECT_EQ(ApiStatus(j3), 0);
  EXPECT_EQ(store.ListJobEvents("j3", 10)->back().event, "waiting_for_capacity");
  EXPECT_EQ(store.ListJobEvents("j1", 10)->back().detail, "node w1");
  // The API's Status filter sees the waiting job as not started.
  JobQuery q;
  q.account_id = "A";
  q.status = JobStatus::kNotStarted;
  EXPECT_EQ(store.ListJobs(q)->total_count, 1);
  // Nothing is claimed twice; another node with room takes the third.
  auto second = store.ClaimJobs(Req("w2/b", 60'000, 1000, 1000));
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"j3"}));
  EXPECT_FALSE((*store.GetJob("A", "j3"))->waiting);
  EXPECT_EQ((*store.GetJob("A", "j3"))->lease_holder, "w2/b");
}

TEST_P(LeaseStoreTest, AnExpiredLeaseMovesUnderANewEpochAndItsHolderLosesIt) {
  Store& store = *store_;
  Submit("j1");
  ASSERT_EQ(Ids(*store.ClaimJobs(Req("w1/a", 300))), (std::vector<std::string>{"j1"}));
  NodeState w1{"w1/a", "w1", 2000, 450, 1, 0, 0};
  EXPECT_EQ(Ids(*store.Heartbeat(w1, 300)), (std::vector<std::string>{"j1"}));
  EXPECT_TRUE(store.ClaimJobs(Req("w2/b"))->empty());  // live: not claimable
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  auto moved = store.ClaimJobs(Req("w2/b"));
  ASSERT_EQ(Ids(*moved), (std::vector<std::string>{"j1"}));
  EXPECT_EQ(moved->front().epoch, 2);
  EXPECT_EQ(store.ListJobEvents("j1", 10)->back().detail, "node w2 (the lease of node w1 expired)");
  EXPECT_TRUE(store.Heartbeat(w1, 300)->empty());  // w1 wakes: it holds nothing
  auto nodes = *store.ListNodes(60'000);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].node_id, "w1");
  EXPECT_EQ(nodes[0].capacity_mc, 2000);
}

// A node back from a partition whose lease ran out while nobody claimed the job yet: its
// heartbeat must not revive the lease (it would run beside the node that claims it next). It
// gets a clean loss; the job is claimed once, under a new epoch, with one "assigned" event.
TEST_P(LeaseStoreTest, AHeartbeatNeverRevivesAnExpiredLease) {
  Store& store = *store_;
  Submit("j1");
  ASSERT_EQ(Ids(*store.ClaimJobs(Req("w1/a", 200))), (std::vector<std::string>{"j1"}));
  NodeState w1{"w1/a", "w1", 2000, 450, 1, 0, 0};
  std::this_thread::sleep_for(std::chrono::milliseconds(350));  // partitioned past its lease
  EXPECT_TRUE(store.Heartbeat(w1, 60'000)->empty()) << "the expired lease was revived";
  const size_t events_before = store.ListJobEvents("j1", 50)->size();
  auto moved = store.ClaimJobs(Req("w2/b"));
  ASSERT_EQ(Ids(*moved), (std::vector<std::string>{"j1"}));
  EXPECT_EQ(moved->front().epoch, 2);
  EXPECT_TRUE(store.ClaimJobs(Req("w1/a"))->empty());  // claimed once
  EXPECT_TRUE(store.Heartbeat(w1, 60'000)->empty());
  auto events = *store.ListJobEvents("j1", 50);
  ASSERT_EQ(events.size(), events_before + 1);
  EXPECT_EQ(events.back().event, "assigned");
  EXPECT_EQ(events.back().detail, "node w2 (the lease of node w1 expired)");
}

TEST_P(LeaseStoreTest, ReleasedAndStoppedJobsAreFreeAgain) {
  Store& store = *store_;
  Submit("j1");
  Submit("j2");
  ASSERT_EQ(store.ClaimJobs(Req("w1/a"))->size(), 2u);
  ASSERT_TRUE(store.ReleaseLeases("w1/a", {"j1"}).ok());
  EXPECT_EQ(Ids(*store.ClaimJobs(Req("w2/b"))), (std::vector<std::string>{"j1"}));
  ASSERT_TRUE(*store.UpdateJob("A", "j2", [](const JobRecord& cur, std::vector<JobEvent>&) {
    JobRecord next = cur;
    next.status = JobStatus::kStopped;
    return core::Result<JobRecord>(next);
  }));
  NodeState w1{"w1/a", "w1", 1000, 0, 0, 0, 0};
  EXPECT_TRUE(store.Heartbeat(w1, 60'000)->empty());  // the stopped job's lease goes
  ASSERT_TRUE(store.ReleaseLeases("w2/b", {}).ok());  // a node that shuts down
  EXPECT_EQ((*store.GetJob("A", "j1"))->lease_holder, "");
  EXPECT_EQ(Ids(*store.ClaimJobs(Req("w1/a"))), (std::vector<std::string>{"j1"}));
}

TEST_P(LeaseStoreTest, JobsOnAnInputAnotherNodeDecodesAreLeftToIt) {
  Store& store = *store_;
  Submit("j1", "rtmp://127.0.0.1/live/one");
  ASSERT_EQ(store.ClaimJobs(Req("w1/a"))->size(), 1u);
  Submit("j2", "rtmp://127.0.0.1/live/one");
  Submit("j3", "rtmp://127.0.0.1/live/two");
  auto req = Req("w2/b");
  req.defer_ms = 3'600'000;
  EXPECT_EQ(Ids(*store.ClaimJobs(req)), (std::vector<std::string>{"j3"}));
  auto mine = Req("w1/a");
  mine.preferred_inputs = {"rtmp://127.0.0.1/live/one"};
  mine.defer_ms = 3'600'000;
  EXPECT_EQ(Ids(*store.ClaimJobs(mine)), (std::vector<std::string>{"j2"}));
}

// Placement spreads the load: six new jobs on three equal idle nodes go two to each, whichever
// node claims first (each claim leaves jobs to peers with more room and counts them there).
TEST_P(LeaseStoreTest, NewJobsGoToTheNodeWithTheMostRoom) {
  Store& store = *store_;
  for (int i = 1; i <= 6; ++i) Submit("j" + std::to_string(i), kInput + std::to_string(i));
  for (const char* h : {"w1/a", "w2/b", "w3/c"}) {
    ASSERT_TRUE(store.Heartbeat({h, NodeOfHolder(h), 2000, 0, 0, 0, 0}, 60'000).ok());
  }
  EXPECT_EQ(Ids(*store.ClaimJobs(Spread("w1/a", 2000))), (std::vector<std::string>{"j1", "j4"}));
  EXPECT_EQ(Ids(*store.ClaimJobs(Spread("w2/b", 2000))), (std::vector<std::string>{"j2", "j5"}));
  EXPECT_EQ(Ids(*store.ClaimJobs(Spread("w3/c", 2000))), (std::vector<std::string>{"j3", "j6"}));
  // Without peers (a single node), a claim takes all that fits, as before.
  for (int i = 7; i <= 9; ++i) Submit("j" + std::to_string(i), kInput + std::to_string(i));
  auto alone = Spread("w1/a", 1100);
  alone.peer_window_ms = 0;
  EXPECT_EQ(Ids(*store.ClaimJobs(alone)), (std::vector<std::string>{"j7", "j8"}));
}

// A backlog (a cluster starting, a node's jobs freed) is spread in few claims: each node takes
// its share of every claimable job at once, up to its limit, not one job per claim.
TEST_P(LeaseStoreTest, EachClaimTakesItsShareOfABacklogAtOnce) {
  Store& store = *store_;
  for (int i = 1; i <= 30; ++i) Submit("j" + std::to_string(i), kInput + std::to_string(i));
  const std::vector<std::string> holders = {"w1/a", "w2/b", "w3/c"};
  for (const auto& h : holders) {
    ASSERT_TRUE(store.Heartbeat({h, NodeOfHolder(h), 20'000, 0, 0, 0, 0}, 60'000).ok());
  }
  std::map<std::string, int> held;
  int claims = 0;
  for (int round = 0; round < 4; ++round) {
    for (const auto& h : holders) {
      ClaimRequest req = Req(h, 60'000, 20'000, 20'000 - 450 * held[h]);
      req.peer_window_ms = 60'000;
      req.defer_ms = 60'000;
      req.limit = 5;
      auto got = store.ClaimJobs(req);
      ASSERT_TRUE(got.ok());
      if (!got->empty()) ++claims;
      held[h] += static_cast<int>(got->size());
    }
  }
  EXPECT_EQ(held["w1/a"], 10);
  EXPECT_EQ(held["w2/b"], 10);
  EXPECT_EQ(held["w3/c"], 10);
  EXPECT_EQ(claims, 6) << "each claim takes its limit of a backlog it has a share of";
}

// Jobs on one new input go to one node; a job left to a peer that does not come for defer_ms is
// taken by a node with room (a peer never holds a job back for longer).
TEST_P(LeaseStoreTest, JobsOnOneInputStayTogetherAndAnAbsentPeerHoldsNothingBack) {
  Store& store = *store_;
  Submit("j1", kInput + std::string("1"));
  Submit("j2", kInput + std::string("1"));
  Submit("j3", kInput + std::string("2"));
  ASSERT_TRUE(store.Heartbeat({"w1/a", "w1", 2000, 500, 1, 0, 0}, 60'000).ok());
  ASSERT_TRUE(store.Heartbeat({"w2/b", "w2", 2000, 0, 0, 0, 0}, 60'000).ok());
  // w1 (1500 free) leaves both jobs of input 1 to w2 (2000), which then has less room than w1.
  EXPECT_EQ(Ids(*store.ClaimJobs(Spread("w1/a", 1500))), (std::vector<std::string>{"j3"}));
  auto late = Spread("w1/a", 1050);
  late.defer_ms = 0;  // w2 never claimed them
  EXPECT_EQ(Ids(*store.ClaimJobs(late)), (std::vector<std::string>{"j1", "j2"}));
}

// Nodes claiming at once: every job ends up with exactly one of them.
TEST_P(LeaseStoreTest, ConcurrentClaimsTakeEachJobOnce) {
  Store& store = *store_;
  for (int i = 0; i < 40; ++i) Submit("j" + std::to_string(i));
  std::vector<std::vector<Lease>> got(4);
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&, n] {
      for (int round = 0; round < 10; ++round) {
        auto req = Req("w" + std::to_string(n) + "/x");
        req.limit = 3;
        auto r = store.ClaimJobs(req);
        if (r.ok()) got[n].insert(got[n].end(), r->begin(), r->end());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::multiset<std::string> all;
  for (const auto& g : got) {
    for (const auto& l : g) all.insert(l.job_id);
  }
  EXPECT_EQ(all.size(), 40u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 40u);
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::store
