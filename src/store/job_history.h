// What both stores keep of a job's history: its newest kMaxJobEvents events, and when it was
// stopped (what retention, Store::DeleteStoppedJobs, counts from).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/time.h"
#include "store/records.h"

namespace floe::store {

// Events kept per job. A job that runs for weeks with a flapping input logs thousands of
// input_lost/reconnected pairs; the API shows the newest 50 (JobService::kEventsShown), and
// 200 keep the start of a day's trouble in reach without letting one job grow the store for ever.
constexpr int kMaxJobEvents = 200;

// The stop time of `next` after an update of `current` that recorded `events`: kept while the
// job stays stopped, set as it stops (the newest event's time, which the caller's clock made,
// else now), 0 while it is not stopped.
inline int64_t StopTimeAfter(const JobRecord& current, const JobRecord& next,
                             const std::vector<JobEvent>& events) {
  if (next.status != JobStatus::kStopped) return 0;
  if (current.status == JobStatus::kStopped && current.stop_time_ms > 0) {
    return current.stop_time_ms;
  }
  int64_t t = 0;
  for (const auto& e : events) t = std::max(t, e.time_ms);
  return t > 0 ? t : core::NowMillis();
}

// The stop time of a job inserted as it is (stopped already: its creation).
inline int64_t StopTimeAtInsert(const JobRecord& job) {
  return job.status == JobStatus::kStopped ? job.create_time_ms : 0;
}

}  // namespace floe::store
