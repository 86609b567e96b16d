#include "store/sqlite/migrations.h"

#include "store/system_templates.h"

namespace floe::store::sqlite {

namespace {

// The system templates of migrations 2 (the first four) and 7 (480p).
std::string SystemTemplateRows(size_t from, size_t to) {
  std::string sql;
  for (size_t i = from; i < to; ++i) sql += SystemTemplateInsert(store::SystemTemplates()[i]);
  return sql;
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {
      {1, "accounts, access keys, templates", R"SQL(
CREATE TABLE accounts (
  account_id  TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  ice_enabled INTEGER NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY,
  secret        TEXT NOT NULL,
  account_id    TEXT NOT NULL REFERENCES accounts(account_id),
  user_name     TEXT NOT NULL DEFAULT '',
  active        INTEGER NOT NULL,
  create_time   INTEGER NOT NULL
);
CREATE TABLE templates (
  template_id TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL,
  category    TEXT NOT NULL,
  video_codec TEXT NOT NULL,
  config      TEXT NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE INDEX templates_by_account ON templates(account_id, create_time);
)SQL"},
      {2, "system templates", SystemTemplateRows(0, 4)},
      {3, "sealed secrets, nonces, RAM users and policies", R"SQL(
ALTER TABLE access_keys ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
CREATE TABLE nonces (
  nonce_key  TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX nonces_by_expiry ON nonces(expires_at);
CREATE TABLE ram_users (
  account_id  TEXT NOT NULL REFERENCES accounts(account_id),
  user_name   TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (account_id, user_name)
);
CREATE TABLE ram_policies (
  policy_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id  TEXT NOT NULL,
  user_name   TEXT NOT NULL,
  document    TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  FOREIGN KEY (account_id, user_name) REFERENCES ram_users(account_id, user_name)
);
)SQL"},
      {4, "live transcoding jobs and their events", R"SQL(
CREATE TABLE jobs (
  job_id          TEXT PRIMARY KEY,
  account_id      TEXT NOT NULL,
  name            TEXT NOT NULL,
  template_id     TEXT NOT NULL,
  template_name   TEXT NOT NULL,
  template_type   TEXT NOT NULL,
  template_config TEXT NOT NULL,
  start_mode      INTEGER NOT NULL,
  status          INTEGER NOT NULL,
  input_type      TEXT NOT NULL,
  input_url       TEXT NOT NULL,
  output_type     TEXT NOT NULL,
  output_domain   TEXT NOT NULL,
  output_url      TEXT NOT NULL,
  start_time      INTEGER NOT NULL,
  end_time        INTEGER NOT NULL,
  create_time     INTEGER NOT NULL
);
CREATE INDEX jobs_by_account ON jobs(account_id, create_time);
CREATE INDEX jobs_by_template ON jobs(template_id, status);
CREATE INDEX jobs_live ON jobs(status);
CREATE TABLE job_events (
  event_id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id   TEXT NOT NULL,
  time     INTEGER NOT NULL,
  event    TEXT NOT NULL,
  detail   TEXT NOT NULL
);
CREATE INDEX job_events_by_job ON job_events(job_id, event_id);
)SQL"},
      {5, "LiveCenter domains, each owned by one account", R"SQL(
CREATE TABLE domains (
  name        TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  push_base   TEXT NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE INDEX domains_by_account ON domains(account_id, name);
)SQL"},
      {6, "a job's backup input", R"SQL(
ALTER TABLE jobs ADD COLUMN backup_input_url TEXT NOT NULL DEFAULT '';
)SQL"},
      // The rung between 360p and 720p of a 1080p/720p/480p ladder.
      {7, "system template 480p", SystemTemplateRows(4, 5)},
      {8, "leases: which node runs which job", R"SQL(
ALTER TABLE jobs ADD COLUMN lease_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_expires INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_by_holder ON jobs(lease_holder);
CREATE INDEX jobs_claimable ON jobs(status, lease_expires);
CREATE TABLE nodes (
  holder    TEXT PRIMARY KEY,
  node_id   TEXT NOT NULL,
  capacity  INTEGER NOT NULL,
  used      INTEGER NOT NULL,
  jobs      INTEGER NOT NULL,
  heartbeat INTEGER NOT NULL
);
)SQL"},
      // Retention counts from a job's stop: jobs stopped before this migration count from their
      // newest event (their stop's, usually), or their creation.
      {9, "when a job stopped, events dropped past the cap", R"SQL(
ALTER TABLE jobs ADD COLUMN stop_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN events_dropped INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET stop_time = COALESCE(
  (SELECT MAX(time) FROM job_events WHERE job_events.job_id = jobs.job_id), create_time)
  WHERE status = 2;
CREATE INDEX jobs_stopped ON jobs(stop_time) WHERE status = 2;
)SQL"},
      {10, "templates of the recording and snapshot families", R"SQL(
CREATE TABLE family_templates (
  family        TEXT NOT NULL,
  template_id   TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  name          TEXT NOT NULL,
  body          TEXT NOT NULL,
  create_time   INTEGER NOT NULL,
  last_modified INTEGER NOT NULL,
  PRIMARY KEY (family, template_id)
);
CREATE INDEX family_templates_by_account ON family_templates(family, account_id, create_time);
)SQL"},
      {11, "buckets, each owned by one account", R"SQL(
CREATE TABLE buckets (
  name        TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  endpoint    TEXT NOT NULL,
  dir         TEXT NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE INDEX buckets_by_account ON buckets(account_id, name);
)SQL"},
      {12, "the catalogue of record jobs' files", R"SQL(
CREATE TABLE record_files (
  record_id   TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  job_name    TEXT NOT NULL,
  format      TEXT NOT NULL,
  bucket      TEXT NOT NULL,
  object      TEXT NOT NULL,
  output      TEXT NOT NULL,
  stream_url  TEXT NOT NULL,
  start_time  INTEGER NOT NULL,
  end_time    INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  duration    INTEGER NOT NULL,
  size        INTEGER NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL
);
CREATE INDEX record_files_by_time ON record_files(account_id, start_time);
CREATE INDEX record_files_by_job ON record_files(account_id, job_id, start_time);
)SQL"},
      {13, "jobs of the recording family beside transcoding jobs", R"SQL(
ALTER TABLE jobs ADD COLUMN family TEXT NOT NULL DEFAULT 'transcode';
ALTER TABLE jobs ADD COLUMN output_json TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN notify_url TEXT NOT NULL DEFAULT '';
)SQL"},
      {14, "the catalogue of snapshot jobs' pictures", R"SQL(
CREATE TABLE snapshot_files (
  shot_key    TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  overlay     INTEGER NOT NULL,
  bucket      TEXT NOT NULL,
  endpoint    TEXT NOT NULL,
  object      TEXT NOT NULL,
  size        INTEGER NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL
);
CREATE INDEX snapshot_files_by_job ON snapshot_files(account_id, job_id, create_time);
)SQL"},
  };
  return kAll;
}

}  // namespace floe::store::sqlite
