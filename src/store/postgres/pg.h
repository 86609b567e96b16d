// Small owning wrappers over libpq: a connection that prepares each SQL text once (named
// statements, parameters always bound, sent as text) and a result with typed getters. Errors
// are thrown as PgError with their SQLSTATE; the store turns them into Results.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace floe::store::postgres {

class PgError : public std::runtime_error {
 public:
  PgError(const std::string& what, std::string sqlstate, bool connection_lost)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)), lost_(connection_lost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // The connection broke (the server went away): the operation's outcome is unknown.
  bool connection_lost() const { return lost_; }
  // Another transaction got in the way (serialization failure, deadlock): try again.
  bool retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
  bool lost_;
};

// Bound values, in order ($1, $2, …); nullopt is NULL.
class Params {
 public:
  Params& Add(const std::string& v) { return Push(v); }
  Params& Add(const char* v) { return Push(std::string(v)); }
  Params& Add(int64_t v) { return Push(std::to_string(v)); }
  Params& Add(int v) { return Push(std::to_string(v)); }
  Params& Add(bool v) { return Push(std::string(v ? "1" : "0")); }
  Params& Add(const std::optional<std::string>& v) { return Push(v); }
  Params& Add(const std::optional<int64_t>& v) {
    return Push(v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt);
  }
  // A one-dimensional array ($n::text[] or $n::bigint[] in the SQL), sent in PostgreSQL's
  // array literal form with every element quoted.
  Params& Add(const std::vector<std::string>& v);
  Params& Add(const std::vector<int64_t>& v);
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  Params& Push(std::optional<std::string> v) {
    values_.push_back(std::move(v));
    return *this;
  }
  std::vector<std::optional<std::string>> values_;
};

class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  bool empty() const { return size() == 0; }
  std::string Text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  int64_t Int(int row, int col) const { return std::stoll(PQgetvalue(r_.get(), row, col)); }
  bool Null(int row, int col) const { return PQgetisnull(r_.get(), row, col) == 1; }
  // Rows an INSERT, UPDATE or DELETE touched.
  int64_t affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

class Conn {
 public:
  // Connects (libpq URL or key=value string); throws PgError when it cannot.
  explicit Conn(const std::string& url);
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs `sql` (prepared on first use on this connection) with `params`.
  Rows Exec(const std::string& sql, const Params& params = {});
  // Runs a statement without parameters, unprepared (BEGIN, COMMIT, DDL of a migration).
  void Simple(const std::string& sql);
  // Opens a transaction whose BEGIN travels with the next Exec, in one round trip (pipeline
  // mode). A COMMIT or ROLLBACK before any statement ran sends nothing.
  void Begin() { begin_pending_ = true; }
  // The transaction's last statement: runs `sql` and COMMIT in one round trip (pipeline mode).
  // Returns once both did; the transaction is then over (TakeCommitted says so, and Tx sends
  // no COMMIT of its own). When the statement fails, the COMMIT is not run and the transaction
  // stays open, failed, for the caller's ROLLBACK.
  Rows ExecCommit(const std::string& sql, const Params& params = {});
  // The same for several statements, run in order, then COMMIT, all in one round trip; the
  // last statement's rows. Each statement takes its own snapshot (READ COMMITTED), so one that
  // follows a lock sees what the lock waited for.
  struct Statement {
    const std::string& sql;
    const Params& params;
  };
  Rows ExecCommit(std::span<const Statement> statements);
  // Whether the last transaction ended in ExecCommit; reading it forgets it (and commit_sent),
  // so that neither outlives its transaction.
  bool TakeCommitted() {
    commit_sent_ = false;
    return std::exchange(committed_, false);
  }
  // A COMMIT went out since the last TakeCommitted: when the connection broke meanwhile, the
  // transaction may or may not have committed.
  bool commit_sent() const { return commit_sent_; }
  // After the server went away: reconnect, forgetting prepared statements. False if it cannot.
  bool Reset();
  bool ok() const { return PQstatus(c_.get()) == CONNECTION_OK; }
  int socket() const { return PQsocket(c_.get()); }
  // Reads what the server sent without waiting, and returns the channels of the notifications
  // that came (LISTEN); throws PgError when the connection is gone.
  std::vector<std::string> Notifications();

 private:
  [[noreturn]] void Fail(PGresult* r, const std::string& what);
  // BEGIN (when one is pending), then for each statement its PREPARE when it is new and the
  // statement, then (commit) COMMIT, sent together in pipeline mode.
  Rows Pipeline(std::span<const Statement> statements, bool commit);
  std::unique_ptr<PGconn, decltype(&PQfinish)> c_;
  std::map<std::string, std::string> prepared_;  // SQL text → statement name
  bool begin_pending_ = false;
  bool committed_ = false;
  bool commit_sent_ = false;
  bool ended_ = false;  // the server announced the session's end (a FATAL notice)
  static void NoticeReceiver(void* self, const PGresult* r);
};

}  // namespace floe::store::postgres
