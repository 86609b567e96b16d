// PostgresStore: jobs and their events, LiveCenter domains.
#include "store/job_history.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/query.h"

namespace floe::store::postgres {

namespace {

constexpr int64_t kJobInsertLock = 0x466c6f654a6f62;  // "FloeJob": submits that count limits

constexpr char kJobColumns[] =
    "job_id, account_id, name, template_id, template_name, template_type, template_config, "
    "start_mode, status, input_type, input_url, output_type, output_domain, output_url, "
    "start_time, end_time, create_time, backup_input_url, family, output_json, notify_url";

JobRecord JobAt(const Rows& r, int i) {
  JobRecord j;
  j.job_id = r.Text(i, 0);
  j.account_id = r.Text(i, 1);
  j.name = r.Text(i, 2);
  j.template_id = r.Text(i, 3);
  j.template_name = r.Text(i, 4);
  j.template_type = r.Text(i, 5);
  j.template_config = r.Text(i, 6);
  j.start_mode = static_cast<StartMode>(r.Int(i, 7));
  j.status = static_cast<JobStatus>(r.Int(i, 8));
  j.input_type = r.Text(i, 9);
  j.input_url = r.Text(i, 10);
  j.output_type = r.Text(i, 11);
  j.output_domain = r.Text(i, 12);
  j.output_url = r.Text(i, 13);
  j.start_time_ms = r.Int(i, 14);
  j.end_time_ms = r.Int(i, 15);
  j.create_time_ms = r.Int(i, 16);
  j.backup_input_url = r.Text(i, 17);
  j.family = r.Text(i, 18);
  j.output_json = r.Text(i, 19);
  j.notify_url = r.Text(i, 20);
  j.waiting = r.Int(i, 21) != 0;
  j.lease_holder = r.Text(i, 22);
  j.lease_epoch = r.Int(i, 23);
  j.stop_time_ms = r.Int(i, 24);
  j.events_dropped = r.Int(i, 25);
  return j;
}

}  // namespace

const std::string PostgresStore::kJobSelect =
    std::string(kJobColumns) + ", waiting, lease_holder, lease_epoch, stop_time, events_dropped";

JobRecord PostgresStore::JobFrom(const Rows& r, int i) {
  return JobAt(r, i);
}

void PostgresStore::InsertEvent(Conn& c, const JobEvent& e) {
  c.Exec("INSERT INTO job_events(job_id, time, event, detail) VALUES ($1, $2, $3, $4)",
         Params().Add(e.job_id).Add(e.time_ms).Add(e.event).Add(e.detail));
  // Past the cap, the oldest go. The job's row is locked before its events are deleted, in the
  // order UpdateJob takes them, so that two trims of one job cannot deadlock.
  auto past = c.Exec(
      "SELECT event_id FROM job_events WHERE job_id = $1 ORDER BY event_id DESC OFFSET $2 "
      "LIMIT 1",
      Params().Add(e.job_id).Add(kMaxJobEvents));
  if (past.empty()) return;
  c.Exec("SELECT 1 FROM jobs WHERE job_id = $1 FOR UPDATE", Params().Add(e.job_id));
  int64_t dropped = c.Exec("DELETE FROM job_events WHERE job_id = $1 AND event_id <= $2",
                           Params().Add(e.job_id).Add(past.Int(0, 0)))
                        .affected();
  c.Exec("UPDATE jobs SET events_dropped = events_dropped + $1 WHERE job_id = $2",
         Params().Add(dropped).Add(e.job_id));
}

namespace {

Domain DomainAt(const Rows& r, int i) {
  return {r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3)};
}

constexpr char kBucketColumns[] =
    "SELECT name, account_id, endpoint, dir, create_time FROM buckets ";

Bucket BucketAt(const Rows& r, int i) {
  return {r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int(i, 4)};
}

}  // namespace

