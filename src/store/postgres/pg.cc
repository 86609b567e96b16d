#include "store/postgres/pg.h"

#include <poll.h>

#include <cstdio>

#include "store/store_url.h"

namespace floe::store::postgres {

Params& Params::Add(const std::vector<std::string>& v) {
  std::string literal = "{";
  for (const auto& e : v) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (char ch : e) {
      if (ch == '"' || ch == '\\') literal += '\\';
      literal += ch;
    }
    literal += '"';
  }
  return Push(literal + "}");
}

Params& Params::Add(const std::vector<int64_t>& v) {
  std::vector<std::string> text;
  text.reserve(v.size());
  for (int64_t e : v) text.push_back(std::to_string(e));
  return Add(text);
}

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::stoll(n) : 0;
}

Conn::Conn(const std::string& url) : c_(PQconnectdb(url.c_str()), &PQfinish) {
  if (!c_ || PQstatus(c_.get()) != CONNECTION_OK) {
    // libpq's reason may quote the URL, or the malformed part of it (the password's too).
    std::string why = c_ ? MaskStoreMessage(PQerrorMessage(c_.get()), url) : "out of memory";
    throw PgError("cannot connect to PostgreSQL: " + why, "08001", true);
  }
  PQsetNoticeReceiver(c_.get(), &Conn::NoticeReceiver, this);
  Simple("SET client_min_messages = warning");  // no NOTICE chatter on stderr
}

void Conn::NoticeReceiver(void* self, const PGresult* r) {
  // A FATAL outside a query is the session's end, announced before its socket closes.
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity && (std::string(severity) == "FATAL" || std::string(severity) == "PANIC")) {
    static_cast<Conn*>(self)->ended_ = true;
  }
  std::fputs(PQresultErrorMessage(r), stderr);  // what libpq's default receiver does
}

void Conn::Fail(PGresult* r, const std::string& what) {
  std::string state;
  if (r) {
    const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (s) state = s;
  }
  std::string message = PQerrorMessage(c_.get());
  if (r) PQclear(r);
  bool lost = PQstatus(c_.get()) != CONNECTION_OK;
  if (state.empty() && lost) state = "08006";
  throw PgError(what + ": " + message, state, lost);
}

namespace {

std::vector<const char*> Values(const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
  return values;
}

}  // namespace

Rows Conn::Exec(const std::string& sql, const Params& params) {
  if (begin_pending_) {
    const Statement one{sql, params};
    return Pipeline({&one, 1}, false);
  }
  std::vector<const char*> values = Values(params);
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    PGresult* r =
        PQprepare(c_.get(), name.c_str(), sql.c_str(), static_cast<int>(values.size()), nullptr);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) Fail(r, "prepare failed");
    PQclear(r);
    it = prepared_.emplace(sql, name).first;
  }
  PGresult* r = PQexecPrepared(c_.get(), it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0);
  auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) Fail(r, "statement failed");
  return Rows(r);
}

Rows Conn::ExecCommit(const std::string& sql, const Params& params) {
  const Statement one{sql, params};
  return Pipeline({&one, 1}, true);
}

Rows Conn::ExecCommit(std::span<const Statement> statements) {
  return Pipeline(statements, true);
}

