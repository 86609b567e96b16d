#include "store/postgres/migrations.h"

#include "store/system_templates.h"

namespace floe::store::postgres {

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = [] {
    std::string system;
    for (const auto& t : SystemTemplates()) system += SystemTemplateInsert(t);
    return std::vector<Migration>{
        {1, "accounts, keys, RAM, nonces, templates, jobs, events, domains", R"SQL(
CREATE TABLE accounts (
  seq         BIGSERIAL,
  account_id  TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  ice_enabled INTEGER NOT NULL,
  create_time BIGINT NOT NULL
);
CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY,
  secret        TEXT NOT NULL,
  account_id    TEXT NOT NULL REFERENCES accounts(account_id),
  user_name     TEXT NOT NULL DEFAULT '',
  active        INTEGER NOT NULL,
  create_time   BIGINT NOT NULL,
  sealed        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE nonces (
  nonce_key  TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX nonces_by_expiry ON nonces(expires_at);
CREATE TABLE ram_users (
  account_id  TEXT NOT NULL REFERENCES accounts(account_id),
  user_name   TEXT NOT NULL,
  create_time BIGINT NOT NULL,
  PRIMARY KEY (account_id, user_name)
);
CREATE TABLE ram_policies (
  policy_id   BIGSERIAL PRIMARY KEY,
  account_id  TEXT NOT NULL,
  user_name   TEXT NOT NULL,
  document    TEXT NOT NULL,
  create_time BIGINT NOT NULL,
  FOREIGN KEY (account_id, user_name) REFERENCES ram_users(account_id, user_name)
);
CREATE TABLE templates (
  seq         BIGSERIAL,
  template_id TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL,
  category    TEXT NOT NULL,
  video_codec TEXT NOT NULL,
  config      TEXT NOT NULL,
  create_time BIGINT NOT NULL
);
CREATE INDEX templates_by_account ON templates(account_id, create_time);
CREATE TABLE jobs (
  seq              BIGSERIAL,
  job_id           TEXT PRIMARY KEY,
  account_id       TEXT NOT NULL,
  name             TEXT NOT NULL,
  template_id      TEXT NOT NULL,
  template_name    TEXT NOT NULL,
  template_type    TEXT NOT NULL,
  template_config  TEXT NOT NULL,
  start_mode       INTEGER NOT NULL,
  status           INTEGER NOT NULL,
  input_type       TEXT NOT NULL,
  input_url        TEXT NOT NULL,
  output_type      TEXT NOT NULL,
  output_domain    TEXT NOT NULL,
  output_url       TEXT NOT NULL,
  start_time       BIGINT NOT NULL,
  end_time         BIGINT NOT NULL,
  create_time      BIGINT NOT NULL,
  backup_input_url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_by_account ON jobs(account_id, create_time);
CREATE INDEX jobs_by_template ON jobs(template_id, status);
CREATE INDEX jobs_live ON jobs(status);
CREATE TABLE job_events (
  event_id BIGSERIAL PRIMARY KEY,
  job_id   TEXT NOT NULL,
  time     BIGINT NOT NULL,
  event    TEXT NOT NULL,
  detail   TEXT NOT NULL
);
CREATE INDEX job_events_by_job ON job_events(job_id, event_id);
CREATE TABLE domains (
  name        TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  push_base   TEXT NOT NULL,
  create_time BIGINT NOT NULL
);
CREATE INDEX domains_by_account ON domains(account_id, name);
)SQL"},
        {2, "system templates", system},
        {3, "leases: which node runs which job", R"SQL(
ALTER TABLE jobs ADD COLUMN lease_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_epoch BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_expires BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_by_holder ON jobs(lease_holder) WHERE lease_holder != '';
CREATE INDEX jobs_claimable ON jobs(status, lease_expires);
CREATE TABLE nodes (
  holder    TEXT PRIMARY KEY,
  node_id   TEXT NOT NULL,
  capacity  BIGINT NOT NULL,
  used      BIGINT NOT NULL,
  jobs      INTEGER NOT NULL,
  heartbeat BIGINT NOT NULL
);
)SQL"},
        {4, "rate counts shared by the nodes", R"SQL(
CREATE TABLE rate_counts (
  holder        TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  total         BIGINT NOT NULL,
  updated       BIGINT NOT NULL,
  PRIMARY KEY (holder, access_key_id)
);
CREATE INDEX rate_counts_by_time ON rate_counts(updated);
)SQL"},
        {5, "claims and heartbeats that read only what they need", R"SQL(
DROP INDEX jobs_claimable;
CREATE INDEX jobs_claimable ON jobs(status, lease_expires, create_time, seq);
CREATE INDEX jobs_running_by_input ON jobs(input_url) WHERE status = 1;
CREATE INDEX nodes_by_heartbeat ON nodes(heartbeat);
)SQL"},
        // Retention counts from a job's stop: jobs stopped before this migration count from
        // their newest event (their stop's, usually), or their creation.
        {6, "when a job stopped, events dropped past the cap", R"SQL(
ALTER TABLE jobs ADD COLUMN stop_time BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN events_dropped BIGINT NOT NULL DEFAULT 0;
UPDATE jobs SET stop_time = COALESCE(
  (SELECT MAX(time) FROM job_events WHERE job_events.job_id = jobs.job_id), create_time)
  WHERE status = 2;
CREATE INDEX jobs_stopped ON jobs(stop_time) WHERE status = 2;
)SQL"},
        {7, "nodes that hold a presence session", R"SQL(
ALTER TABLE nodes ADD COLUMN present INTEGER NOT NULL DEFAULT 0;
)SQL"},
        {8, "templates of the recording and snapshot families", R"SQL(
CREATE TABLE family_templates (
  seq           BIGSERIAL,
  family        TEXT NOT NULL,
  template_id   TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  name          TEXT NOT NULL,
  body          TEXT NOT NULL,
  create_time   BIGINT NOT NULL,
  last_modified BIGINT NOT NULL,
  PRIMARY KEY (family, template_id)
);
CREATE INDEX family_templates_by_account ON family_templates(family, account_id, create_time);
)SQL"},
        {9, "buckets, each owned by one account", R"SQL(
CREATE TABLE buckets (
  name        TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  endpoint    TEXT NOT NULL,
  dir         TEXT NOT NULL,
  create_time BIGINT NOT NULL
);
CREATE INDEX buckets_by_account ON buckets(account_id, name);
)SQL"},
        {10, "the catalogue of record jobs' files", R"SQL(
CREATE TABLE record_files (
  seq         BIGSERIAL,
  record_id   TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  job_name    TEXT NOT NULL,
  format      TEXT NOT NULL,
  bucket      TEXT NOT NULL,
  object      TEXT NOT NULL,
  output      TEXT NOT NULL,
  stream_url  TEXT NOT NULL,
  start_time  BIGINT NOT NULL,
  end_time    BIGINT NOT NULL,
  create_time BIGINT NOT NULL,
  duration    BIGINT NOT NULL,
  size        BIGINT NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL
);
CREATE INDEX record_files_by_time ON record_files(account_id, start_time);
CREATE INDEX record_files_by_job ON record_files(account_id, job_id, start_time);
)SQL"},
        {11, "jobs of the recording family beside transcoding jobs", R"SQL(
ALTER TABLE jobs ADD COLUMN family TEXT NOT NULL DEFAULT 'transcode';
ALTER TABLE jobs ADD COLUMN output_json TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN notify_url TEXT NOT NULL DEFAULT '';
)SQL"},
        {12, "the catalogue of snapshot jobs' pictures", R"SQL(
CREATE TABLE snapshot_files (
  shot_key    TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  create_time BIGINT NOT NULL,
  overlay     SMALLINT NOT NULL,
  bucket      TEXT NOT NULL,
  endpoint    TEXT NOT NULL,
  object      TEXT NOT NULL,
  size        BIGINT NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL
);
CREATE INDEX snapshot_files_by_job ON snapshot_files(account_id, job_id, create_time);
)SQL"},
    };
  }();
  return kAll;
}

}  // namespace floe::store::postgres
