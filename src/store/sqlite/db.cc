#include "store/sqlite/db.h"

namespace floe::store::sqlite {

namespace {
[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  throw SqliteError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Stmt::~Stmt() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

Stmt& Stmt::Bind(int i, const std::string& v) {
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    Fail(sqlite3_db_handle(s_), "bind");
  return *this;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK) Fail(sqlite3_db_handle(s_), "bind");
  return *this;
}

Stmt& Stmt::Bind(int i, const std::optional<std::string>& v) {
  if (!v) {
    if (sqlite3_bind_null(s_, i) != SQLITE_OK) Fail(sqlite3_db_handle(s_), "bind");
    return *this;
  }
  return Bind(i, *v);
}

Stmt& Stmt::Bind(int i, const std::optional<int64_t>& v) {
  if (!v) {
    if (sqlite3_bind_null(s_, i) != SQLITE_OK) Fail(sqlite3_db_handle(s_), "bind");
    return *this;
  }
  return Bind(i, *v);
}

bool Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fail(sqlite3_db_handle(s_), "step");
}

std::string Stmt::Text(int col) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
}

int64_t Stmt::Int(int col) const {
  return sqlite3_column_int64(s_, col);
}

Db::Db(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw SqliteError("open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  Exec("PRAGMA journal_mode=WAL");
  Exec("PRAGMA synchronous=FULL");
  Exec("PRAGMA foreign_keys=ON");
}

Db::~Db() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

Stmt Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &s, nullptr) != SQLITE_OK) {
    Fail(db_, "prepare");
  }
  cache_.emplace(sql, s);
  return Stmt(s);
}

void Db::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    throw SqliteError("exec: " + msg);
  }
}

}  // namespace floe::store::sqlite
