// SqliteStore: the connection pool, the writer thread with its group commit, migrations.
#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

#include "core/time.h"
#include "store/schema_version.h"
#include "store/sqlite/migrations.h"

namespace floe::store::sqlite {

using core::Error;

SqliteStore::SqliteStore(const std::string& path, std::function<int64_t()> lease_clock)
    : path_(path),
      lease_clock_(lease_clock ? std::move(lease_clock)
                               : std::function<int64_t()>(core::NowMillis)) {
  writer_ = std::make_unique<Db>(path);
  Migrate();
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(write_mu_);
    stop_ = true;
  }
  write_cv_.notify_all();
  writer_thread_.join();
}

void SqliteStore::Migrate() {
  Db& db = *writer_;
  db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  int current = SchemaVersion();
  RequireSchemaNotNewer("the store " + path_, current, Migrations().back().version);
  for (const auto& m : Migrations()) {
    if (m.version <= current) continue;
    db.Exec("BEGIN IMMEDIATE");
    try {
      db.Exec(m.sql);
      db.Prepare("INSERT INTO schema_migrations(version, description, applied_at) VALUES (?,?,?)")
          .Bind(1, int64_t{m.version})
          .Bind(2, std::string(m.description))
          .Bind(3, core::NowMillis())
          .Step();
      db.Exec("COMMIT");
    } catch (...) {
      db.Exec("ROLLBACK");
      throw;
    }
    spdlog::info("event=migration version={} description=\"{}\"", m.version, m.description);
  }
}

int SqliteStore::SchemaVersion() {
  auto s = writer_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  s.Step();
  return static_cast<int>(s.Int(0));
}

void SqliteStore::WriterLoop() {
  Db& db = *writer_;
  for (;;) {
    std::vector<WriteOp*> batch;
    {
      std::unique_lock lock(write_mu_);
      write_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      while (!queue_.empty() && batch.size() < 512) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    std::vector<Result<void>> results;
    results.reserve(batch.size());
    try {
      // Prepared once, like every other statement: this loop runs for every write.
      db.Prepare("BEGIN IMMEDIATE").Step();
      for (auto* op : batch) {
        db.Prepare("SAVEPOINT op").Step();
        Result<void> r;
        try {
          r = op->fn(db);
        } catch (const std::exception& e) {
          r = Error::Internal("store write failed");
          spdlog::error("event=store_write_error error=\"{}\"", e.what());
        }
        if (!r) db.Prepare("ROLLBACK TO op").Step();
        db.Prepare("RELEASE op").Step();
        results.push_back(std::move(r));
      }
      db.Prepare("COMMIT").Step();
    } catch (const std::exception& e) {
      spdlog::error("event=store_commit_error error=\"{}\"", e.what());
      try {
        db.Exec("ROLLBACK");
      } catch (...) {
      }
      results.assign(batch.size(), Error::Unavailable("the store could not commit"));
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(std::move(results[i]));
  }
}

Result<void> SqliteStore::Write(WriteFn fn) {
  WriteOp op{std::move(fn), {}};
  auto fut = op.done.get_future();
  {
    std::lock_guard lock(write_mu_);
    if (stop_) return Error::Unavailable("the store is closing");
    queue_.push_back(&op);
  }
  write_cv_.notify_one();
  return fut.get();
}

Result<bool> SqliteStore::WriteChanged(const std::function<void(Db&)>& fn) {
  bool changed = false;
  auto r = Write([&](Db& db) -> Result<void> {
    fn(db);
    changed = sqlite3_changes(db.handle()) > 0;
    return {};
  });
  if (!r) return r.error();
  return changed;
}

}  // namespace floe::store::sqlite
