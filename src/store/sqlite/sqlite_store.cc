#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>

#include "core/time.h"
#include "store/sqlite/migrations.h"

namespace floe::store::sqlite {

using core::Error;

namespace {

constexpr char kTemplateColumns[] =
    "template_id, account_id, name, type, category, video_codec, config, create_time";

TemplateRecord TemplateFromRow(const Stmt& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Int(7)};
}

constexpr char kJobColumns[] =
    "job_id, account_id, name, template_id, template_name, template_type, template_config, "
    "start_mode, status, input_type, input_url, output_type, output_domain, output_url, "
    "start_time, end_time, create_time, backup_input_url";

JobRecord JobFromRow(const Stmt& s) {
  JobRecord j;
  j.job_id = s.Text(0);
  j.account_id = s.Text(1);
  j.name = s.Text(2);
  j.template_id = s.Text(3);
  j.template_name = s.Text(4);
  j.template_type = s.Text(5);
  j.template_config = s.Text(6);
  j.start_mode = static_cast<StartMode>(s.Int(7));
  j.status = static_cast<JobStatus>(s.Int(8));
  j.input_type = s.Text(9);
  j.input_url = s.Text(10);
  j.output_type = s.Text(11);
  j.output_domain = s.Text(12);
  j.output_url = s.Text(13);
  j.start_time_ms = s.Int(14);
  j.end_time_ms = s.Int(15);
  j.create_time_ms = s.Int(16);
  j.backup_input_url = s.Text(17);
  return j;
}

Account AccountFromRow(const Stmt& s) {
  return {s.Text(0), s.Text(1), s.Int(2) != 0, s.Int(3)};
}

// Escapes LIKE wildcards so that a KeyWord matches literally.
std::string LikePattern(const std::string& keyword) {
  std::string out = "%";
  for (char c : keyword) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "%";
}

// One page of a list, newest first unless asked otherwise, and the count of all matches. `bind`
// binds the WHERE clause's parameters ?1..?6; ?7 and ?8 are LIMIT and OFFSET.
template <class Page, class Query, class FromRow>
Page ListPage(Db& db, const char* columns, const std::string& where, const Query& q,
              const std::function<void(Stmt&)>& bind, FromRow from_row) {
  Page page;
  {
    auto s = db.Prepare("SELECT COUNT(*)" + where);
    bind(s);
    s.Step();
    page.total_count = s.Int(0);
  }
  std::string order = q.ascending ? " ORDER BY create_time ASC, rowid ASC"
                                  : " ORDER BY create_time DESC, rowid DESC";
  auto s = db.Prepare(std::string("SELECT ") + columns + where + order + " LIMIT ?7 OFFSET ?8");
  bind(s);
  s.Bind(7, int64_t{q.page_size}).Bind(8, int64_t{q.page_no - 1} * q.page_size);
  while (s.Step()) page.items.push_back(from_row(s));
  return page;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : path_(path) {
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

template <class T>
Result<T> SqliteStore::Read(const std::function<T(Db&)>& fn) {
  std::unique_ptr<Db> db;
  {
    std::lock_guard lock(read_mu_);
    if (!readers_.empty()) {
      db = std::move(readers_.back());
      readers_.pop_back();
    }
  }
  try {
    if (!db) db = std::make_unique<Db>(path_);
    T out = fn(*db);
    std::lock_guard lock(read_mu_);
    readers_.push_back(std::move(db));
    return out;
  } catch (const std::exception& e) {
    spdlog::error("event=store_read_error error=\"{}\"", e.what());
    return Error::Internal("store read failed");
  }
}

Result<void> SqliteStore::CreateAccount(const Account& a,
                                        const std::optional<AccessKey>& first_key) {
  return Write([&](Db& db) -> Result<void> {
    db.Prepare("INSERT INTO accounts(account_id, name, ice_enabled, create_time) VALUES (?,?,?,?)")
        .Bind(1, a.account_id)
        .Bind(2, a.name)
        .Bind(3, int64_t{a.ice_enabled ? 1 : 0})
        .Bind(4, a.create_time_ms)
        .Step();
    if (first_key) InsertAccessKey(db, *first_key);
    return {};
  });
}

Result<std::optional<Account>> SqliteStore::GetAccount(const std::string& account_id) {
  return Read<std::optional<Account>>([&](Db& db) -> std::optional<Account> {
    auto s = db.Prepare(
        "SELECT account_id, name, ice_enabled, create_time FROM accounts WHERE account_id = ?");
    s.Bind(1, account_id);
    if (!s.Step()) return std::nullopt;
    return AccountFromRow(s);
  });
}

Result<std::optional<Account>> SqliteStore::GetRootAccount() {
  return Read<std::optional<Account>>([&](Db& db) -> std::optional<Account> {
    auto s = db.Prepare(
        "SELECT account_id, name, ice_enabled, create_time FROM accounts "
        "ORDER BY create_time, rowid LIMIT 1");
    if (!s.Step()) return std::nullopt;
    return AccountFromRow(s);
  });
}

void SqliteStore::InsertAccessKey(Db& db, const AccessKey& k) {
  db.Prepare(
        "INSERT INTO access_keys(access_key_id, secret, account_id, user_name, active, "
        "create_time, sealed) VALUES (?,?,?,?,?,?,?)")
      .Bind(1, k.access_key_id)
      .Bind(2, k.secret)
      .Bind(3, k.account_id)
      .Bind(4, k.user_name)
      .Bind(5, int64_t{k.active ? 1 : 0})
      .Bind(6, k.create_time_ms)
      .Bind(7, int64_t{k.sealed ? 1 : 0})
      .Step();
}

Result<void> SqliteStore::CreateAccessKey(const AccessKey& k) {
  return Write([&](Db& db) -> Result<void> {
    InsertAccessKey(db, k);
    return {};
  });
}

Result<std::optional<AccessKey>> SqliteStore::GetAccessKey(const std::string& access_key_id) {
  return Read<std::optional<AccessKey>>([&](Db& db) -> std::optional<AccessKey> {
    auto s = db.Prepare(
        "SELECT access_key_id, secret, account_id, user_name, active, create_time, sealed "
        "FROM access_keys WHERE access_key_id = ?");
    s.Bind(1, access_key_id);
    if (!s.Step()) return std::nullopt;
    return AccessKey{s.Text(0),     s.Text(1), s.Text(2),    s.Text(3),
                     s.Int(4) != 0, s.Int(5),  s.Int(6) != 0};
  });
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

Result<bool> SqliteStore::SetIceEnabled(const std::string& account_id, bool enabled) {
  return WriteChanged([&](Db& db) {
    db.Prepare("UPDATE accounts SET ice_enabled = ? WHERE account_id = ?")
        .Bind(1, int64_t{enabled ? 1 : 0})
        .Bind(2, account_id)
        .Step();
  });
}

Result<bool> SqliteStore::SetAccessKeyActive(const std::string& access_key_id, bool active) {
  return WriteChanged([&](Db& db) {
    db.Prepare("UPDATE access_keys SET active = ? WHERE access_key_id = ?")
        .Bind(1, int64_t{active ? 1 : 0})
        .Bind(2, access_key_id)
        .Step();
  });
}

Result<bool> SqliteStore::DeleteAccessKey(const std::string& access_key_id) {
  return WriteChanged([&](Db& db) {
    db.Prepare("DELETE FROM access_keys WHERE access_key_id = ?").Bind(1, access_key_id).Step();
  });
}

Result<int> SqliteStore::SealPlaintextSecrets(
    const std::function<std::string(const std::string&)>& seal) {
  int count = 0;
  auto r = Write([&](Db& db) -> Result<void> {
    std::vector<std::pair<std::string, std::string>> plain;
    {
      auto s = db.Prepare("SELECT access_key_id, secret FROM access_keys WHERE sealed = 0");
      while (s.Step()) plain.emplace_back(s.Text(0), s.Text(1));
    }
    for (const auto& [id, secret] : plain) {
      db.Prepare("UPDATE access_keys SET secret = ?, sealed = 1 WHERE access_key_id = ?")
          .Bind(1, seal(secret))
          .Bind(2, id)
          .Step();
    }
    count = static_cast<int>(plain.size());
    return {};
  });
  if (!r) return r.error();
  return count;
}

Result<bool> SqliteStore::CreateRamUser(const RamUser& u) {
  return WriteChanged([&](Db& db) {
    db.Prepare(
          "INSERT INTO ram_users(account_id, user_name, create_time) VALUES (?,?,?) "
          "ON CONFLICT(account_id, user_name) DO NOTHING")
        .Bind(1, u.account_id)
        .Bind(2, u.user_name)
        .Bind(3, u.create_time_ms)
        .Step();
  });
}

Result<std::optional<RamUser>> SqliteStore::GetRamUser(const std::string& account_id,
                                                       const std::string& user_name) {
  return Read<std::optional<RamUser>>([&](Db& db) -> std::optional<RamUser> {
    auto s = db.Prepare(
        "SELECT account_id, user_name, create_time FROM ram_users "
        "WHERE account_id = ? AND user_name = ?");
    s.Bind(1, account_id).Bind(2, user_name);
    if (!s.Step()) return std::nullopt;
    return RamUser{s.Text(0), s.Text(1), s.Int(2)};
  });
}

Result<void> SqliteStore::AttachPolicy(const std::string& account_id, const std::string& user_name,
                                       const std::string& document) {
  return Write([&](Db& db) -> Result<void> {
    db.Prepare(
          "INSERT INTO ram_policies(account_id, user_name, document, create_time) "
          "VALUES (?,?,?,?)")
        .Bind(1, account_id)
        .Bind(2, user_name)
        .Bind(3, document)
        .Bind(4, core::NowMillis())
        .Step();
    return {};
  });
}

Result<std::vector<std::string>> SqliteStore::ListPolicies(const std::string& account_id,
                                                           const std::string& user_name) {
  return Read<std::vector<std::string>>([&](Db& db) {
    auto s = db.Prepare(
        "SELECT document FROM ram_policies WHERE account_id = ? AND user_name = ? "
        "ORDER BY policy_id");
    s.Bind(1, account_id).Bind(2, user_name);
    std::vector<std::string> docs;
    while (s.Step()) docs.push_back(s.Text(0));
    return docs;
  });
}

Result<bool> SqliteStore::UseNonce(const std::string& nonce_key, int64_t now_ms,
                                   int64_t expires_ms) {
  bool fresh = false;
  auto r = Write([&](Db& db) -> Result<void> {
    // Expired nonces are dropped now and then, so the table holds about one window's worth.
    if (now_ms >= next_nonce_purge_ms_) {
      db.Prepare("DELETE FROM nonces WHERE expires_at < ?").Bind(1, now_ms).Step();
      next_nonce_purge_ms_ = now_ms + 10'000;
    }
    db.Prepare(
          "INSERT INTO nonces(nonce_key, expires_at) VALUES (?1, ?2) ON CONFLICT(nonce_key) "
          "DO UPDATE SET expires_at = ?2 WHERE nonces.expires_at < ?3")
        .Bind(1, nonce_key)
        .Bind(2, expires_ms)
        .Bind(3, now_ms)
        .Step();
    fresh = sqlite3_changes(db.handle()) > 0;
    return {};
  });
  if (!r) return r.error();
  return fresh;
}

Result<void> SqliteStore::InsertTemplate(const TemplateRecord& t) {
  return Write([&](Db& db) -> Result<void> {
    db.Prepare(std::string("INSERT INTO templates(") + kTemplateColumns +
               ") VALUES (?,?,?,?,?,?,?,?)")
        .Bind(1, t.template_id)
        .Bind(2, t.account_id)
        .Bind(3, t.name)
        .Bind(4, t.type)
        .Bind(5, t.category)
        .Bind(6, t.video_codec)
        .Bind(7, t.config_json)
        .Bind(8, t.create_time_ms)
        .Step();
    return {};
  });
}

Result<std::optional<TemplateRecord>> SqliteStore::GetTemplate(const std::string& account_id,
                                                               const std::string& template_id) {
  return Read<std::optional<TemplateRecord>>([&](Db& db) -> std::optional<TemplateRecord> {
    auto s = db.Prepare(std::string("SELECT ") + kTemplateColumns +
                        " FROM templates WHERE template_id = ? AND (account_id = ? OR "
                        "category = 'system')");
    s.Bind(1, template_id).Bind(2, account_id);
    if (!s.Step()) return std::nullopt;
    return TemplateFromRow(s);
  });
}

Result<TemplatePage> SqliteStore::ListTemplates(const TemplateQuery& q) {
  static const std::string kWhere =
      " FROM templates WHERE (account_id = ?1 OR category = 'system')"
      " AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR video_codec = ?3)"
      " AND (?4 IS NULL OR category = ?4)"
      " AND (?5 IS NULL OR template_id = ?5 OR name LIKE ?6 ESCAPE '\\')";
  return Read<TemplatePage>([&](Db& db) {
    return ListPage<TemplatePage>(
        db, kTemplateColumns, kWhere, q,
        [&](Stmt& s) {
          s.Bind(1, q.account_id).Bind(2, q.type).Bind(3, q.video_codec).Bind(4, q.category);
          s.Bind(5, q.keyword);
          s.Bind(6, q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
        },
        TemplateFromRow);
  });
}

Result<TemplateWrite> SqliteStore::UpdateTemplate(const std::string& account_id,
                                                  const std::string& template_id,
                                                  const TemplateMutation& mutate) {
  TemplateWrite outcome = TemplateWrite::kNotFound;
  auto r = Write([&](Db& db) -> Result<void> {
    std::optional<TemplateRecord> current;
    {
      auto s = db.Prepare(std::string("SELECT ") + kTemplateColumns +
                          " FROM templates WHERE template_id = ? AND account_id = ? AND "
                          "category = 'customized'");
      s.Bind(1, template_id).Bind(2, account_id);
      if (s.Step()) current = TemplateFromRow(s);
    }
    if (!current) return {};
    if (TemplateInUse(db, template_id)) {
      outcome = TemplateWrite::kInUse;
      return {};
    }
    auto next = mutate(*current);
    if (!next) return next.error();
    db.Prepare(
          "UPDATE templates SET name = ?, type = ?, video_codec = ?, config = ? "
          "WHERE template_id = ? AND account_id = ?")
        .Bind(1, next->name)
        .Bind(2, next->type)
        .Bind(3, next->video_codec)
        .Bind(4, next->config_json)
        .Bind(5, template_id)
        .Bind(6, account_id)
        .Step();
    outcome = TemplateWrite::kDone;
    return {};
  });
  if (!r) return r.error();
  return outcome;
}

Result<TemplateWrite> SqliteStore::DeleteTemplate(const std::string& account_id,
                                                  const std::string& template_id) {
  TemplateWrite outcome = TemplateWrite::kNotFound;
  auto r = Write([&](Db& db) -> Result<void> {
    {
      auto s = db.Prepare(
          "SELECT 1 FROM templates WHERE template_id = ? AND account_id = ? AND "
          "category = 'customized'");
      s.Bind(1, template_id).Bind(2, account_id);
      if (!s.Step()) return {};
    }
    if (TemplateInUse(db, template_id)) {
      outcome = TemplateWrite::kInUse;
      return {};
    }
    db.Prepare("DELETE FROM templates WHERE template_id = ? AND account_id = ?")
        .Bind(1, template_id)
        .Bind(2, account_id)
        .Step();
    outcome = TemplateWrite::kDone;
    return {};
  });
  if (!r) return r.error();
  return outcome;
}

bool SqliteStore::TemplateInUse(Db& db, const std::string& template_id) {
  auto s = db.Prepare("SELECT 1 FROM jobs WHERE template_id = ? AND status != 2 LIMIT 1");
  s.Bind(1, template_id);
  return s.Step();
}

void SqliteStore::InsertJobEvent(Db& db, const JobEvent& e) {
  db.Prepare("INSERT INTO job_events(job_id, time, event, detail) VALUES (?,?,?,?)")
      .Bind(1, e.job_id)
      .Bind(2, e.time_ms)
      .Bind(3, e.event)
      .Bind(4, e.detail)
      .Step();
}

Result<JobInsert> SqliteStore::InsertJob(JobRecord job, const JobLimits& limits) {
  JobInsert out;
  out.outcome = JobInsertOutcome::kNoTemplate;
  auto r = Write([&](Db& db) -> Result<void> {
    auto over = [&](const char* where, int limit, const std::string& account) {
      if (limit <= 0) return false;
      auto s = db.Prepare(std::string("SELECT COUNT(*) FROM jobs WHERE status != 2") + where);
      if (!account.empty()) s.Bind(1, account);
      s.Step();
      out.live_jobs = static_cast<int>(s.Int(0));
      return out.live_jobs >= limit;
    };
    if (over(" AND account_id = ?", limits.per_account, job.account_id)) {
      out.outcome = JobInsertOutcome::kAccountLimit;
      return {};
    }
    if (over("", limits.total, "")) {
      out.outcome = JobInsertOutcome::kTotalLimit;
      return {};
    }
    {
      auto s = db.Prepare(
          "SELECT name, type, config FROM templates WHERE template_id = ? AND "
          "(account_id = ? OR category = 'system')");
      s.Bind(1, job.template_id).Bind(2, job.account_id);
      if (!s.Step()) return {};
      job.template_name = s.Text(0);
      job.template_type = s.Text(1);
      job.template_config = s.Text(2);
    }
    out.outcome = JobInsertOutcome::kInserted;
    db.Prepare(std::string("INSERT INTO jobs(") + kJobColumns +
               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .Bind(1, job.job_id)
        .Bind(2, job.account_id)
        .Bind(3, job.name)
        .Bind(4, job.template_id)
        .Bind(5, job.template_name)
        .Bind(6, job.template_type)
        .Bind(7, job.template_config)
        .Bind(8, int64_t{ApiValue(job.start_mode)})
        .Bind(9, int64_t{ApiValue(job.status)})
        .Bind(10, job.input_type)
        .Bind(11, job.input_url)
        .Bind(12, job.output_type)
        .Bind(13, job.output_domain)
        .Bind(14, job.output_url)
        .Bind(15, job.start_time_ms)
        .Bind(16, job.end_time_ms)
        .Bind(17, job.create_time_ms)
        .Bind(18, job.backup_input_url)
        .Step();
    InsertJobEvent(db, {job.job_id, job.create_time_ms, "submitted",
                        job.start_mode == StartMode::kNow ? "start now" : "timed"});
    return {};
  });
  if (!r) return r.error();
  if (out.outcome == JobInsertOutcome::kInserted) out.job = std::move(job);
  return out;
}

Result<std::optional<JobRecord>> SqliteStore::GetJob(const std::string& account_id,
                                                     const std::string& job_id) {
  return Read<std::optional<JobRecord>>([&](Db& db) -> std::optional<JobRecord> {
    auto s = db.Prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE job_id = ? AND account_id = ?");
    s.Bind(1, job_id).Bind(2, account_id);
    if (!s.Step()) return std::nullopt;
    return JobFromRow(s);
  });
}

Result<JobPage> SqliteStore::ListJobs(const JobQuery& q) {
  static const std::string kWhere =
      " FROM jobs WHERE account_id = ?1 AND (?2 IS NULL OR template_type = ?2)"
      " AND (?3 IS NULL OR start_mode = ?3) AND (?4 IS NULL OR status = ?4)"
      " AND (?5 IS NULL OR job_id = ?5 OR name LIKE ?6 ESCAPE '\\')";
  return Read<JobPage>([&](Db& db) {
    return ListPage<JobPage>(
        db, kJobColumns, kWhere, q,
        [&](Stmt& s) {
          s.Bind(1, q.account_id).Bind(2, q.type);
          s.Bind(3, q.start_mode ? std::optional<int64_t>(ApiValue(*q.start_mode)) : std::nullopt);
          s.Bind(4, q.status ? std::optional<int64_t>(ApiValue(*q.status)) : std::nullopt);
          s.Bind(5, q.keyword);
          s.Bind(6, q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
        },
        JobFromRow);
  });
}

Result<std::vector<JobRecord>> SqliteStore::ListLiveJobs() {
  return Read<std::vector<JobRecord>>([&](Db& db) {
    auto s = db.Prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE status != 2 ORDER BY create_time, rowid");
    std::vector<JobRecord> jobs;
    while (s.Step()) jobs.push_back(JobFromRow(s));
    return jobs;
  });
}

Result<bool> SqliteStore::UpdateJob(const std::string& account_id, const std::string& job_id,
                                    const JobMutation& mutate) {
  bool found = false;
  auto r = Write([&](Db& db) -> Result<void> {
    std::optional<JobRecord> current;
    {
      auto s = db.Prepare(std::string("SELECT ") + kJobColumns +
                          " FROM jobs WHERE job_id = ? AND account_id = ?");
      s.Bind(1, job_id).Bind(2, account_id);
      if (s.Step()) current = JobFromRow(s);
    }
    if (!current) return {};
    found = true;
    std::vector<JobEvent> events;
    auto next = mutate(*current, events);
    if (!next) return next.error();
    db.Prepare(
          "UPDATE jobs SET name = ?, status = ?, input_type = ?, input_url = ?, "
          "output_type = ?, output_domain = ?, output_url = ?, start_time = ?, end_time = ?, "
          "backup_input_url = ? WHERE job_id = ? AND account_id = ?")
        .Bind(1, next->name)
        .Bind(2, int64_t{ApiValue(next->status)})
        .Bind(3, next->input_type)
        .Bind(4, next->input_url)
        .Bind(5, next->output_type)
        .Bind(6, next->output_domain)
        .Bind(7, next->output_url)
        .Bind(8, next->start_time_ms)
        .Bind(9, next->end_time_ms)
        .Bind(10, next->backup_input_url)
        .Bind(11, job_id)
        .Bind(12, account_id)
        .Step();
    for (auto& e : events) {
      e.job_id = job_id;
      InsertJobEvent(db, e);
    }
    return {};
  });
  if (!r) return r.error();
  return found;
}

Result<bool> SqliteStore::DeleteJob(const std::string& account_id, const std::string& job_id) {
  bool deleted = false;
  auto r = Write([&](Db& db) -> Result<void> {
    db.Prepare("DELETE FROM jobs WHERE job_id = ? AND account_id = ?")
        .Bind(1, job_id)
        .Bind(2, account_id)
        .Step();
    deleted = sqlite3_changes(db.handle()) > 0;
    if (deleted) db.Prepare("DELETE FROM job_events WHERE job_id = ?").Bind(1, job_id).Step();
    return {};
  });
  if (!r) return r.error();
  return deleted;
}

Result<void> SqliteStore::AddJobEvent(const JobEvent& e) {
  return Write([&](Db& db) -> Result<void> {
    InsertJobEvent(db, e);
    return {};
  });
}

Result<std::vector<JobEvent>> SqliteStore::ListJobEvents(const std::string& job_id, int limit) {
  return Read<std::vector<JobEvent>>([&](Db& db) {
    auto s = db.Prepare(
        "SELECT job_id, time, event, detail FROM (SELECT event_id, job_id, time, event, detail "
        "FROM job_events WHERE job_id = ? ORDER BY event_id DESC LIMIT ?) ORDER BY event_id");
    s.Bind(1, job_id).Bind(2, int64_t{limit});
    std::vector<JobEvent> events;
    while (s.Step()) events.push_back({s.Text(0), s.Int(1), s.Text(2), s.Text(3)});
    return events;
  });
}

// Read<T> lives here; the other files of the store name what they read with.
template Result<std::optional<Domain>> SqliteStore::Read(
    const std::function<std::optional<Domain>(Db&)>&);
template Result<std::vector<Domain>> SqliteStore::Read(
    const std::function<std::vector<Domain>(Db&)>&);

}  // namespace floe::store::sqlite