Result<JobInsert> PostgresStore::InsertJob(JobRecord job, const JobLimits& limits) {
  return Tx<JobInsert>([&](Conn& c) -> Result<JobInsert> {
    JobInsert out;
    // Submits that count limits take turns, on every node, so that two cannot pass one together.
    if (limits.per_account > 0 || limits.total > 0 || limits.stored_per_account > 0) {
      c.Exec("SELECT pg_advisory_xact_lock($1)", Params().Add(kJobInsertLock));
    }
    auto over = [&](const std::string& where, int limit, const Params& p) {
      if (limit <= 0) return false;
      out.live_jobs = static_cast<int>(
          c.Exec("SELECT COUNT(*) FROM jobs WHERE status != 2" + where, p).Int(0, 0));
      return out.live_jobs >= limit;
    };
    if (over(" AND account_id = $1", limits.per_account, Params().Add(job.account_id))) {
      out.outcome = JobInsertOutcome::kAccountLimit;
      return out;
    }
    if (limits.stored_per_account > 0) {
      out.stored_jobs = static_cast<int>(
          c.Exec("SELECT COUNT(*) FROM jobs WHERE account_id = $1", Params().Add(job.account_id))
              .Int(0, 0));
      if (out.stored_jobs >= limits.stored_per_account) {
        out.outcome = JobInsertOutcome::kStoredLimit;
        return out;
      }
    }
    if (over("", limits.total, Params())) {
      out.outcome = JobInsertOutcome::kTotalLimit;
      return out;
    }
    // FOR SHARE: a template update or delete waits for this submit, and then sees its job.
    if (job.family == "transcode") {
      auto t = c.Exec(
          "SELECT name, type, config FROM templates WHERE template_id = $1 AND "
          "(account_id = $2 OR category = 'system') FOR SHARE",
          Params().Add(job.template_id).Add(job.account_id));
      if (t.empty()) {
        out.outcome = JobInsertOutcome::kNoTemplate;
        return out;
      }
      job.template_name = t.Text(0, 0);
      job.template_type = t.Text(0, 1);
      job.template_config = t.Text(0, 2);
    } else {  // the family's template, copied as it is now (later changes do not reach the job)
      auto t = c.Exec(
          "SELECT name, body FROM family_templates WHERE family = $1 AND template_id = $2 AND "
          "account_id = $3",
          Params().Add(job.family).Add(job.template_id).Add(job.account_id));
      if (t.empty()) {
        out.outcome = JobInsertOutcome::kNoTemplate;
        return out;
      }
      job.template_name = t.Text(0, 0);
      job.template_config = t.Text(0, 1);
    }
    job.stop_time_ms = StopTimeAtInsert(job);
    c.Exec(std::string("INSERT INTO jobs(") + kJobColumns +
               ", stop_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
               "$15, $16, $17, $18, $19, $20, $21, $22)",
           Params()
               .Add(job.job_id)
               .Add(job.account_id)
               .Add(job.name)
               .Add(job.template_id)
               .Add(job.template_name)
               .Add(job.template_type)
               .Add(job.template_config)
               .Add(ApiValue(job.start_mode))
               .Add(ApiValue(job.status))
               .Add(job.input_type)
               .Add(job.input_url)
               .Add(job.output_type)
               .Add(job.output_domain)
               .Add(job.output_url)
               .Add(job.start_time_ms)
               .Add(job.end_time_ms)
               .Add(job.create_time_ms)
               .Add(job.backup_input_url)
               .Add(job.family)
               .Add(job.output_json)
               .Add(job.notify_url)
               .Add(job.stop_time_ms));
    InsertEvent(c, {job.job_id, job.create_time_ms, "submitted",
                    job.start_mode == StartMode::kNow ? "start now" : "timed"});
    // On commit, every worker claims at once (store/postgres/postgres_presence.cc).
    if (job.start_mode == StartMode::kNow) c.Simple("NOTIFY floe_claims");
    out.outcome = JobInsertOutcome::kInserted;
    out.job = job;
    return out;
  });
}

Result<std::optional<JobRecord>> PostgresStore::GetJob(const std::string& account_id,
                                                       const std::string& job_id) {
  return Tx<std::optional<JobRecord>>(
      [&](Conn& c) -> Result<std::optional<JobRecord>> {
        auto r = c.Exec("SELECT " + kJobSelect + " FROM jobs WHERE job_id = $1 AND account_id = $2",
                        Params().Add(job_id).Add(account_id));
        if (r.empty()) return std::optional<JobRecord>();
        return std::optional<JobRecord>(JobAt(r, 0));
      },
      true);
}

