// What only the SQLite store has: its file's journal and sync modes, migrations rolled back
// whole, another process holding the lock. The contract both stores keep is in store_test.cc.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/migrations.h"
#include "test_util.h"

namespace floe::store::sqlite {
namespace {

std::string Pragma(const std::string& path, const std::string& pragma) {
  Db db(path);
  auto s = db.Prepare("PRAGMA " + pragma);
  s.Step();
  return s.Text(0);
}

TEST(SqliteStore, AppliesMigrationsOnceAndUsesWalWithFullSync) {
  testing::TempDir dir;
  {
    SqliteStore store(dir.File("floe.db"));
    EXPECT_EQ(store.SchemaVersion(), Migrations().back().version);
  }
  SqliteStore again(dir.File("floe.db"));  // reopening applies nothing twice
  EXPECT_EQ(again.SchemaVersion(), Migrations().back().version);
  EXPECT_EQ(Pragma(dir.File("floe.db"), "journal_mode"), "wal");
  EXPECT_EQ(Pragma(dir.File("floe.db"), "synchronous"), "2");  // FULL
}

TEST(SqliteStore, AStoreMigratedByANewerFloeIsRefused) {
  testing::TempDir dir;
  { SqliteStore store(dir.File("floe.db")); }
  {
    Db db(dir.File("floe.db"));  // as a newer floe's next migration would leave it
    db.Exec("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)");
  }
  try {
    SqliteStore store(dir.File("floe.db"));
    FAIL() << "opened a store of schema 999";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 999, newer than this floe knows"),
              std::string::npos)
        << e.what();
  }
}

TEST(SqliteStore, AFailingMigrationIsRolledBackWhole) {
  testing::TempDir dir;
  {
    Db db(dir.File("floe.db"));  // a table in the way of migration 5
    db.Exec("CREATE TABLE domains (x INTEGER)");
  }
  EXPECT_THROW(SqliteStore(dir.File("floe.db")), std::exception);
  Db db(dir.File("floe.db"));
  auto v = db.Prepare("SELECT MAX(version) FROM schema_migrations");
  ASSERT_TRUE(v.Step());
  EXPECT_EQ(v.Int(0), 4);  // 1-4 applied, 5 not recorded
  auto idx = db.Prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'domains_by_account'");
  ASSERT_TRUE(idx.Step());
  EXPECT_EQ(idx.Int(0), 0);  // nothing of migration 5 is left
}

TEST(SqliteStore, ALockHeldByAnotherConnectionIsServiceUnavailableAndWritesNothing) {
  testing::TempDir dir;
  SqliteStore store(dir.File("floe.db"));
  Db other(dir.File("floe.db"));
  other.Exec("BEGIN EXCLUSIVE");  // as another process would, past the 5 s busy timeout
  auto r = store.CreateAccount({"1000000000000009", "blocked", true, 0},
                               AccessKey{"LTAIblocked", "s", "1000000000000009", "", true, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ServiceUnavailable");
  EXPECT_EQ(r.error().http_status, 503);
  other.Exec("ROLLBACK");
  EXPECT_FALSE(store.GetAccount("1000000000000009")->has_value());
  EXPECT_FALSE(store.GetAccessKey("LTAIblocked")->has_value());
  // And the store writes again once the lock is gone.
  EXPECT_TRUE(store.CreateAccount({"1000000000000010", "after", true, 0}).ok());
}

// A lease is live up to and including its expiry, and a heartbeat after that never revives it,
// on an injected clock (no sleeping, exact boundaries): the node back from a partition gets a
// clean loss, the job one claim under a new epoch and one "assigned" event.
TEST(SqliteStore, AHeartbeatExtendsALiveLeaseToItsLastMillisecondAndNeverRevivesAnExpiredOne) {
  testing::TempDir dir;
  int64_t now = 1'800'000'000'000;
  SqliteStore store(dir.File("floe.db"), [&] { return now; });
  JobRecord j;
  j.job_id = "j1";
  j.account_id = "A";
  j.name = "job";
  j.template_id = "00000000000000000000000000000720";
  j.status = JobStatus::kRunning;
  j.input_type = j.output_type = "rtmp";
  j.input_url = "rtmp://127.0.0.1/live/in";
  j.output_url = "rtmp://127.0.0.1/live/out";
  j.create_time_ms = now - 10'000;
  ASSERT_EQ(store.InsertJob(j, {})->outcome, JobInsertOutcome::kInserted);
  ClaimRequest req;
  req.holder = "w1/a";
  req.lease_ms = 3000;
  ASSERT_EQ(store.ClaimJobs(req)->size(), 1u);
  const NodeState w1{"w1/a", "w1", 0, 0, 1, 0, 0};
  now += 3000;  // the last millisecond of the lease: still live, extended
  ASSERT_EQ(store.Heartbeat(w1, 3000)->size(), 1u);
  now += 3001;  // one millisecond past the renewed lease: gone
  EXPECT_TRUE(store.Heartbeat(w1, 3000)->empty()) << "the expired lease was revived";
  const size_t events = store.ListJobEvents("j1", 50)->size();
  req.holder = "w2/b";
  auto moved = store.ClaimJobs(req);
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ(moved->front().epoch, 2);
  req.holder = "w1/a";
  EXPECT_TRUE(store.ClaimJobs(req)->empty());  // claimed once
  EXPECT_TRUE(store.Heartbeat(w1, 3000)->empty());
  auto after = *store.ListJobEvents("j1", 50);
  ASSERT_EQ(after.size(), events + 1);
  EXPECT_EQ(after.back().detail, "node w2 (the lease of node w1 expired)");
}

}  // namespace
}  // namespace floe::store::sqlite
