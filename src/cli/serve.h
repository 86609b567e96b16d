// `floe serve`: the API server on one data directory, or on a PostgreSQL store shared with other
// nodes; `floe worker`: a node of such a store that runs jobs and serves only /healthz.
#pragma once

#include <string>
#include <vector>

namespace floe::cli {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";    // address:port to listen on (port 0: any free port)
  std::string data_dir = "var";             // holds floe.db (SQLite), master.key, credentials.json
  std::string store_url;                    // postgres://USER@HOST:PORT/DB ("": SQLite)
  bool run_jobs = true;                     // false (--no-jobs): serve the API only
  int io_threads = 2;                       // network event-loop threads
  int worker_threads = 64;                  // request handler threads (block on the store)
  size_t body_limit = 1 << 20;              // largest request body, bytes
  int read_timeout_ms = 10'000;             // a started request must arrive within this
  int idle_timeout_ms = 60'000;             // keep-alive connections idle at most this long
  double rate_limit = 20'000;               // requests/s per AccessKey (token bucket); 0: off
  double rate_burst = 20'000;               // bucket size: requests one key may send at once
  double auth_failure_rate = 50;            // failed authentications/s per client address
  double auth_failure_burst = 200;          // ... and at once; past them: Throttling (429)
  int first_request_timeout_ms = 5'000;     // a new connection must send something within this
  size_t max_connections = 4096;            // open connections (capped below the fd limit)
  size_t max_connections_per_client = 256;  // open connections from one client address
  std::vector<std::string> live_centers;    // "DOMAIN=rtmp://HOST:PORT", LiveCenter push bases
  int max_jobs_per_account = 50;            // jobs not stopped per account (QuotaExceeded.Jobs)
  int max_jobs = 100;                       // jobs not stopped on this Floe
  std::vector<std::string> allow_net;       // CIDRs jobs may reach besides public unicast
  std::string log_level = "info";           // also for the job processes
  std::string metrics_listen;               // ADDRESS:PORT of /metrics ("": off)
  std::string node_id;                      // this node's name in metrics ("": the host name)
  std::string access_log;                   // one line per request: FILE, "-" (stderr) or
                                            // "" (DATA_DIR/access.log)
  std::string console_dir;                  // the built console ("": BINARY_DIR/console)
  bool preview = true;                      // jobs write HLS previews (DATA_DIR/preview)
  int preview_link_ttl_s = 600;             // how long a preview link lasts
  // CIDRs of proxies whose X-Forwarded-For names the client (per-client limits, access log).
  std::vector<std::string> trusted_proxies;
  // Jobs (runtime/supervisor.h): the cores this node admits jobs against (0: all it has), and
  // how long a lease lasts and how often it is renewed.
  double capacity = 0;
  int lease_ms = 3000;
  int heartbeat_ms = 1000;
  int record_input_wait_s = 180;  // a record job whose input is away this long ends
  // What one account may keep (0: no limit). A ladder is a handful of templates and a busy
  // tenant runs --max-jobs-per-account jobs that restart daily, so 1,000 templates and 10,000
  // stored jobs (a week's retention of that, many times over) never bind in honest use, yet
  // bound each tenant's rows and the COUNT(*) every create does under its lock.
  int max_templates_per_account = 1000;      // customized templates (QuotaExceeded.Templates)
  int max_stored_jobs_per_account = 10'000;  // jobs, stopped too (QuotaExceeded.StoredJobs)
  int stopped_job_retention_hours = 7 * 24;  // stopped jobs are deleted this long after; 0: kept
};

int Serve(const ServeConfig& config);
// The worker: jobs and /healthz only (config.store_url is required; data_dir holds its locks
// and previews; listen is where /healthz is served).
int Work(const ServeConfig& config);

}  // namespace floe::cli
