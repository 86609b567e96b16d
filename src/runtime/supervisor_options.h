// What the job runtime of a node is told: the program of its media processes, its timings
// (ticks, grace periods, backoff) and its leases (holder, capacity, lease and heartbeat).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/records.h"

namespace floe::runtime {

struct SupervisorOptions {
  std::string floe_binary;  // the program that runs `run-job`
  std::string lock_dir;     // one lock file per job
  std::string log_level = "info";
  std::vector<std::string> allow_net;  // passed on to every run-job (--allow-net)
  std::string preview_dir;             // passed on as --preview-dir ("": no previews)
  int tick_ms = 200;
  int stop_grace_ms = 1500;  // SIGTERM, then SIGKILL after this
  // A job removed from a process that still runs others: its rendition flushes and finishes
  // (a blocked output gives up within 10 s); past this the process goes, and its others restart.
  int rendition_stop_ms = 12'000;
  int min_backoff_ms = 1000;
  int max_backoff_ms = 30'000;
  int stable_after_ms = 60'000;  // a process up this long starts the backoff afresh
  // A record job ends when its input has been away this long (or never came): the API's rule.
  int64_t record_input_wait_ms = 180'000;
  // A record or snapshot job's event for its NotifyUrl/CallbackUrl: what to POST there
  // (runtime/callbacks.h: CallbackBody, delivered by a Notifier). Empty: none sent.
  std::function<void(const std::string& job_id, const std::string& url, std::string body)> callback;

  // Leases. holder: this run of this node ("NODE-ID/INSTANCE"); capacity 0: no limit.
  std::string node_id = "local";
  std::string holder = "local/0";
  int64_t capacity_mc = 0;
  int lease_ms = 3000;
  int heartbeat_ms = 1000;
  int claim_ms = 1000;
  int lease_margin_ms = 1000;    // a process stops this long before the lease expires
  int wait_after_ms = 3000;      // unclaimed this long and declined: waiting_for_capacity
  int prefer_decoder_ms = 2000;  // a job whose input another node decodes is left to it this long
  std::function<int64_t(const store::JobRecord&)> cost;  // millicores (nullptr: 0)
};

}  // namespace floe::runtime
