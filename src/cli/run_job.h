// `floe run-job --lock-dir DIR [--allow-net CIDR…] [--group NAME]`: the media process of
// `floe serve` (src/runtime/supervisor.h) for one input and every job on it. It speaks
// src/runtime/protocol.h: the first line on standard input says the input and the first jobs,
// later lines add and remove jobs while the others keep running; events, stats and failures
// go to standard output as reports, and standard error is only its log. Each job's rendition
// holds DIR/JOB_ID.lock while it runs (a job never runs twice; a job whose lock another process
// still holds waits, event job_lock_wait). An input not live yet or gone is waited for (event
// input_waiting), never given up on; a rendition that fails is reported for its job alone. It
// runs until SIGTERM or the end of standard input. Every connection passes the network guard
// (media/net_guard.h); a LiveCenter job's push base is always reachable. With --preview-dir
// each output and the input are also written as a short rolling HLS (best effort: a preview
// that fails never stops a job).
#pragma once

#include <string>
#include <vector>

namespace floe::cli {

struct RunJobArgs {
  std::string lock_dir;
  std::vector<std::string> allow_net;  // CIDRs reachable besides public unicast (from serve)
  std::string group;                   // a name for this process in ps (the supervisor's)
  // Optional: the live preview, HLS of each job's output in DIR/jobs/JOB_ID/ and of the input in
  // DIR/inputs/NAME/ (runtime::InputPreviewName), removed when a job leaves and at the end.
  std::string preview_dir;
};

int RunJob(const RunJobArgs& args);

}  // namespace floe::cli