Result<JobPage> PostgresStore::ListJobs(const JobQuery& q) {
  static const std::string kWhere =
      " FROM jobs WHERE account_id = $1 AND ($2::text IS NULL OR template_type = $2)"
      " AND ($3::bigint IS NULL OR start_mode = $3) AND ($4::bigint IS NULL OR (CASE WHEN status = "
      "1 AND waiting = 1 THEN 0 ELSE status END) = $4)"
      " AND ($5::text IS NULL OR job_id = $5 OR name ILIKE $6 ESCAPE '\\') AND family = $7"
      " AND ($8::bigint = 0 OR create_time >= $8) AND ($9::bigint = 0 OR create_time < $9)";
  return Tx<JobPage>(
      [&](Conn& c) -> Result<JobPage> {
        Params p;
        p.Add(q.account_id).Add(q.type);
        p.Add(q.start_mode ? std::optional<int64_t>(ApiValue(*q.start_mode)) : std::nullopt);
        p.Add(q.status ? std::optional<int64_t>(ApiValue(*q.status)) : std::nullopt);
        p.Add(q.keyword);
        p.Add(q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
        p.Add(q.family).Add(q.created_from_ms).Add(q.created_to_ms);
        return ListPage<JobPage>(c, kJobSelect.c_str(), kWhere, q, p, JobAt);
      },
      true);
}

Result<std::vector<JobRecord>> PostgresStore::ListLiveJobs() {
  return Tx<std::vector<JobRecord>>(
      [&](Conn& c) -> Result<std::vector<JobRecord>> {
        auto r = c.Exec("SELECT " + kJobSelect +
                        " FROM jobs WHERE status != 2 ORDER BY create_time, seq");
        std::vector<JobRecord> jobs;
        for (int i = 0; i < r.size(); ++i) jobs.push_back(JobAt(r, i));
        return jobs;
      },
      true);
}

Result<bool> PostgresStore::UpdateJob(const std::string& account_id, const std::string& job_id,
                                      const JobMutation& mutate) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    auto r = c.Exec(
        "SELECT " + kJobSelect + " FROM jobs WHERE job_id = $1 AND account_id = $2 FOR UPDATE",
        Params().Add(job_id).Add(account_id));
    if (r.empty()) return false;
    std::vector<JobEvent> events;
    JobRecord current = JobAt(r, 0);
    auto next = mutate(current, events);
    if (!next) return next.error();
    c.Exec(
        "UPDATE jobs SET name = $1, status = $2, input_type = $3, input_url = $4, "
        "output_type = $5, output_domain = $6, output_url = $7, start_time = $8, "
        "end_time = $9, backup_input_url = $10, stop_time = $11 WHERE job_id = $12 AND "
        "account_id = $13",
        Params()
            .Add(next->name)
            .Add(ApiValue(next->status))
            .Add(next->input_type)
            .Add(next->input_url)
            .Add(next->output_type)
            .Add(next->output_domain)
            .Add(next->output_url)
            .Add(next->start_time_ms)
            .Add(next->end_time_ms)
            .Add(next->backup_input_url)
            .Add(StopTimeAfter(current, *next, events))
            .Add(job_id)
            .Add(account_id));
    for (auto& e : events) {
      e.job_id = job_id;
      InsertEvent(c, e);
    }
    return true;
  });
}

Result<bool> PostgresStore::DeleteJob(const std::string& account_id, const std::string& job_id) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    bool deleted = c.Exec("DELETE FROM jobs WHERE job_id = $1 AND account_id = $2",
                          Params().Add(job_id).Add(account_id))
                       .affected() > 0;
    if (deleted) c.Exec("DELETE FROM job_events WHERE job_id = $1", Params().Add(job_id));
    return deleted;
  });
}

Result<int> PostgresStore::DeleteStoppedJobs(int64_t stopped_before_ms, int limit) {
  return Tx<int>([&](Conn& c) -> Result<int> {
    // SKIP LOCKED: a job another node is changing (or sweeping) now is left for the next sweep.
    auto r = c.Exec(
        "WITH gone AS (DELETE FROM jobs WHERE job_id IN (SELECT job_id FROM jobs WHERE status = 2 "
        "AND stop_time < $1 ORDER BY stop_time LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING job_id), "
        "events AS (DELETE FROM job_events WHERE job_id IN (SELECT job_id FROM gone)) "
        "SELECT COUNT(*) FROM gone",
        Params().Add(stopped_before_ms).Add(limit));
    return static_cast<int>(r.Int(0, 0));
  });
}

