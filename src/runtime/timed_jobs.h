// Timed jobs (StartMode timed): started when the clock reaches their StartTime, stopped when
// it reaches their EndTime. The new status is written to the store first, with its event
// (`scheduled_start`, or `stopped` "EndTime reached"); the supervisor then runs what the store
// says. A job stopped meanwhile (by the API, on any node) stays stopped.
#pragma once

#include <cstdint>
#include <vector>

#include "store/store.h"

namespace floe::runtime {

// Advances the timed jobs of `jobs` that are due at `now` (their records too); true when one
// changed. A job the store cannot update is logged and tried again at the next call.
bool AdvanceTimedJobs(store::Store& store, std::vector<store::JobRecord>& jobs, int64_t now);

// The next StartTime or EndTime after `now` among these jobs (0: none), for the loop to wake.
int64_t NextTimedMs(const std::vector<store::JobRecord>& jobs, int64_t now);

}  // namespace floe::runtime
