// Versioned schema migrations for the SQLite store, applied in order, each in its own transaction.
#pragma once

#include <string>
#include <vector>

namespace floe::store::sqlite {

struct Migration {
  int version;
  const char* description;
  std::string sql;
};

const std::vector<Migration>& Migrations();

}  // namespace floe::store::sqlite
