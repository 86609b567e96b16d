// PostgresStore: templates.
#include "store/postgres/postgres_store.h"
#include "store/postgres/query.h"

namespace floe::store::postgres {

namespace {

// With the account's hash: creates of one account's templates take turns, on every node.
constexpr int kTemplateInsertLock = 0x466c6f54;  // "FloT"

constexpr char kTemplateColumns[] =
    "template_id, account_id, name, type, category, video_codec, config, create_time";

TemplateRecord TemplateAt(const Rows& r, int i) {
  return {r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
          r.Text(i, 4), r.Text(i, 5), r.Text(i, 6), r.Int(i, 7)};
}

bool TemplateInUse(Conn& c, const std::string& template_id) {
  return !c.Exec("SELECT 1 FROM jobs WHERE template_id = $1 AND status != 2 LIMIT 1",
                 Params().Add(template_id))
              .empty();
}

// The same test inside an UPDATE or DELETE of templates (its template_id column).
constexpr const char* kNotInUse =
    "NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.template_id = templates.template_id AND "
    "jobs.status != 2)";

// The account's customized template, its row locked until the transaction ends (a job submit
// on it waits, and then sees what this transaction did).
std::optional<TemplateRecord> LockCustomized(Conn& c, const std::string& account_id,
                                             const std::string& template_id) {
  auto r = c.Exec(std::string("SELECT ") + kTemplateColumns +
                      " FROM templates WHERE template_id = $1 AND account_id = $2 AND "
                      "category = 'customized' FOR UPDATE",
                  Params().Add(template_id).Add(account_id));
  if (r.empty()) return std::nullopt;
  return TemplateAt(r, 0);
}

// A template's new values ($1-$4) into the row ($5, $6); each caller adds its own conditions.
constexpr char kWriteTemplate[] =
    "UPDATE templates SET name = $1, type = $2, video_codec = $3, config = $4 "
    "WHERE template_id = $5 AND account_id = $6 AND ";

Params WriteParams(const TemplateRecord& next, const std::string& template_id,
                   const std::string& account_id) {
  return Params()
      .Add(next.name)
      .Add(next.type)
      .Add(next.video_codec)
      .Add(next.config_json)
      .Add(template_id)
      .Add(account_id);
}

}  // namespace

Result<bool> PostgresStore::InsertTemplate(const TemplateRecord& t, int max_per_account) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    if (max_per_account > 0) {
      c.Exec("SELECT pg_advisory_xact_lock($1::integer, hashtext($2))",
             Params().Add(kTemplateInsertLock).Add(t.account_id));
      auto n = c.Exec(
                    "SELECT COUNT(*) FROM templates WHERE account_id = $1 AND "
                    "category = 'customized'",
                    Params().Add(t.account_id))
                   .Int(0, 0);
      if (n >= max_per_account) return false;
    }
    c.Exec(std::string("INSERT INTO templates(") + kTemplateColumns +
               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
           Params()
               .Add(t.template_id)
               .Add(t.account_id)
               .Add(t.name)
               .Add(t.type)
               .Add(t.category)
               .Add(t.video_codec)
               .Add(t.config_json)
               .Add(t.create_time_ms));
    return true;
  });
}

Result<std::optional<TemplateRecord>> PostgresStore::GetTemplate(const std::string& account_id,
                                                                 const std::string& template_id) {
  return Tx<std::optional<TemplateRecord>>(
      [&](Conn& c) -> Result<std::optional<TemplateRecord>> {
        auto r = c.Exec(std::string("SELECT ") + kTemplateColumns +
                            " FROM templates WHERE template_id = $1 AND (account_id = $2 OR "
                            "category = 'system')",
                        Params().Add(template_id).Add(account_id));
        if (r.empty()) return std::optional<TemplateRecord>();
        return std::optional<TemplateRecord>(TemplateAt(r, 0));
      },
      true);
}

