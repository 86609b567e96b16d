#include "store/postgres/pg.h"

#include "store/store_url.h"

namespace floe::store::postgres {

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
  Simple("SET client_min_messages = warning");  // no NOTICE chatter on stderr
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

Rows Conn::Exec(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    PGresult* r = PQprepare(c_.get(), name.c_str(), sql.c_str(),
                            static_cast<int>(params.values().size()), nullptr);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) Fail(r, "prepare failed");
    PQclear(r);
    it = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
  PGresult* r = PQexecPrepared(c_.get(), it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0);
  auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) Fail(r, "statement failed");
  return Rows(r);
}

void Conn::Simple(const std::string& sql) {
  PGresult* r = PQexec(c_.get(), sql.c_str());
  auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) Fail(r, "statement failed");
  PQclear(r);
}

bool Conn::Reset() {
  prepared_.clear();
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
