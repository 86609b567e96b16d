// Every Store test runs against both implementations: SQLite in a fresh directory, and a real
// PostgreSQL (Debian's, started by the tests themselves on 127.0.0.1 in a private data
// directory, never a system service) in a fresh database per test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "store/store.h"
#include "test_util.h"

namespace floe::store {

enum class Backend { kSqlite, kPostgres };
inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "sqlite" : "postgres");
}

// A private PostgreSQL server for the whole test binary: initdb into a temporary directory
// (as the postgres user when the tests run as root: initdb and postgres refuse root), started
// on a free port at first use, stopped when the binary exits (or dies: PR_SET_PDEATHSIG).
class PgServer {
 public:
  static PgServer& Get();
  // A new, empty database; its libpq URL.
  std::string NewDatabase();
  // Ends every session on a database (as a PostgreSQL restart would, for the store's side).
  void TerminateSessions(const std::string& url);
  ~PgServer();

 private:
  PgServer();
  std::string dir_;
  int port_ = 0;
  int pid_ = 0;
  int next_db_ = 0;
};

// One store of the chosen kind, and the means to close and open it again.
class BackendStore {
 public:
  explicit BackendStore(Backend backend);
  Store& operator*() { return *store_; }
  Store* operator->() { return store_.get(); }
  // Closes the store and opens the same database again.
  void Reopen();
  const std::string& url() const { return url_; }  // PostgreSQL only

 private:
  std::unique_ptr<Store> Open();
  Backend backend_;
  testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  BackendStore store_{GetParam()};
};

std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

}  // namespace floe::store
