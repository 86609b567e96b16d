// Small owning wrappers over the SQLite C API: a connection with a cache of prepared
// statements, and a statement with typed binds. SQL text is fixed; values are always bound.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace floe::store::sqlite {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt();  // resets and clears bindings; the statement stays cached in its Db
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, const std::string& v);
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, const std::optional<std::string>& v);  // nullopt binds NULL
  Stmt& Bind(int i, const std::optional<int64_t>& v);      // nullopt binds NULL
  // Steps once: true when a row is ready, false when done. Throws on error.
  bool Step();
  std::string Text(int col) const;
  int64_t Int(int col) const;

 private:
  sqlite3_stmt* s_;
};

class Db {
 public:
  // Opens (creating if needed) with WAL and synchronous=FULL.
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // A cached prepared statement for this SQL text.
  Stmt Prepare(const std::string& sql);
  // Runs statements without parameters (pragmas, BEGIN/COMMIT, migrations).
  void Exec(const std::string& sql);
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> cache_;
};

// SQLite failures surface as exceptions inside the store and as InternalError above it.
struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace floe::store::sqlite
