#include "runtime/timed_jobs.h"

#include <spdlog/spdlog.h>

namespace floe::runtime {

bool AdvanceTimedJobs(store::Store& store, std::vector<store::JobRecord>& jobs, int64_t now) {
  bool changed = false;
  for (auto& job : jobs) {
    if (job.start_mode != store::StartMode::kTimed) continue;
    bool start = job.status == store::JobStatus::kNotStarted && job.start_time_ms <= now;
    bool end = job.end_time_ms > 0 && job.end_time_ms <= now;
    if (!start && !end) continue;
    store::JobStatus status = job.status;
    auto r = store.UpdateJob(
        job.account_id, job.job_id,
        [&](const store::JobRecord& cur,
            std::vector<store::JobEvent>& events) -> core::Result<store::JobRecord> {
          store::JobRecord next = cur;
          status = cur.status;
          if (cur.status == store::JobStatus::kStopped) return next;  // it stays stopped
          if (end) {
            next.status = store::JobStatus::kStopped;
            events.push_back({"", now, "stopped", "EndTime reached"});
          } else if (cur.status == store::JobStatus::kNotStarted) {
            next.status = store::JobStatus::kRunning;
            events.push_back({"", now, "scheduled_start", "StartTime reached"});
          }
          status = next.status;
          return next;
        });
    if (!r) {
      spdlog::error("event=job_schedule_error job_id={} error=\"{}\"", job.job_id,
                    r.error().message);
      continue;
    }
    if (status == job.status) continue;
    job.status = status;
    changed = true;
    spdlog::info("event=job_{} job_id={}",
                 status == store::JobStatus::kStopped ? "ended" : "scheduled_start", job.job_id);
  }
  return changed;
}

int64_t NextTimedMs(const std::vector<store::JobRecord>& jobs, int64_t now) {
  int64_t next = 0;
  for (const auto& job : jobs) {
    if (job.start_mode != store::StartMode::kTimed) continue;
    for (int64_t t :
         {job.status == store::JobStatus::kNotStarted ? job.start_time_ms : 0, job.end_time_ms}) {
      if (t > now && (next == 0 || t < next)) next = t;
    }
  }
  return next;
}

}  // namespace floe::runtime
