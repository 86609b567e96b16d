#include "cli/serve.h"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "cli/bootstrap.h"
#include "core/net_policy.h"
#include "http/server.h"

#include <filesystem>

#include "ice/gateway.h"
#include "ice/job_service.h"
#include "ice/jobs.h"
#include "ice/live_center.h"
#include "ice/template_service.h"
#include "ice/templates.h"
#include "runtime/supervisor.h"
#include "store/sqlite/sqlite_store.h"

namespace floe::cli {

int Serve(const ServeConfig& config) {
  auto colon = config.listen.rfind(':');
  if (colon == std::string::npos) {
    spdlog::error("event=bad_config listen={} why=\"expected ADDRESS:PORT\"", config.listen);
    return 2;
  }
  http::ServerOptions opts;
  opts.address = config.listen.substr(0, colon);
  opts.port = static_cast<uint16_t>(std::stoi(config.listen.substr(colon + 1)));
  opts.io_threads = config.io_threads;
  opts.worker_threads = config.worker_threads;
  opts.body_limit = config.body_limit;
  opts.read_timeout = std::chrono::milliseconds(config.read_timeout_ms);
  opts.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  opts.first_request_timeout = std::chrono::milliseconds(config.first_request_timeout_ms);
  opts.max_connections = config.max_connections;
  opts.max_connections_per_client = config.max_connections_per_client;

  for (const auto& c : config.allow_net) {
    if (auto r = core::ParseCidr(c); !r) {
      spdlog::error("event=bad_config why=\"{}\"", r.error().message);
      return 2;
    }
    spdlog::info("event=allow_net cidr={}", c);
  }

  EnsureDataDir(config.data_dir);
  store::sqlite::SqliteStore store(StorePath(config.data_dir));
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
  auth::RateLimiter limiter(config.rate_limit, config.rate_burst);
  runtime::SupervisorOptions sup_opts;
  sup_opts.floe_binary = std::filesystem::read_symlink("/proc/self/exe").string();
  sup_opts.lock_dir = (std::filesystem::path(config.data_dir) / "run").string();
  sup_opts.log_level = config.log_level;
  sup_opts.allow_net = config.allow_net;
  runtime::Supervisor supervisor(store, sup_opts);

  ice::TemplateService templates(store);
  ice::JobService jobs(store, live_center, &supervisor, nullptr,
                       {config.max_jobs_per_account, config.max_jobs});
  ice::ActionTable actions;
  ice::AddTemplateActions(actions, templates);
  ice::AddJobActions(actions, jobs);
  ice::Gateway gateway(authn, authz, limiter, std::move(actions), config.auth_failure_rate,
                       config.auth_failure_burst);

  http::Server server(opts, [&gateway](const http::Request& r) { return gateway.Handle(r); });
  uint16_t port = server.Listen();
  spdlog::info("event=listening endpoint=http://{}:{} data_dir={} store=sqlite credentials={}",
               opts.address, port, config.data_dir, creds);
  supervisor.Start();  // jobs that should run (also after a crash) run again
  server.Run(/*handle_signals=*/true);
  supervisor.Shutdown();  // job processes flush and exit; their jobs run again at next start
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace floe::cli