Result<TemplatePage> PostgresStore::ListTemplates(const TemplateQuery& q) {
  static const std::string kWhere =
      " FROM templates WHERE (account_id = $1 OR category = 'system')"
      " AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR video_codec = $3)"
      " AND ($4::text IS NULL OR category = $4)"
      " AND ($5::text IS NULL OR template_id = $5 OR name ILIKE $6 ESCAPE '\\')";
  return Tx<TemplatePage>(
      [&](Conn& c) -> Result<TemplatePage> {
        Params p;
        p.Add(q.account_id).Add(q.type).Add(q.video_codec).Add(q.category).Add(q.keyword);
        p.Add(q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
        return ListPage<TemplatePage>(c, kTemplateColumns, kWhere, q, p, TemplateAt);
      },
      true);
}

// Enough for every template a node's clients keep changing; past it the map starts again.
constexpr size_t kKnownTemplates = 1024;

void PostgresStore::RememberTemplate(const TemplateRecord& t) {
  std::lock_guard lock(known_mu_);
  if (known_.size() >= kKnownTemplates) known_.clear();
  known_.insert_or_assign({t.account_id, t.template_id}, t);
}

void PostgresStore::ForgetTemplate(const std::string& account_id, const std::string& template_id) {
  std::lock_guard lock(known_mu_);
  known_.erase({account_id, template_id});
}

Result<std::optional<TemplateWrite>> PostgresStore::UpdateKnownVersion(
    const std::string& account_id, const std::string& template_id, const TemplateMutation& mutate) {
  std::optional<TemplateRecord> known;
  {
    std::lock_guard lock(known_mu_);
    if (auto it = known_.find({account_id, template_id}); it != known_.end()) known = it->second;
  }
  if (!known) return std::optional<TemplateWrite>();
  // The lock first, as its own statement: it waits for a job submit that holds the row, and
  // the UPDATE after it then takes a snapshot that sees that job. The UPDATE writes only if
  // the row is still the version known here, and not in use. One round trip for the four.
  static const std::string kLock =
      "SELECT 1 FROM templates WHERE template_id = $1 AND account_id = $2 FOR UPDATE";
  static const std::string kWrite =
      std::string(kWriteTemplate) +
      "category = 'customized' AND name = $7 AND type = $8 AND video_codec = $9 AND "
      "config = $10 AND " +
      kNotInUse;
  std::optional<TemplateRecord> next;
  auto written = Tx<bool>([&](Conn& c) -> Result<bool> {
    auto merged = mutate(*known);
    // Refused: nothing sent; the locked path gives the first answer (in use, or this).
    if (!merged) return false;
    next = std::move(*merged);
    const Params lock = Params().Add(template_id).Add(account_id);
    const Params write = WriteParams(*next, template_id, account_id)
                             .Add(known->name)
                             .Add(known->type)
                             .Add(known->video_codec)
                             .Add(known->config_json);
    const Conn::Statement both[] = {{kLock, lock}, {kWrite, write}};
    return c.ExecCommit(both).affected() > 0;
  });
  if (!written) return written.error();
  if (!*written) {
    ForgetTemplate(account_id, template_id);
    return std::optional<TemplateWrite>();
  }
  ++known_version_updates_;
  RememberTemplate(*next);
  return std::optional<TemplateWrite>(TemplateWrite::kDone);
}

Result<TemplateWrite> PostgresStore::UpdateTemplate(const std::string& account_id,
                                                    const std::string& template_id,
                                                    const TemplateMutation& mutate) {
  auto quick = UpdateKnownVersion(account_id, template_id, mutate);
  if (!quick) return quick.error();
  if (*quick) return **quick;
  std::optional<TemplateRecord> written;
  auto r = Tx<TemplateWrite>([&](Conn& c) -> Result<TemplateWrite> {
    written.reset();
    auto current = LockCustomized(c, account_id, template_id);
    if (!current) return TemplateWrite::kNotFound;
    auto next = mutate(*current);
    if (!next) {
      if (TemplateInUse(c, template_id)) return TemplateWrite::kInUse;  // the first answer
      return next.error();
    }
    // The in-use check rides on the write: the row is locked, so a submit on this template
    // waits, and this statement's snapshot sees every job committed before the lock. The
    // COMMIT travels with it (one round trip).
    bool done = c.ExecCommit(std::string(kWriteTemplate) + kNotInUse,
                             WriteParams(*next, template_id, account_id))
                    .affected() > 0;
    if (done) written = std::move(*next);
    return done ? TemplateWrite::kDone : TemplateWrite::kInUse;
  });
  if (written && r && *r == TemplateWrite::kDone) RememberTemplate(*written);
  return r;
}

Result<TemplateWrite> PostgresStore::DeleteTemplate(const std::string& account_id,
                                                    const std::string& template_id) {
  auto r = Tx<TemplateWrite>([&](Conn& c) -> Result<TemplateWrite> {
    if (!LockCustomized(c, account_id, template_id)) return TemplateWrite::kNotFound;
    bool deleted =
        c.ExecCommit("DELETE FROM templates WHERE template_id = $1 AND account_id = $2 AND " +
                         std::string(kNotInUse),
                     Params().Add(template_id).Add(account_id))
            .affected() > 0;
    return deleted ? TemplateWrite::kDone : TemplateWrite::kInUse;
  });
  ForgetTemplate(account_id, template_id);
  return r;
}

}  // namespace floe::store::postgres
