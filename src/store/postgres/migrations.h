// The PostgreSQL schema, as versioned migrations applied in order (schema_migrations records
// each). Its own history, starting from the SQLite schema's present shape; `seq` columns give
// rows their insertion order (SQLite's rowid).
#pragma once

#include <string>
#include <vector>

namespace floe::store::postgres {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

const std::vector<Migration>& Migrations();

}  // namespace floe::store::postgres
