// The floe binary: serve, worker, admin, ice (the API client), transcode, record, run-job (the
// media process of one input's jobs) and flv-probe.
#include <CLI/CLI.hpp>
#include <iostream>

#include <sys/stat.h>

#include "cli/admin.h"
#include "cli/ice.h"
#include "cli/record.h"
#include "cli/run_job.h"
#include "cli/serve.h"
#include "cli/transcode.h"
#include "cli/usage.h"
#include "core/log.h"
#include "store/store_url.h"

int main(int argc, char** argv) {
  // Everything Floe creates (store, keys, credentials, locks, HLS) is for its own user only.
  umask(077);
  CLI::App app{"Floe: self-hosted live transcoding, wire-compatible with ICE 2020-11-09"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")->capture_default_str();

  floe::cli::ServeConfig serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the API");
  serve_cmd->add_option("--listen", serve.listen, "ADDRESS:PORT (port 0: any free port)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--data-dir", serve.data_dir,
                   "Data directory (master.key, credentials; the SQLite store)")
      ->capture_default_str();
  serve_cmd->add_option("--store", serve.store_url,
                        "postgres://USER@HOST:PORT/DB: a PostgreSQL store shared by several nodes "
                        "(default: SQLite in the data directory)");
  serve_cmd->add_flag("!--no-jobs", serve.run_jobs, "Serve the API only; another node runs jobs");
  serve_cmd->add_option("--io-threads", serve.io_threads, "Network threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve_cmd->add_option("--worker-threads", serve.worker_threads, "Request handler threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  serve_cmd->add_option("--read-timeout-ms", serve.read_timeout_ms, "Request read timeout")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  serve_cmd->add_option("--idle-timeout-ms", serve.idle_timeout_ms, "Keep-alive idle timeout")
      ->check(CLI::Range(100, 3'600'000))
      ->capture_default_str();

  serve_cmd->add_option("--rate-limit", serve.rate_limit, "Requests/s per AccessKey (0: off)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  serve_cmd->add_option("--rate-burst", serve.rate_burst, "Burst per AccessKey")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  serve_cmd
      ->add_option("--auth-failure-rate", serve.auth_failure_rate,
                   "Failed authentications/s per client address (0: off)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  serve_cmd->add_option("--auth-failure-burst", serve.auth_failure_burst, "Burst of the above")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  serve_cmd
      ->add_option("--first-request-timeout-ms", serve.first_request_timeout_ms,
                   "A new connection must send its first request within this")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  serve_cmd->add_option("--max-connections", serve.max_connections, "Open connections at most")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections-per-client", serve.max_connections_per_client,
                   "Open connections from one client address at most")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  serve_cmd->add_option("--trusted-proxy", serve.trusted_proxies,
                        "CIDR of a proxy in front of Floe (repeatable): for its connections the "
                        "client is the right-most X-Forwarded-For address that is not a trusted "
                        "proxy, for the per-client limits and the access log");
  serve_cmd
      ->add_option("--max-jobs-per-account", serve.max_jobs_per_account,
                   "Jobs that are not stopped, per account (0: no limit)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-jobs", serve.max_jobs,
                   "Jobs that are not stopped, on this Floe (0: no limit)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-templates-per-account", serve.max_templates_per_account,
                   "Customized templates per account (0: no limit)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-stored-jobs-per-account", serve.max_stored_jobs_per_account,
                   "Jobs one account keeps in the store, stopped ones too (0: no limit)")
      ->check(CLI::Range(0, 10'000'000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--stopped-job-retention-hours", serve.stopped_job_retention_hours,
                   "Stopped jobs and their events are deleted this many hours after they stop "
                   "(0: kept for ever)")
      ->check(CLI::Range(0, 24 * 3650))
      ->capture_default_str();
  serve_cmd->add_option("--live-center", serve.live_centers,
                        "DOMAIN=rtmp://HOST:PORT: where LiveCenter jobs of DOMAIN push "
                        "(repeatable; in the config file: live-center = [\"…\", …])");
  const char* kAllowNetHelp =
      "CIDR that jobs may reach besides public unicast addresses (repeatable; e.g. "
      "127.0.0.0/8 for a local test origin)";
  serve_cmd->add_option("--allow-net", serve.allow_net, kAllowNetHelp);
  serve_cmd->add_option("--metrics-listen", serve.metrics_listen,
                        "ADDRESS:PORT serving Prometheus metrics at /metrics (off by default; "
                        "never on the API's address)");
  serve_cmd->add_option("--node-id", serve.node_id,
                        "This node's name (its leases, metrics, events; default: the host name)");
  serve_cmd->add_option("--console-dir", serve.console_dir,
                        "The built console served at /console/ (default: BINARY_DIR/console)");
  serve_cmd->add_flag("!--no-preview", serve.preview,
                      "Jobs write no HLS preview (DATA_DIR/preview) for the console");
  serve_cmd
      ->add_option("--preview-link-ttl", serve.preview_link_ttl_s,
                   "Seconds a preview link (GetLiveTranscodeJobPreview) lasts")
      ->check(CLI::Range(10, 86'400))
      ->capture_default_str();
  serve_cmd->add_option("--access-log", serve.access_log,
                        "Where the access log goes: FILE, or - for standard error (default: "
                        "DATA_DIR/access.log)");
  // Jobs: admission and leases (runtime/supervisor.h), the same for serve and worker.
  auto add_job_options = [](CLI::App* cmd, floe::cli::ServeConfig& c) {
    cmd->add_option("--capacity", c.capacity,
                    "Cores this node admits jobs against, by their templates' cost (default: "
                    "the cores it has; docs/operations.md)")
        ->check(CLI::Range(0.0, 4096.0));
    cmd->add_option("--lease-ms", c.lease_ms,
                    "How long a job's lease lasts without a heartbeat: a dead node's jobs move "
                    "after this")
        ->check(CLI::Range(1000, 600'000))
        ->capture_default_str();
    cmd->add_option("--heartbeat-ms", c.heartbeat_ms,
                    "How often the node renews its leases (well under --lease-ms)")
        ->check(CLI::Range(100, 300'000))
        ->capture_default_str();
    cmd->add_option("--record-input-wait-s", c.record_input_wait_s,
                    "A record job ends when its input has been away this long (the API's rule "
                    "is 3 minutes; shorter for tests)")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
  };
  add_job_options(serve_cmd, serve);

  floe::cli::ServeConfig worker;
  worker.listen = "127.0.0.1:8081";
  auto* worker_cmd = app.add_subcommand(
      "worker", "Run jobs of a PostgreSQL store shared with other nodes; serve only /healthz");
  worker_cmd->add_option("--store", worker.store_url, "postgres://USER@HOST:PORT/DB")->required();
  worker_cmd->add_option("--listen", worker.listen, "ADDRESS:PORT of /healthz (port 0: any)")
      ->capture_default_str();
  worker_cmd
      ->add_option("--data-dir", worker.data_dir,
                   "Local directory of this node's job locks and previews")
      ->capture_default_str();
  worker_cmd->add_option("--node-id", worker.node_id,
                         "This node's name (its leases, metrics, events; default: the host name)");
  worker_cmd->add_option("--allow-net", worker.allow_net, kAllowNetHelp);
  worker_cmd->add_option("--metrics-listen", worker.metrics_listen,
                         "ADDRESS:PORT serving Prometheus metrics at /metrics (off by default)");
  worker_cmd->add_flag("!--no-preview", worker.preview, "Jobs write no HLS preview");
  add_job_options(worker_cmd, worker);
  app.set_config("--config", "",
                 "Read options from this TOML file ([serve] and [worker] sections)");
  // A misspelt option in the file is an error, not a setting silently left at its default.
  app.allow_config_extras(CLI::config_extras_mode::error);

  floe::cli::RunJobArgs run_job;
  auto* run_job_cmd =
      app.add_subcommand("run-job",
                         "Run the jobs of one input for floe serve (JSON lines on standard input, "
                         "reports on standard output)");
  run_job_cmd->add_option("--group", run_job.group, "A name for this process (the input's group)");
  run_job_cmd->add_option("--lock-dir", run_job.lock_dir, "Directory of per-job lock files")
      ->required();
  run_job_cmd->add_option("--allow-net", run_job.allow_net, kAllowNetHelp);
  run_job_cmd->add_option("--preview-dir", run_job.preview_dir,
                          "Also write each job's output and the input as HLS previews here");

  auto run_admin = floe::cli::AddAdminCommands(app);

  // Everything after `ice` is the action and its parameters, read by cli/ice.cc itself.
  auto* ice_cmd = app.add_subcommand(
      "ice", "Call the API: floe ice <Action> --<Param> VALUE ... (floe ice --help lists them)");
  ice_cmd->prefix_command();
  ice_cmd->set_help_flag();

  floe::cli::RecordArgs rec;
  auto* rec_cmd = app.add_subcommand(
      "record", "Record one live input by copy into m3u8/flv/mp4 files (no server)");
  rec_cmd->add_option("--input", rec.input, "Input URL (rtmp://, srt://, http(s)://….m3u8)")
      ->required();
  rec_cmd->add_option("--dir", rec.dir, "Directory the files go into (a bucket's)")->required();
  rec_cmd
      ->add_option("--record-format", rec.record_format,
                   "RecordFormat JSON, as CreateLiveRecordTemplate takes it")
      ->required();
  rec_cmd->add_option("--job-id", rec.job_id, "What {JobId} stands for in the object names")
      ->capture_default_str();
  rec_cmd
      ->add_option("--gap-close-ms", rec.gap_close_ms,
                   "An input away longer than this closes the files (a shorter gap continues them)")
      ->check(CLI::Range(1'000, 86'400'000))
      ->capture_default_str();
  rec_cmd
      ->add_option("--read-timeout-ms", rec.read_timeout_ms,
                   "Input read timeout: no data this long means the input is lost")
      ->capture_default_str();
  rec_cmd
      ->add_option("--reconnect-window-ms", rec.reconnect_window_ms,
                   "Keep reconnecting a lost input this long, then end (0: forever)")
      ->capture_default_str();
  rec_cmd->add_option("--allow-net", rec.allow_net, kAllowNetHelp);

  floe::cli::TranscodeArgs tr;
  auto* tr_cmd =
      app.add_subcommand("transcode", "Transcode one live input into renditions (no server)");
  tr_cmd
      ->add_option("--template", tr.templates,
                   "Template JSON file {Type, TemplateConfig}; repeatable")
      ->required();
  tr_cmd->add_option("--input", tr.input, "Input URL (rtmp://, srt://, http(s)://….m3u8)")
      ->required();
  tr_cmd->add_option("--output", tr.outputs, "Output URL (rtmp://), one per --template")
      ->required();
  tr_cmd->add_option("--backup-input", tr.backup_input,
                     "Backup input URL: played while the input stalls (Floe extension)");
  tr_cmd
      ->add_option("--backup-return-ms", tr.backup_return_ms,
                   "Back to the input once it has been healthy this long")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  tr_cmd
      ->add_option("--stall-tolerance-ms", tr.stall_tolerance_ms,
                   "No input for one frame interval plus this: outputs carry on with slate")
      ->check(CLI::Range(0, 10'000))
      ->capture_default_str();
  tr_cmd->add_option("--allow-net", tr.allow_net, kAllowNetHelp);
  tr_cmd->add_option("--hls", tr.hls_dir, "Also write HLS (2 s segments) into this directory");
  tr_cmd->add_flag("--stats", tr.stats, "Print stats as JSON lines once a second");
  tr_cmd->add_option("--connect-timeout-ms", tr.connect_timeout_ms, "Input connect timeout")
      ->capture_default_str();
  tr_cmd
      ->add_option("--read-timeout-ms", tr.read_timeout_ms,
                   "Input read timeout: no data this long means the input is lost")
      ->capture_default_str();
  tr_cmd
      ->add_option("--slate-black-after-ms", tr.slate_black_after_ms,
                   "While the input is away: the last picture this long, then black")
      ->capture_default_str();
  tr_cmd
      ->add_option("--reconnect-window-ms", tr.reconnect_window_ms,
                   "Keep reconnecting a lost input this long, then end (0: forever)")
      ->capture_default_str();
  tr_cmd
      ->add_option("--hevc-flv", tr.hevc_flv,
                   "H.265 over RTMP: enhanced (FourCC hvc1) or codec-id-12")
      ->check(CLI::IsMember({"enhanced", "codec-id-12"}))
      ->capture_default_str();

  tr_cmd
      ->add_option("--x264-tune", tr.x264_tune,
                   "x264 tune: zerolatency (live default) or none (x264's own, ~0.6 s more delay)")
      ->check(CLI::IsMember({"zerolatency", "none"}))
      ->capture_default_str();

  std::string probe_url;
  int probe_seconds = 5;
  auto* probe_cmd =
      app.add_subcommand("flv-probe", "Read an H.265 FLV stream with Floe's own reader");
  probe_cmd->add_option("--input", probe_url, "rtmp:// URL")->required();
  probe_cmd->add_option("--seconds", probe_seconds, "How long to read")->capture_default_str();

  floe::cli::QuoteNoValuesInUsageErrors(app, argc, argv);
  CLI11_PARSE(app, argc, argv);
  try {
    if (serve_cmd->parsed()) {
      floe::core::InitLogging("serve", log_level);
      serve.log_level = log_level;
      return floe::cli::Serve(serve);
    }
    if (worker_cmd->parsed()) {
      floe::core::InitLogging("worker", log_level);
      worker.log_level = log_level;
      return floe::cli::Work(worker);
    }
    if (run_job_cmd->parsed()) {
      floe::core::InitLogging("run-job", log_level);
      return floe::cli::RunJob(run_job);
    }
    if (probe_cmd->parsed()) {
      floe::core::InitLogging("flv-probe", "error");
      return floe::cli::FlvProbe(probe_url, probe_seconds);
    }
    if (rec_cmd->parsed()) {
      floe::core::InitLogging("record", log_level);
      return floe::cli::Record(rec);
    }
    if (tr_cmd->parsed()) {
      floe::core::InitLogging("transcode", log_level);
      return floe::cli::Transcode(tr);
    }
    if (ice_cmd->parsed()) {
      floe::core::InitLogging("ice", "warn");
      return floe::cli::Ice(ice_cmd->remaining());
    }
    if (app.got_subcommand("admin")) {
      floe::core::InitLogging("admin", "warn");
      return run_admin();
    }
  } catch (const std::exception& e) {
    std::cerr << "floe: " << floe::store::MaskStoreUrl(e.what()) << "\n";
    return 1;
  }
  return 0;
}
