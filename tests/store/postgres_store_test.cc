// What only the PostgreSQL store has: several nodes on one database (migrations applied once
// while they start together, limits and nonces that hold across them, presence sessions), and
// connections that break under it.
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/postgres/migrations.h"
#include "store/store_backends.h"
#include "store/test_jobs.h"

namespace floe::store::postgres {
namespace {

JobRecord Job(const std::string& id, const std::string& account) {
  return floe::testing::TestJob(id, account);
}

// Tends a node's presence (every 50 ms, for at most 5 s) until `done` says so; the last answer.
template <class Done>
Presence TendUntil(PostgresStore& store, const std::string& holder, Done done) {
  Presence p;
  for (int i = 0; i < 100; ++i) {
    auto r = store.TendPresence(holder);
    if (r.ok()) p = *r;
    if (r.ok() && done(p)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return p;
}

TEST(PostgresStore, NodesStartingTogetherApplyTheMigrationsOnce) {
  std::string url = PgServer::Get().NewDatabase();
  std::vector<std::unique_ptr<PostgresStore>> nodes(4);
  std::vector<std::thread> threads;
  for (auto& n : nodes) threads.emplace_back([&] { n = std::make_unique<PostgresStore>(url, 2); });
  for (auto& t : threads) t.join();
  for (auto& n : nodes) EXPECT_EQ(n->SchemaVersion(), Migrations().back().version);
  TemplateQuery q;
  q.category = "system";
  EXPECT_EQ(nodes[0]->ListTemplates(q)->total_count, 5);  // inserted once, not four times
}

TEST(PostgresStore, ADatabaseMigratedByANewerFloeIsRefused) {
  std::string url = PgServer::Get().NewDatabase();
  { PostgresStore store(url, 1); }
  Conn(url).Simple("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)");
  try {
    PostgresStore store(url, 1);
    FAIL() << "opened a database of schema 999";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 999, newer than this floe knows"),
              std::string::npos)
        << e.what();
  }
}

TEST(PostgresStore, LimitsAndNoncesHoldAcrossNodes) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore a(url, 4), b(url, 4);
  JobLimits limits{0, 10};
  std::atomic<int> inserted = 0;
  std::vector<std::thread> threads;
  for (int th = 0; th < 8; ++th) {
    threads.emplace_back([&, th] {
      PostgresStore& node = th % 2 ? a : b;
      for (int i = 0; i < 5; ++i) {
        auto r =
            node.InsertJob(Job("j" + std::to_string(th) + "_" + std::to_string(i), "A"), limits);
        ASSERT_TRUE(r.ok()) << r.error().message;
        if (r->outcome == JobInsertOutcome::kInserted) ++inserted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inserted, 10);  // 40 tried on two nodes at once: never one past the limit
  EXPECT_EQ(a.ListLiveJobs()->size(), 10u);
  EXPECT_TRUE(*a.UseNonce("LTAIx:n1", 1000, 900'000));
  EXPECT_FALSE(*b.UseNonce("LTAIx:n1", 2000, 900'000));  // a replay on the other node
}

TEST(PostgresStore, ABrokenConnectionIsReplacedAndAWriteCutBeforeItsCommitRunsAgain) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore store(url, 1);
  ASSERT_TRUE(
      store.InsertTemplate({"a1", "A", "before", "normal", "customized", "H.264", "{}", 1}).ok());
  PgServer::Get().TerminateSessions(url);  // as when PostgreSQL restarts
  // A read, and a write that had not begun, are run again on a new connection.
  auto read = store.GetTemplate("A", "a1");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ((*read)->name, "before");
  PgServer::Get().TerminateSessions(url);
  ASSERT_TRUE(store.CreateAccount({"1000000000000002", "b", true, 0}).ok());
  // A write whose connection is cut before its COMMIT committed nothing (the session's end
  // rolled it back): it runs again, whole, on a new connection.
  int runs = 0;
  auto cut = store.UpdateTemplate("A", "a1", [&](const TemplateRecord& cur) {
    if (++runs == 1) PgServer::Get().TerminateSessions(url);
    TemplateRecord next = cur;
    next.name = "after-" + std::to_string(runs);
    return core::Result<TemplateRecord>(next);
  });
  ASSERT_TRUE(cut.ok()) << cut.error().message;
  EXPECT_EQ(runs, 2);
  EXPECT_EQ((*store.GetTemplate("A", "a1"))->name, "after-2");
  // Cut every time: the store gives up with ServiceUnavailable, nothing written.
  auto gone = store.UpdateTemplate("A", "a1", [&](const TemplateRecord& cur) {
    PgServer::Get().TerminateSessions(url);
    TemplateRecord next = cur;
    next.name = "never";
    return core::Result<TemplateRecord>(next);
  });
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().http_status, 503);
  EXPECT_EQ((*store.GetTemplate("A", "a1"))->name, "after-2");
  EXPECT_TRUE(store.GetAccount("1000000000000002")->has_value());
}

Store::TemplateMutation Rename(const std::string& name) {
  return [name](const TemplateRecord& cur) -> core::Result<TemplateRecord> {
    TemplateRecord next = cur;
    next.name = name;
    return next;
  };
}

// A node that wrote a template last updates it again in one round trip on the version it
// knows; a version written meanwhile by another node is never overwritten with a stale one,
// and a template in use stays as it is.
TEST(PostgresStore, AnUpdateOnTheVersionThisNodeWroteKeepsAnotherNodesWrite) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore a(url, 2), b(url, 2);
  ASSERT_TRUE(a.InsertTemplate({"t1", "A", "n0", "normal", "customized", "H.264", "{}", 1}).ok());
  EXPECT_EQ(*a.UpdateTemplate("A", "t1", Rename("a1")), TemplateWrite::kDone);
  EXPECT_EQ(a.template_updates_on_known_version(), 0);  // read under lock: not known before
  EXPECT_EQ(*a.UpdateTemplate("A", "t1", Rename("a2")), TemplateWrite::kDone);
  EXPECT_EQ(a.template_updates_on_known_version(), 1);
  auto reconfigure = [](const TemplateRecord& cur) -> core::Result<TemplateRecord> {
    TemplateRecord next = cur;
    next.config_json = "from-b";
    return next;
  };
  EXPECT_EQ(*b.UpdateTemplate("A", "t1", reconfigure), TemplateWrite::kDone);
  // a's version is stale now: its update falls back to reading the row and merges into b's.
  std::string seen_config;
  EXPECT_EQ(*a.UpdateTemplate("A", "t1",
                              [&](const TemplateRecord& cur) -> core::Result<TemplateRecord> {
                                seen_config = cur.config_json;
                                TemplateRecord next = cur;
                                next.name = "a3";
                                return next;
                              }),
            TemplateWrite::kDone);
  EXPECT_EQ(seen_config, "from-b");
  EXPECT_EQ(a.template_updates_on_known_version(), 1);
  auto now = *a.GetTemplate("A", "t1");
  EXPECT_EQ(now->name, "a3");
  EXPECT_EQ(now->config_json, "from-b");
  EXPECT_EQ(*a.UpdateTemplate("A", "t1", Rename("a4")), TemplateWrite::kDone);
  EXPECT_EQ(a.template_updates_on_known_version(), 2);
  // In use (a job submitted on another node): refused, whatever the change.
  ASSERT_TRUE(b.InsertJob(floe::testing::TestJob("j1", "A", "t1"), {}).ok());
  EXPECT_EQ(*a.UpdateTemplate("A", "t1", Rename("x")), TemplateWrite::kInUse);
  EXPECT_EQ((*b.GetTemplate("A", "t1"))->name, "a4");
  // Deleted on another node: not found, not written back.
  ASSERT_TRUE(*b.UpdateJob(
      "A", "j1", [](const JobRecord& cur, std::vector<JobEvent>&) -> core::Result<JobRecord> {
        JobRecord next = cur;
        next.status = JobStatus::kStopped;
        return next;
      }));
  EXPECT_EQ(*b.DeleteTemplate("A", "t1"), TemplateWrite::kDone);
  EXPECT_EQ(*a.UpdateTemplate("A", "t1", Rename("y")), TemplateWrite::kNotFound);
  EXPECT_FALSE(b.GetTemplate("A", "t1")->has_value());
  EXPECT_EQ(a.template_updates_on_known_version(), 2);
}

// The one-round-trip update waits for a submit that holds the template, and then sees its
// job: the check runs after the lock, not on a snapshot taken before it.
TEST(PostgresStore, AnUpdateOnAKnownVersionSeesTheJobASubmitHeldTheTemplateFor) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore a(url, 2);
  ASSERT_TRUE(a.InsertTemplate({"t1", "A", "n0", "normal", "customized", "H.264", "{}", 1}).ok());
  EXPECT_EQ(*a.UpdateTemplate("A", "t1", Rename("a1")), TemplateWrite::kDone);
  auto stopped = floe::testing::TestJob("j1", "A", "t1");
  stopped.status = JobStatus::kStopped;
  ASSERT_TRUE(a.InsertJob(stopped, {}).ok());
  // As a submit does: the template row held FOR SHARE while its job becomes live.
  Conn submit(url);
  submit.Simple("BEGIN");
  submit.Exec("SELECT 1 FROM templates WHERE template_id = $1 FOR SHARE", Params().Add("t1"));
  submit.Exec("UPDATE jobs SET status = $1 WHERE job_id = $2",
              Params().Add(static_cast<int>(JobStatus::kRunning)).Add("j1"));
  std::optional<core::Result<TemplateWrite>> update;  // read only after the join
  std::atomic<bool> answered{false};
  std::thread updater([&] {
    update = a.UpdateTemplate("A", "t1", Rename("late"));
    answered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(answered);  // waiting for the submit's lock
  submit.Simple("COMMIT");
  updater.join();
  ASSERT_TRUE(update && update->ok());
  EXPECT_EQ(**update, TemplateWrite::kInUse);
  EXPECT_EQ((*a.GetTemplate("A", "t1"))->name, "a1");
}

// A nonce is any text (quotes, backslashes, braces and commas travel in the batch's array
// intact); an expired one may be used again, a live one not.
TEST(PostgresStore, NoncesAreExactTextAndExpiredOnesAreReusable) {
  PostgresStore store(PgServer::Get().NewDatabase(), 2);
  const std::string odd = "LTAIx:a\"b\\c,{d} e'f";
  EXPECT_TRUE(*store.UseNonce(odd, 1000, 2000));
  EXPECT_FALSE(*store.UseNonce(odd, 1500, 2500));
  EXPECT_TRUE(*store.UseNonce("LTAIx:a\"b\\c,{d} e'g", 1500, 2500));  // another text
  EXPECT_TRUE(*store.UseNonce(odd, 3000, 5000));   // the first use expired at 2000
  EXPECT_FALSE(*store.UseNonce(odd, 4000, 6000));  // the second is live until 5000
}

// Nonces of concurrent requests are committed together (one transaction for many), and each
// still gets its own answer: fresh once, used again refused, whichever batch it fell in.
TEST(PostgresStore, ConcurrentNoncesCommitTogetherAndEachIsUsedOnce) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore store(url, 4);
  constexpr int kThreads = 16, kEach = 40;
  std::atomic<int> fresh{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Threads t and t+1 share half their nonces: each of those is fresh exactly once.
        const std::string key =
            "n-" + std::to_string(i % 2 ? t : t / 2 * 2) + "-" + std::to_string(i);
        auto r = store.UseNonce(key, 1000, 900'000);
        if (!r) {
          ++failed;
        } else if (*r) {
          ++fresh;
        } else {
          ++refused;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  const int distinct = kThreads * kEach / 2 + kThreads / 2 * kEach / 2;
  EXPECT_EQ(fresh.load(), distinct);
  EXPECT_EQ(refused.load(), kThreads * kEach - distinct);
  EXPECT_LT(store.nonce_commits(), kThreads * kEach) << "no two nonces ever shared a commit";
  EXPECT_FALSE(*store.UseNonce("n-0-0", 2000, 900'000));  // still remembered
}

// Presence: a node's death ends its session, and the watcher (another node) expires its leases
// a grace after that, not when the lease runs out (a minute here); its job is claimed again at
// once under a new epoch, and its node row is gone. A submitted job wakes the nodes' claims.
TEST(PostgresStore, ADeadNodesLeasesExpireWhenItsSessionEndsNotWhenTheLeaseRunsOut) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore watcher(url, 2);
  ASSERT_TRUE(watcher.TendPresence("w1/a")->held);
  auto dying = std::make_unique<PostgresStore>(url, 2);
  ASSERT_TRUE(dying->TendPresence("w2/b")->held);
  EXPECT_FALSE(watcher.TendPresence("w1/a")->claim_now);
  ASSERT_EQ(watcher.InsertJob(Job("j1", "A"), {})->outcome, JobInsertOutcome::kInserted);
  EXPECT_TRUE(TendUntil(watcher, "w1/a", [](const Presence& s) { return s.claim_now; }).claim_now)
      << "the submitted job's notification";
  NodeState b{"w2/b", "w2", 0, 0, 0, 0, 0};
  b.present = true;
  ASSERT_TRUE(dying->Heartbeat(b, 60'000).ok());
  ClaimRequest req;
  req.holder = "w2/b";
  req.lease_ms = 60'000;
  ASSERT_EQ(dying->ClaimJobs(req)->size(), 1u);
  // While w2's session lives, a grace and more passes and nothing expires.
  std::this_thread::sleep_for(std::chrono::milliseconds(kPresenceGraceMs + 200));
  EXPECT_EQ(watcher.TendPresence("w1/a")->expired, 0);
  EXPECT_EQ(watcher.TendPresence("w1/a")->expired, 0);

  dying.reset();  // its process is gone: PostgreSQL ends its sessions
  // Seen gone: the watcher asks to look again when the grace ends (until it sees the session
  // end, it asks for when the lease runs out, a minute away).
  Presence seen = TendUntil(watcher, "w1/a", [](const Presence& s) {
    return s.look_in_ms >= 0 && s.look_in_ms <= kPresenceGraceMs;
  });
  EXPECT_GT(seen.look_in_ms, 0);
  EXPECT_LE(seen.look_in_ms, kPresenceGraceMs);
  Presence p = TendUntil(watcher, "w1/a", [](const Presence& s) { return s.expired > 0; });
  EXPECT_EQ(p.expired, 1);
  EXPECT_TRUE(p.claim_now);
  req.holder = "w1/a";
  auto got = watcher.ClaimJobs(req);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().epoch, 2);
  auto nodes = watcher.ListNodes(60'000);
  ASSERT_TRUE(nodes.ok());
  for (const auto& n : *nodes) EXPECT_NE(n.holder, "w2/b");
}

// A lease that runs out (a paused node's: its session lives on) wakes every node's claim at the
// watcher's next round, not at each node's next claim.
TEST(PostgresStore, ALeaseThatRunsOutWakesTheClaims) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore watcher(url, 2);
  ASSERT_TRUE(watcher.TendPresence("w1/a")->held);
  ASSERT_EQ(watcher.InsertJob(Job("j1", "A"), {})->outcome, JobInsertOutcome::kInserted);
  TendUntil(watcher, "w1/a", [](const Presence& s) { return s.claim_now; });  // the submit's
  ClaimRequest req;
  req.holder = "w2/b";
  req.lease_ms = 400;
  ASSERT_EQ(watcher.ClaimJobs(req)->size(), 1u);
  Presence live = *watcher.TendPresence("w1/a");
  EXPECT_FALSE(live.claim_now) << "the lease is live";
  // The watcher asks to look again the moment the lease runs out, not a tick later.
  EXPECT_GT(live.look_in_ms, 0);
  EXPECT_LE(live.look_in_ms, 401);
  std::this_thread::sleep_for(std::chrono::milliseconds(live.look_in_ms));
  EXPECT_TRUE(watcher.TendPresence("w1/a")->claim_now) << "looked when it asked to";
  req.holder = "w1/a";
  EXPECT_EQ(watcher.ClaimJobs(req)->size(), 1u);
}

// A node is told of claimable jobs the moment another node submits one (its own listening
// connection), and once as it starts listening (it may have missed some before).
TEST(PostgresStore, ClaimsAreWokenByAnotherNodesSubmit) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore a(url, 2), b(url, 2);
  std::mutex mu;
  std::condition_variable cv;
  int woken = 0;
  a.WatchClaims([&] {
    std::lock_guard lock(mu);
    ++woken;
    cv.notify_all();
  });
  auto wait_for = [&](int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(2), [&] { return woken >= n; });
  };
  ASSERT_TRUE(wait_for(1)) << "listening";
  ASSERT_EQ(b.InsertJob(Job("j1", "A"), {})->outcome, JobInsertOutcome::kInserted);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_for(2)) << "the submit on b";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  a.WatchClaims(nullptr);  // stops: no more calls
  ASSERT_EQ(b.InsertJob(Job("j2", "A"), {})->outcome, JobInsertOutcome::kInserted);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::lock_guard lock(mu);
  EXPECT_EQ(woken, 2);
}

// A node whose own presence session breaks is told so once (it cuts its outputs), and holds its
// presence again at the next call.
TEST(PostgresStore, ANodeWhoseSessionBreaksIsToldItLostItsPresence) {
  std::string url = PgServer::Get().NewDatabase();
  PostgresStore node(url, 1);
  ASSERT_TRUE(node.TendPresence("w1/a")->held);
  PgServer::Get().TerminateSessions(url);
  Presence p = TendUntil(node, "w1/a", [](const Presence& s) { return s.lost; });
  EXPECT_TRUE(p.lost);
  EXPECT_FALSE(p.held);
  Presence again = *node.TendPresence("w1/a");
  EXPECT_TRUE(again.held);
  EXPECT_FALSE(again.lost);
}

}  // namespace
}  // namespace floe::store::postgres
