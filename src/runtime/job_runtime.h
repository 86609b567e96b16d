// What the API needs from the job runtime: a nudge when jobs change, a bounded wait for a job's
// process to be gone, and a view of a job's process for GetLiveTranscodeJob.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace floe::runtime {

struct JobProcessView {
  std::string state;  // starting | running | waiting-input | waiting-output | input-stalled
                      // (slate) | input-lost | restarting | stopping
  int pid = 0;
  int restarts = 0;        // process restarts after failures
  int64_t since_ms = 0;    // when the current process started (Unix ms)
  std::string last_error;  // the last failure's reason, if any
  std::string stats_json;  // the newest stats line of the process, if any
  // Record and snapshot jobs: the files (pictures) and bytes this node catalogued for the job
  // since it came to this node.
  int64_t files = 0, file_bytes = 0;
};

class JobRuntime {
 public:
  virtual ~JobRuntime() = default;
  // Jobs changed in the store (submitted, updated, stopped, deleted): look again now.
  virtual void Wake() = 0;
  // Waits until the job has no process (true) or the limit passes (false).
  virtual bool WaitStopped(const std::string& job_id, std::chrono::milliseconds limit) = 0;
  virtual std::optional<JobProcessView> View(const std::string& job_id) = 0;
};

}  // namespace floe::runtime
