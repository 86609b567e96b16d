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

}  // namespace
}  // namespace floe::store::sqlite