Result<void> PostgresStore::AddJobEvent(const JobEvent& e) {
  return Tx<void>([&](Conn& c) -> Result<void> {
    InsertEvent(c, e);
    return {};
  });
}

Result<std::vector<JobEvent>> PostgresStore::ListJobEvents(const std::string& job_id, int limit) {
  return Tx<std::vector<JobEvent>>(
      [&](Conn& c) -> Result<std::vector<JobEvent>> {
        auto r = c.Exec(
            "SELECT job_id, time, event, detail FROM (SELECT event_id, job_id, time, event, "
            "detail FROM job_events WHERE job_id = $1 ORDER BY event_id DESC LIMIT $2) AS newest "
            "ORDER BY event_id",
            Params().Add(job_id).Add(int64_t{limit}));
        std::vector<JobEvent> events;
        for (int i = 0; i < r.size(); ++i) {
          events.push_back({r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3)});
        }
        return events;
      },
      true);
}

Result<bool> PostgresStore::AddDomain(const Domain& d) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec(
                "INSERT INTO domains(name, account_id, push_base, create_time) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
                Params().Add(d.name).Add(d.account_id).Add(d.push_base).Add(d.create_time_ms))
               .affected() > 0;
  });
}

Result<std::optional<Domain>> PostgresStore::GetDomain(const std::string& name) {
  return Tx<std::optional<Domain>>(
      [&](Conn& c) -> Result<std::optional<Domain>> {
        auto r =
            c.Exec("SELECT name, account_id, push_base, create_time FROM domains WHERE name = $1",
                   Params().Add(name));
        if (r.empty()) return std::optional<Domain>();
        return std::optional<Domain>(DomainAt(r, 0));
      },
      true);
}

Result<std::vector<Domain>> PostgresStore::ListDomains(
    const std::optional<std::string>& account_id) {
  return Tx<std::vector<Domain>>(
      [&](Conn& c) -> Result<std::vector<Domain>> {
        auto r = c.Exec(
            "SELECT name, account_id, push_base, create_time FROM domains "
            "WHERE $1::text IS NULL OR account_id = $1 ORDER BY name",
            Params().Add(account_id));
        std::vector<Domain> out;
        for (int i = 0; i < r.size(); ++i) out.push_back(DomainAt(r, i));
        return out;
      },
      true);
}

Result<bool> PostgresStore::DeleteDomain(const std::string& name) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec("DELETE FROM domains WHERE name = $1", Params().Add(name)).affected() > 0;
  });
}

Result<bool> PostgresStore::AddBucket(const Bucket& b) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec(
                "INSERT INTO buckets(name, account_id, endpoint, dir, create_time) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                Params()
                    .Add(b.name)
                    .Add(b.account_id)
                    .Add(b.endpoint)
                    .Add(b.dir)
                    .Add(b.create_time_ms))
               .affected() > 0;
  });
}

Result<std::optional<Bucket>> PostgresStore::GetBucket(const std::string& name) {
  return Tx<std::optional<Bucket>>(
      [&](Conn& c) -> Result<std::optional<Bucket>> {
        auto r = c.Exec(std::string(kBucketColumns) + "WHERE name = $1", Params().Add(name));
        if (r.empty()) return std::optional<Bucket>();
        return std::optional<Bucket>(BucketAt(r, 0));
      },
      true);
}

Result<std::vector<Bucket>> PostgresStore::ListBuckets(
    const std::optional<std::string>& account_id) {
  return Tx<std::vector<Bucket>>(
      [&](Conn& c) -> Result<std::vector<Bucket>> {
        auto r = c.Exec(
            std::string(kBucketColumns) + "WHERE $1::text IS NULL OR account_id = $1 ORDER BY name",
            Params().Add(account_id));
        std::vector<Bucket> out;
        for (int i = 0; i < r.size(); ++i) out.push_back(BucketAt(r, i));
        return out;
      },
      true);
}

Result<bool> PostgresStore::DeleteBucket(const std::string& name) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec("DELETE FROM buckets WHERE name = $1", Params().Add(name)).affected() > 0;
  });
}

}  // namespace floe::store::postgres