Rows Conn::Pipeline(std::span<const Statement> statements, bool commit) {
  const bool begin = std::exchange(begin_pending_, false);
  PGconn* c = c_.get();
  if (commit) {
    // A session that ended while the transaction waited (PostgreSQL restarted, an operator
    // ended it) has said so by now (its FATAL comes as a notice: NoticeReceiver): fail before
    // the COMMIT goes, so that the caller knows nothing committed and may run it again. One
    // that ends after this is a COMMIT of unknown outcome (commit_sent).
    pollfd p{PQsocket(c), POLLIN, 0};
    if (poll(&p, 1, 0) > 0 && PQconsumeInput(c) == 1) PQisBusy(c);  // reads, then parses
    if (ended_ || PQstatus(c) != CONNECTION_OK) {
      throw PgError("connection lost: the session ended", "57P01", true);
    }
    commit_sent_ = true;
  }
  // What each result of the pipeline answers, in the order they come back.
  enum class Kind { kBegin, kPrepare, kStatement, kCommit };
  struct Step {
    Kind kind;
    size_t statement = 0;
  };
  std::vector<Step> steps;
  std::vector<std::vector<const char*>> values(statements.size());
  std::vector<std::string> names(statements.size());
  std::map<std::string, std::string> fresh;  // prepared by this pipeline: SQL text → name
  if (PQenterPipelineMode(c) != 1) Fail(nullptr, "pipeline mode failed");
  bool sent = true;
  if (begin) {
    sent = PQsendQueryParams(c, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    steps.push_back({Kind::kBegin});
  }
  for (size_t i = 0; i < statements.size() && sent; ++i) {
    const std::string& sql = statements[i].sql;
    values[i] = Values(statements[i].params);
    const int n = static_cast<int>(values[i].size());
    if (auto it = prepared_.find(sql); it != prepared_.end()) {
      names[i] = it->second;
    } else if (auto f = fresh.find(sql); f != fresh.end()) {
      names[i] = f->second;
    } else {
      names[i] = "s" + std::to_string(prepared_.size() + fresh.size());
      fresh.emplace(sql, names[i]);
      sent = PQsendPrepare(c, names[i].c_str(), sql.c_str(), n, nullptr) == 1;
      steps.push_back({Kind::kPrepare, i});
    }
    sent = sent &&
           PQsendQueryPrepared(c, names[i].c_str(), n, values[i].data(), nullptr, nullptr, 0) == 1;
    steps.push_back({Kind::kStatement, i});
  }
  if (commit && sent) {
    sent = PQsendQueryParams(c, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    steps.push_back({Kind::kCommit});
  }
  sent = sent && PQpipelineSync(c) == 1;
  // The results: each query's, each followed by a null, then the sync. The first error is
  // kept (what follows it in the pipeline comes back aborted); the last statement's rows are
  // kept.
  const size_t last = statements.size() - 1;
  PGresult* error = nullptr;
  PGresult* rows = nullptr;
  bool commit_done = false;  // the COMMIT's own result came back, not aborted
  size_t query = 0;
  for (int nulls = 0; sent && nulls < 2;) {
    PGresult* r = PQgetResult(c);
    if (!r) {
      ++query, ++nulls;
      if (PQstatus(c) != CONNECTION_OK) break;
      continue;
    }
    nulls = 0;
    auto status = PQresultStatus(r);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      break;
    }
    const Step step = query < steps.size() ? steps[query] : Step{Kind::kBegin};
    const bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    // A statement prepared stays prepared whatever follows (the protocol's Parse is not
    // undone by a rollback): remember it, or the next try would prepare the name again.
    if (step.kind == Kind::kPrepare && status == PGRES_COMMAND_OK) {
      prepared_.emplace(statements[step.statement].sql, names[step.statement]);
    }
    if (status == PGRES_FATAL_ERROR && !error) {
      error = r;
    } else if (step.kind == Kind::kStatement && step.statement == last && !error && ok) {
      if (rows) PQclear(rows);
      rows = r;
    } else {
      if (step.kind == Kind::kCommit && status == PGRES_COMMAND_OK && !error) commit_done = true;
      PQclear(r);
    }
  }
  bool left = PQexitPipelineMode(c) == 1;
  if (error || !sent || !left || !rows || (commit && !commit_done)) {
    if (rows) PQclear(rows);
    Fail(error, "statement failed");
  }
  committed_ = commit;
  return Rows(rows);
}

void Conn::Simple(const std::string& sql) {
  if (begin_pending_) {
    begin_pending_ = false;
    if (sql == "COMMIT" || sql == "ROLLBACK") return;  // nothing ran: nothing to end
    Simple("BEGIN");
  }
  PGresult* r = PQexec(c_.get(), sql.c_str());
  auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) Fail(r, "statement failed");
  PQclear(r);
}

bool Conn::Reset() {
  prepared_.clear();
  begin_pending_ = false;
  committed_ = false;
  commit_sent_ = false;
  ended_ = false;
  PQreset(c_.get());
  if (!ok()) return false;
  try {
    Simple("SET client_min_messages = warning");
  } catch (const PgError&) {
    return false;
  }
  return true;
}

std::vector<std::string> Conn::Notifications() {
  if (PQconsumeInput(c_.get()) == 0 || !ok()) {
    throw PgError(std::string("connection lost: ") + PQerrorMessage(c_.get()), "", true);
  }
  std::vector<std::string> channels;
  while (PGnotify* n = PQnotifies(c_.get())) {
    channels.emplace_back(n->relname);
    PQfreemem(n);
  }
  return channels;
}

}  // namespace floe::store::postgres
