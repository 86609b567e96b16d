#include "cli/serve.h"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/rate_share.h"
#include "cli/bootstrap.h"
#include "core/net_policy.h"
#include "core/time.h"
#include "http/server.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strings.h"
#include "http/static_files.h"
#include "ice/api_metrics.h"
#include "ice/buckets.h"
#include "ice/gateway.h"
#include "ice/job_service.h"
#include "ice/jobs.h"
#include "ice/live_center.h"
#include "ice/preview.h"
#include "ice/record_jobs.h"
#include "ice/record_templates.h"
#include "ice/snapshot_jobs.h"
#include "ice/snapshot_templates.h"
#include "ice/template_config.h"
#include "ice/template_service.h"
#include "ice/templates.h"
#include "runtime/callbacks.h"
#include "runtime/cost.h"
#include "runtime/job_retention.h"
#include "runtime/metrics.h"
#include "runtime/supervisor.h"

namespace floe::cli {

namespace {

// GET /metrics on the metrics address: the API's counts, then the runtime's and the process's.
http::Response MetricsResponse(const http::Request& req, const ice::ApiMetrics& api,
                               runtime::Supervisor& supervisor, const runtime::NodeInfo& node) {
  if (req.method != "GET" || req.Path() != "/metrics") {
    return http::PlainText(404, "Only GET /metrics is served here.");
  }
  http::Response r;
  core::PromText out;
  api.Write(out);
  runtime::WriteRuntimeMetrics(supervisor.Snapshot(), node, out);
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = out.Text();
  return r;
}

// The console's files: /console/ is its index.html. Its scripts come only from this server
// (CSP), and it is never framed.
http::Response ConsoleFile(const http::Request& req, const std::string& dir,
                           const std::string& name) {
  http::Response r = http::ServeApp(req, dir, name, "no-cache",
                                    "The console is not built here; make build builds it.");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; "
                         "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

// The API at /, the console's files at /console/, previews (when on) and buckets' files behind
// their signed links.
http::Response Route(const http::Request& r, ice::Gateway& gateway, const std::string& console_dir,
                     const ice::PreviewLinks* previews, const ice::BucketLinks& files) {
  std::string path = r.Path();
  if (path == "/console") {
    http::Response moved;
    moved.status = 301;
    moved.headers.emplace_back("Location", "/console/");
    return moved;
  }
  if (path.rfind("/console/", 0) == 0) return ConsoleFile(r, console_dir, path.substr(9));
  if (previews && path.rfind(ice::PreviewLinks::kPrefix, 0) == 0) {
    auto target = previews->Resolve(path);
    if (!target) return http::PlainText(403, "This preview link is invalid or has expired.");
    return http::ServeFile(r, target->dir, target->file, "no-store");
  }
  if (path.rfind(ice::BucketLinks::kPrefix, 0) == 0) {
    auto target = files.Resolve(path);
    if (!target) return http::PlainText(target.error().http_status, target.error().message);
    return http::ServeFile(r, target->dir, target->object, "private, max-age=60",
                           http::NameRule::kObject);
  }
  return gateway.Handle(r);
}

// "ADDRESS:PORT" into the options; false (logged) when it is not that.
bool ParseListen(const std::string& option, const std::string& value, http::ServerOptions& opts) {
  auto colon = value.rfind(':');
  std::string port = colon == std::string::npos ? "" : value.substr(colon + 1);
  if (colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    spdlog::error("event=bad_config {}={} why=\"expected ADDRESS:PORT\"", option,
                  core::Excerpt(value));
    return false;
  }
  opts.address = value.substr(0, colon);
  opts.port = static_cast<uint16_t>(std::stoi(port));
  return true;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// This node's name: --node-id or the host name; it names its leases too ("NODE/INSTANCE").
std::optional<std::string> NodeId(const ServeConfig& config) {
  std::string id = config.node_id.empty() ? HostName() : config.node_id;
  if (id.empty() || id.size() > 64 ||
      id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
          std::string::npos) {
    spdlog::error("event=bad_config node_id={} why=\"1 to 64 letters, digits, '-', '_', '.'\"",
                  core::Excerpt(id));
    return std::nullopt;
  }
  return id;
}

// A SQLite store is opened by one node only (its data directory is locked): leases left by a
// run that crashed are its own, and go at once instead of after their expiry.
bool ForgetLeasesOfSingleNode(const ServeConfig& config, store::Store& store) {
  if (IsPostgresUrl(config.store_url)) return true;
  if (auto r = store.ResetLeases(); !r) {
    spdlog::error("event=store_error why=\"{}\"", r.error().message);
    return false;
  }
  return true;
}

std::string PreviewDir(const ServeConfig& config) {
  return (std::filesystem::path(config.data_dir) / "preview").string();
}

// What serve and worker check alike: --metrics-listen (into `metrics`) and --allow-net; false
// (logged) when one is wrong.
bool CheckNodeOptions(const ServeConfig& config, http::ServerOptions& metrics) {
  metrics.io_threads = 1;
  metrics.worker_threads = 2;
  if (!config.metrics_listen.empty() &&
      !ParseListen("metrics_listen", config.metrics_listen, metrics)) {
    return false;
  }
  for (const auto& c : config.allow_net) {
    if (auto r = core::ParseCidr(c); !r) {
      spdlog::error("event=bad_config why=\"{}\"", r.error().message);
      return false;
    }
    spdlog::info("event=allow_net cidr={}", c);
  }
  return true;
}

// What --allow-net allows (CheckNodeOptions has checked each CIDR): where a node's callbacks
// may go, as its media processes' connections.
core::NetPolicy PolicyOf(const ServeConfig& config) {
  core::NetPolicy policy;
  for (const auto& c : config.allow_net) {
    if (auto cidr = core::ParseCidr(c)) policy.Allow(*cidr);
  }
  return policy;
}

// The node's callbacks (runtime/callbacks.h), hooked to its supervisor; one that cannot be
// delivered is a `callback_failed` event of its job.
std::unique_ptr<runtime::Notifier> CallbacksFor(const ServeConfig& config, store::Store& store,
                                                runtime::SupervisorOptions& sup_opts) {
  runtime::Notifier::Options o;
  o.policy = PolicyOf(config);
  o.on_failed = [&store](const std::string& job_id, const std::string& why) {
    if (auto r = store.AddJobEvent({job_id, core::NowMillis(), "callback_failed", why}); !r) {
      spdlog::error("event=job_event_error job_id={} error=\"{}\"", job_id, r.error().message);
    }
  };
  auto notifier = std::make_unique<runtime::Notifier>(std::move(o));
  sup_opts.callback = [n = notifier.get()](const std::string& job_id, const std::string& url,
                                           std::string body) {
    n->Post(job_id, url, std::move(body));
  };
  return notifier;
}

// GET /metrics on its own address (--metrics-listen), never on the API's: tenants cannot read
// it. Off when the address is empty.
class MetricsEndpoint {
 public:
  MetricsEndpoint(const ServeConfig& config, const http::ServerOptions& opts,
                  const ice::ApiMetrics& api, runtime::Supervisor& supervisor,
                  const runtime::NodeInfo& node) {
    if (config.metrics_listen.empty()) return;
    server_ = std::make_unique<http::Server>(opts, [&api, &supervisor, &node](const auto& r) {
      return MetricsResponse(r, api, supervisor, node);
    });
    url_ = "http://" + opts.address + ":" + std::to_string(server_->Listen());
  }
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;
  ~MetricsEndpoint() { Stop(); }

  void Run() {
    if (server_) thread_ = std::thread([this] { server_->Run(/*handle_signals=*/false); });
  }
  void Stop() {
    if (!server_) return;
    server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  // "http://ADDRESS:PORT", or empty when off.
  const std::string& Url() const { return url_; }

 private:
  std::unique_ptr<http::Server> server_;
  std::string url_;
  std::thread thread_;
};

runtime::SupervisorOptions SupervisorOptionsOf(const ServeConfig& config,
                                               const std::string& node_id) {
  runtime::SupervisorOptions o;
  o.floe_binary = std::filesystem::read_symlink("/proc/self/exe").string();
  o.lock_dir = (std::filesystem::path(config.data_dir) / "run").string();
  o.log_level = config.log_level;
  o.allow_net = config.allow_net;
  std::error_code ec;
  std::filesystem::remove_all(PreviewDir(config), ec);  // what a crashed run left
  if (config.preview) o.preview_dir = PreviewDir(config);
  o.node_id = node_id;
  o.holder = node_id + "/" + core::NewResourceId().substr(0, 12);
  double cores =
      config.capacity > 0 ? config.capacity : std::max(1u, std::thread::hardware_concurrency());
  o.capacity_mc = static_cast<int64_t>(cores * 1000);
  o.lease_ms = config.lease_ms;
  o.heartbeat_ms = config.heartbeat_ms;
  o.record_input_wait_ms = int64_t{config.record_input_wait_s} * 1000;
  o.lease_margin_ms = std::max(200, config.lease_ms / 6);
  o.cost = [](const store::JobRecord& job) -> int64_t {
    if (job.family == "record") return runtime::CostModel{}.origin_mc;  // a copy, like origin
    if (job.family == "snapshot") return runtime::CostModel{}.snapshot_mc;
    auto spec = ice::TemplateSpecOf(job.template_type, job.template_config);
    return spec ? runtime::JobCostMillicores(*spec) : 1000;  // unreadable: a whole core
  };
  spdlog::info("event=node node={} holder={} capacity_cores={:.2f} lease_ms={} heartbeat_ms={}",
               node_id, o.holder, cores, o.lease_ms, o.heartbeat_ms);
  return o;
}

// The block a person reads when Floe is up: where everything is.
void PrintReady(const std::string& program, const std::string& endpoint, const ServeConfig& config,
                const std::string& creds, const std::string& metrics,
                const std::string& access_log) {
  std::printf(
      "\nFloe is ready (ICE API 2020-11-09)\n"
      "  API endpoint:  %s\n"
      "  console:       %s/console/\n"
      "  credentials:   %s\n"
      "  store:         %s\n"
      "  metrics:       %s\n"
      "  access log:    %s\n"
      "  health:        %s/healthz\n"
      "  CLI:           %s ice configure --credentials-file %s --endpoint %s\n\n",
      endpoint.c_str(), endpoint.c_str(), creds.c_str(),
      DescribeStore(config.store_url, config.data_dir).c_str(),
      metrics.empty() ? "off (--metrics-listen ADDRESS:PORT)" : (metrics + "/metrics").c_str(),
      access_log == "-" ? "standard error, with the log" : access_log.c_str(), endpoint.c_str(),
      program.c_str(), creds.c_str(), endpoint.c_str());
  std::fflush(stdout);
}

}  // namespace

int Serve(const ServeConfig& config) {
  http::ServerOptions opts;
  if (!ParseListen("listen", config.listen, opts)) return 2;
  http::ServerOptions metrics_opts;
  if (!CheckNodeOptions(config, metrics_opts)) return 2;
  opts.io_threads = config.io_threads;
  opts.worker_threads = config.worker_threads;
  opts.body_limit = config.body_limit;
  opts.read_timeout = std::chrono::milliseconds(config.read_timeout_ms);
  opts.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  opts.first_request_timeout = std::chrono::milliseconds(config.first_request_timeout_ms);
  opts.max_connections = config.max_connections;
  opts.max_connections_per_client = config.max_connections_per_client;
  auto proxies = http::TrustedProxies::Parse(config.trusted_proxies);
  if (!proxies) {
    spdlog::error("event=bad_config why=\"{}\"", proxies.error().message);
    return 2;
  }
  opts.trusted_proxies = std::move(*proxies);
  for (const auto& c : config.trusted_proxies) spdlog::info("event=trusted_proxy cidr={}", c);

  EnsureDataDir(config.data_dir);
  std::string access_log = config.access_log.empty()
                               ? (std::filesystem::path(config.data_dir) / "access.log").string()
                               : config.access_log;
  core::InitAccessLog(access_log);
  auto opened = OpenStore(config.store_url, config.data_dir);
  store::Store& store = *opened;
  auto node_id = NodeId(config);
  if (!node_id) return 2;
  if (!ForgetLeasesOfSingleNode(config, store)) return 2;
  auto box = auth::SecretBox::LoadOrCreate(MasterKeyPath(config.data_dir));
  auth::Identity identity(store, box);
  std::string creds = BootstrapRootAccount(store, identity, config.data_dir);

  // --live-center DOMAIN=URL: a domain of the root account, kept in the store like the others.
  ice::LiveCenter live_center(store);
  auto root = identity.RootAccountId();
  if (!root) {
    spdlog::error("event=bad_config why=\"{}\"", root.error().message);
    return 2;
  }
  for (const auto& m : config.live_centers) {
    if (auto r = live_center.AddMapping(m, *root); !r) {
      spdlog::error("event=bad_config why=\"{}\"", r.error().message);
      return 2;
    }
    spdlog::info("event=live_center mapping={} account={}", m, *root);
  }

  auth::StoreNonceCache nonces(store);
  auth::Authenticator authn(store, nonces, box);
  auth::Authorizer authz(store);
  // On a shared store the caller's key, account and policies are read once per node, until any
  // node changes them (auth/identity_cache.h).
  auth::IdentityCache identities(store);
  authn.UseCache(&identities);
  authz.UseCache(&identities);
  auth::RateLimiter limiter(config.rate_limit, config.rate_burst);
  runtime::SupervisorOptions sup_opts = SupervisorOptionsOf(config, *node_id);
  // Several nodes on one store: an AccessKey's rate holds for all of them together.
  std::unique_ptr<auth::RateShare> rate_share;
  if (IsPostgresUrl(config.store_url) && config.rate_limit > 0) {
    rate_share = std::make_unique<auth::RateShare>(store, limiter, sup_opts.holder);
    rate_share->Start();
  }
  auto callbacks = CallbacksFor(config, store, sup_opts);
  runtime::Supervisor supervisor(store, sup_opts);

  ice::TemplateService templates(store, nullptr, config.max_templates_per_account);
  ice::JobService jobs(
      store, live_center, config.run_jobs ? &supervisor : nullptr, nullptr,
      {config.max_jobs_per_account, config.max_jobs, config.max_stored_jobs_per_account});
  // Every serve node sweeps (a sweep skips what another is deleting); workers serve no API.
  runtime::JobRetention retention(store, int64_t{config.stopped_job_retention_hours} * 3'600'000,
                                  std::chrono::minutes(10));
  ice::ActionTable actions;
  ice::AddTemplateActions(actions, templates);
  auto record_templates = ice::RecordTemplates(store, config.max_templates_per_account);
  ice::AddRecordTemplateActions(actions, record_templates);
  auto snapshot_templates = ice::SnapshotTemplates(store, config.max_templates_per_account);
  ice::AddSnapshotTemplateActions(actions, snapshot_templates);
  ice::AddJobActions(actions, jobs);
  ice::PreviewLinks previews(box.DeriveKey("preview links"), PreviewDir(config),
                             config.preview_link_ttl_s);
  if (config.preview) ice::AddPreviewActions(actions, jobs, previews);
  ice::BucketLinks files(box.DeriveKey(ice::BucketLinks::kKeyPurpose), store);
  const core::NetPolicy callback_policy = PolicyOf(config);
  ice::RecordJobService record_jobs(
      store, config.run_jobs ? &supervisor : nullptr,
      {config.max_jobs_per_account, config.max_jobs, config.max_stored_jobs_per_account}, nullptr,
      &callback_policy);
  ice::AddRecordJobActions(actions, record_jobs, files);
  ice::SnapshotJobService snapshot_jobs(
      store, config.run_jobs ? &supervisor : nullptr,
      {config.max_jobs_per_account, config.max_jobs, config.max_stored_jobs_per_account}, nullptr,
      &callback_policy);
  ice::AddSnapshotJobActions(actions, snapshot_jobs, files);
  std::string console_dir =
      config.console_dir.empty()
          ? (std::filesystem::path(sup_opts.floe_binary).parent_path() / "console").string()
          : config.console_dir;
  ice::Gateway gateway(authn, authz, limiter, std::move(actions), config.auth_failure_rate,
                       config.auth_failure_burst);
  ice::ApiMetrics api_metrics;
  gateway.SetMetrics(&api_metrics);
  gateway.SetHealthCheck([&store] { return store.Ping(); });

  runtime::NodeInfo node{*node_id, config.max_jobs};
  MetricsEndpoint metrics(config, metrics_opts, api_metrics, supervisor, node);

  http::Server server(opts, [&](const http::Request& r) {
    return Route(r, gateway, console_dir, config.preview ? &previews : nullptr, files);
  });
  uint16_t port = server.Listen();
  std::string endpoint = "http://" + opts.address + ":" + std::to_string(port);
  spdlog::info(
      "event=listening endpoint={} data_dir={} store={} jobs={} credentials={} metrics={} "
      "node={} access_log={}",
      endpoint, config.data_dir, IsPostgresUrl(config.store_url) ? "postgres" : "sqlite",
      config.run_jobs ? "on" : "off", creds, metrics.Url().empty() ? "off" : metrics.Url(),
      node.node, access_log);
  if (config.run_jobs) supervisor.Start();  // jobs that should run (also after a crash) run again
  retention.Start();
  metrics.Run();
  PrintReady(sup_opts.floe_binary, endpoint, config, creds, metrics.Url(), access_log);
  server.Run(/*handle_signals=*/true);
  retention.Stop();
  metrics.Stop();
  supervisor.Shutdown();  // job processes flush and exit; their jobs run again at next start
  spdlog::info("event=stopped");
  return 0;
}

int Work(const ServeConfig& config) {
  if (!IsPostgresUrl(config.store_url)) {
    spdlog::error(
        "event=bad_config why=\"a worker needs --store postgres://USER@HOST:PORT/DB (a SQLite "
        "store has one node: floe serve runs its jobs)\"");
    return 2;
  }
  http::ServerOptions opts;
  opts.io_threads = 1;
  opts.worker_threads = 2;
  if (!ParseListen("listen", config.listen, opts)) return 2;
  http::ServerOptions metrics_opts;
  if (!CheckNodeOptions(config, metrics_opts)) return 2;
  auto node_id = NodeId(config);
  if (!node_id) return 2;
  EnsureDataDir(config.data_dir);
  auto opened = OpenStore(config.store_url, config.data_dir);
  store::Store& store = *opened;
  runtime::SupervisorOptions sup_opts = SupervisorOptionsOf(config, *node_id);
  auto callbacks = CallbacksFor(config, store, sup_opts);
  runtime::Supervisor supervisor(store, sup_opts);
  runtime::NodeInfo node{*node_id, 0};
  ice::ApiMetrics api_metrics;  // none: a worker serves no API
  MetricsEndpoint metrics(config, metrics_opts, api_metrics, supervisor, node);
  // /healthz: 200 while the store takes this node's heartbeats, 503 once it has not for a lease
  // time (its jobs are moving elsewhere).
  int lease_ms = config.lease_ms;
  http::Server server(opts, [&](const http::Request& r) {
    if (r.method != "GET" || r.Path() != "/healthz") {
      return http::PlainText(404, "A worker serves only GET /healthz.");
    }
    auto s = supervisor.Snapshot();
    bool ok = s.heartbeat_age_ms >= 0 && s.heartbeat_age_ms < lease_ms;
    http::Response resp;
    resp.status = ok ? 200 : 503;
    resp.content_type = "application/json";
    resp.body = core::DumpJson(nlohmann::json{{"Status", ok ? "ok" : "store unreachable"},
                                              {"Node", s.node_id},
                                              {"Leases", s.leases},
                                              {"UsedCores", s.used_mc / 1000.0},
                                              {"CapacityCores", s.capacity_mc / 1000.0}});
    return resp;
  });
  uint16_t port = server.Listen();
  std::string endpoint = "http://" + opts.address + ":" + std::to_string(port);
  spdlog::info("event=listening role=worker health={}/healthz store=postgres node={} metrics={}",
               endpoint, *node_id, metrics.Url().empty() ? "off" : metrics.Url());
  supervisor.Start();
  metrics.Run();
  std::printf(
      "\nFloe worker %s is ready\n"
      "  health:   %s/healthz\n"
      "  store:    %s\n"
      "  capacity: %.2f cores\n"
      "  metrics:  %s\n\n",
      node_id->c_str(), endpoint.c_str(), DescribeStore(config.store_url, config.data_dir).c_str(),
      static_cast<double>(sup_opts.capacity_mc) / 1000,
      metrics.Url().empty() ? "off (--metrics-listen ADDRESS:PORT)"
                            : (metrics.Url() + "/metrics").c_str());
  std::fflush(stdout);
  server.Run(/*handle_signals=*/true);
  metrics.Stop();
  supervisor.Shutdown();  // processes flush and exit; the leases go, for other nodes to claim
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace floe::cli
