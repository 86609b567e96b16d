// PostgresStore: the connection pool, transactions, migrations.
#include "store/postgres/postgres_store.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

#include "core/time.h"
#include "store/postgres/migrations.h"
#include "store/schema_version.h"

namespace floe::store::postgres {

namespace {
constexpr int64_t kMigrationLock = 0x466c6f65;  // "Floe": one node migrates at a time
}  // namespace

PostgresStore::PostgresStore(const std::string& url, int pool_size)
    : url_(url), pool_size_(static_cast<size_t>(pool_size < 1 ? 1 : pool_size)) {
  Migrate();
}

PostgresStore::~PostgresStore() {
  WatchIdentity(nullptr);
  WatchClaims(nullptr);
}

std::unique_ptr<Conn> PostgresStore::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < pool_size_; });
  std::unique_ptr<Conn> c;
  if (!idle_.empty()) {
    c = std::move(idle_.back());
    idle_.pop_back();
  } else {
    ++open_;
    lock.unlock();
    try {
      return std::make_unique<Conn>(url_);
    } catch (...) {
      std::lock_guard again(mu_);
      --open_;
      cv_.notify_one();
      throw;
    }
  }
  lock.unlock();
  if (!c->ok() && !c->Reset()) {
    Release(std::move(c));
    throw PgError("PostgreSQL is unreachable", "08006", true);
  }
  return c;
}

void PostgresStore::Release(std::unique_ptr<Conn> c) {
  if (!c) return;
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

core::Error PostgresStore::Failure(const PgError& e, bool read_only) {
  spdlog::error("event=store_{}_error sqlstate={} error=\"{}\"", read_only ? "read" : "write",
                e.sqlstate(), e.what());
  if (e.connection_lost() || e.sqlstate().rfind("08", 0) == 0 || e.sqlstate().rfind("57", 0) == 0) {
    return core::Error::Unavailable("the store is unavailable");
  }
  return core::Error::Internal(read_only ? "store read failed" : "store write failed");
}

void PostgresStore::Migrate() {
  auto c = Acquire();
  c->Exec("SELECT pg_advisory_lock($1)", Params().Add(kMigrationLock));
  try {
    c->Simple(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    int current = static_cast<int>(
        c->Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Int(0, 0));
    RequireSchemaNotNewer("the PostgreSQL store", current, Migrations().back().version);
    for (const auto& m : Migrations()) {
      if (m.version <= current) continue;
      c->Simple("BEGIN");
      try {
        c->Simple(m.sql);
        c->Exec(
            "INSERT INTO schema_migrations(version, description, applied_at) "
            "VALUES ($1, $2, $3)",
            Params().Add(m.version).Add(m.description).Add(core::NowMillis()));
        c->Simple("COMMIT");
      } catch (...) {
        c->Simple("ROLLBACK");
        throw;
      }
      spdlog::info("event=migration store=postgres version={} description=\"{}\"", m.version,
                   m.description);
    }
  } catch (...) {
    c->Exec("SELECT pg_advisory_unlock($1)", Params().Add(kMigrationLock));
    throw;
  }
  c->Exec("SELECT pg_advisory_unlock($1)", Params().Add(kMigrationLock));
  Release(std::move(c));
}

int PostgresStore::SchemaVersion() {
  auto r = Tx<int>(
      [](Conn& c) -> Result<int> {
        return static_cast<int>(
            c.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Int(0, 0));
      },
      true);
  return r ? *r : 0;
}

}  // namespace floe::store::postgres
