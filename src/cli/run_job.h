// `floe run-job --job-id ID --lock-dir DIR [--allow-net CIDR…]`: the process that runs one live
// transcoding job for `floe serve` (src/runtime/supervisor.h). It reads the job's spec (JSON:
// JobId, InputUrl, OutputUrl, Type, TemplateConfig) on standard input, holds DIR/ID.lock while it
// runs (a job never runs twice), and runs the media pipeline until SIGTERM: an input that is not
// live yet or goes away is waited for (event=input_waiting), never given up on. Log lines go to
// stderr, stats lines (JSON) to stdout; a fatal error is one event=job_failed line and exit code 1.
// Every connection it makes passes the network guard (media/net_guard.h); a LiveCenter job's
// push base (spec field TrustedOutput) is always reachable.
#pragma once

#include <string>
#include <vector>

namespace floe::cli {

struct RunJobArgs {
  std::string job_id;
  std::string lock_dir;
  std::vector<std::string> allow_net;  // CIDRs reachable besides public unicast (from serve)
};

int RunJob(const RunJobArgs& args);

}  // namespace floe::cli
