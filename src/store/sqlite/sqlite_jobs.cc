// SqliteStore: jobs and their events.
#include "store/sqlite/sqlite_store.h"

#include "store/job_history.h"
#include "store/sqlite/query.h"

namespace floe::store::sqlite {

using core::Error;

namespace {

constexpr char kJobColumns[] =
    "job_id, account_id, name, template_id, template_name, template_type, template_config, "
    "start_mode, status, input_type, input_url, output_type, output_domain, output_url, "
    "start_time, end_time, create_time, backup_input_url, family, output_json, notify_url";

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
  j.family = s.Text(18);
  j.output_json = s.Text(19);
  j.notify_url = s.Text(20);
  j.waiting = s.Int(21) != 0;
  j.lease_holder = s.Text(22);
  j.lease_epoch = s.Int(23);
  j.stop_time_ms = s.Int(24);
  j.events_dropped = s.Int(25);
  return j;
}

}  // namespace

const std::string SqliteStore::kJobSelect =
    std::string(kJobColumns) + ", waiting, lease_holder, lease_epoch, stop_time, events_dropped";

JobRecord SqliteStore::JobFrom(const Stmt& s) {
  return JobFromRow(s);
}

void SqliteStore::InsertJobEvent(Db& db, const JobEvent& e) {
  db.Prepare("INSERT INTO job_events(job_id, time, event, detail) VALUES (?,?,?,?)")
      .Bind(1, e.job_id)
      .Bind(2, e.time_ms)
      .Bind(3, e.event)
      .Bind(4, e.detail)
      .Step();
  // Past the cap, the oldest go (one at a time, as events come: one index probe each).
  int64_t newest_dropped = 0;
  {
    auto s = db.Prepare(
        "SELECT event_id FROM job_events WHERE job_id = ? ORDER BY event_id DESC LIMIT 1 "
        "OFFSET ?");
    s.Bind(1, e.job_id).Bind(2, int64_t{kMaxJobEvents});
    if (!s.Step()) return;
    newest_dropped = s.Int(0);
  }
  db.Prepare("DELETE FROM job_events WHERE job_id = ? AND event_id <= ?")
      .Bind(1, e.job_id)
      .Bind(2, newest_dropped)
      .Step();
  int64_t dropped = sqlite3_changes(db.handle());
  db.Prepare("UPDATE jobs SET events_dropped = events_dropped + ? WHERE job_id = ?")
      .Bind(1, dropped)
      .Bind(2, e.job_id)
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
    if (limits.stored_per_account > 0) {
      auto s = db.Prepare("SELECT COUNT(*) FROM jobs WHERE account_id = ?");
      s.Bind(1, job.account_id).Step();
      out.stored_jobs = static_cast<int>(s.Int(0));
      if (out.stored_jobs >= limits.stored_per_account) {
        out.outcome = JobInsertOutcome::kStoredLimit;
        return {};
      }
    }
    if (over("", limits.total, "")) {
      out.outcome = JobInsertOutcome::kTotalLimit;
      return {};
    }
    if (job.family == "transcode") {
      auto s = db.Prepare(
          "SELECT name, type, config FROM templates WHERE template_id = ? AND "
          "(account_id = ? OR category = 'system')");
      s.Bind(1, job.template_id).Bind(2, job.account_id);
      if (!s.Step()) return {};
      job.template_name = s.Text(0);
      job.template_type = s.Text(1);
      job.template_config = s.Text(2);
    } else {  // the family's template, copied as it is now (later changes do not reach the job)
      auto s = db.Prepare(
          "SELECT name, body FROM family_templates WHERE family = ? AND template_id = ? AND "
          "account_id = ?");
      s.Bind(1, job.family).Bind(2, job.template_id).Bind(3, job.account_id);
      if (!s.Step()) return {};
      job.template_name = s.Text(0);
      job.template_config = s.Text(1);
    }
    out.outcome = JobInsertOutcome::kInserted;
    job.stop_time_ms = StopTimeAtInsert(job);
    db.Prepare(std::string("INSERT INTO jobs(") + kJobColumns +
               ", stop_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
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
        .Bind(19, job.family)
        .Bind(20, job.output_json)
        .Bind(21, job.notify_url)
        .Bind(22, job.stop_time_ms)
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
    auto s = db.Prepare("SELECT " + kJobSelect + " FROM jobs WHERE job_id = ? AND account_id = ?");
    s.Bind(1, job_id).Bind(2, account_id);
    if (!s.Step()) return std::nullopt;
    return JobFromRow(s);
  });
}

Result<JobPage> SqliteStore::ListJobs(const JobQuery& q) {
  static const std::string kWhere =
      " FROM jobs WHERE account_id = ?1 AND (?2 IS NULL OR template_type = ?2)"
      " AND (?3 IS NULL OR start_mode = ?3) AND (?4 IS NULL OR (CASE WHEN status = 1 AND waiting = "
      "1 THEN 0 ELSE status END) = ?4)"
      " AND (?5 IS NULL OR job_id = ?5 OR name LIKE ?6 ESCAPE '\\') AND family = ?7"
      " AND (?8 = 0 OR create_time >= ?8) AND (?9 = 0 OR create_time < ?9)";
  return Read<JobPage>([&](Db& db) {
    return ListPage<JobPage>(
        db, kJobSelect.c_str(), kWhere, q,
        [&](Stmt& s) {
          s.Bind(1, q.account_id).Bind(2, q.type);
          s.Bind(3, q.start_mode ? std::optional<int64_t>(ApiValue(*q.start_mode)) : std::nullopt);
          s.Bind(4, q.status ? std::optional<int64_t>(ApiValue(*q.status)) : std::nullopt);
          s.Bind(5, q.keyword);
          s.Bind(6, q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
          s.Bind(7, q.family).Bind(8, q.created_from_ms).Bind(9, q.created_to_ms);
        },
        JobFromRow);
  });
}

Result<std::vector<JobRecord>> SqliteStore::ListLiveJobs() {
  return Read<std::vector<JobRecord>>([&](Db& db) {
    auto s = db.Prepare("SELECT " + kJobSelect +
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
      auto s =
          db.Prepare("SELECT " + kJobSelect + " FROM jobs WHERE job_id = ? AND account_id = ?");
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
          "backup_input_url = ?, stop_time = ? WHERE job_id = ? AND account_id = ?")
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
        .Bind(11, StopTimeAfter(*current, *next, events))
        .Bind(12, job_id)
        .Bind(13, account_id)
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

Result<int> SqliteStore::DeleteStoppedJobs(int64_t stopped_before_ms, int limit) {
  int deleted = 0;
  auto r = Write([&](Db& db) -> Result<void> {
    std::vector<std::string> ids;
    {
      auto s = db.Prepare(
          "SELECT job_id FROM jobs WHERE status = 2 AND stop_time < ? ORDER BY stop_time LIMIT ?");
      s.Bind(1, stopped_before_ms).Bind(2, int64_t{limit});
      while (s.Step()) ids.push_back(s.Text(0));
    }
    for (const auto& id : ids) {
      db.Prepare("DELETE FROM job_events WHERE job_id = ?").Bind(1, id).Step();
      db.Prepare("DELETE FROM jobs WHERE job_id = ?").Bind(1, id).Step();
    }
    deleted = static_cast<int>(ids.size());
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

}  // namespace floe::store::sqlite
