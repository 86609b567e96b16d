// The six job actions: decode parameters, call the JobService, shape the answer.
#pragma once

#include "ice/action.h"
#include "ice/job_service.h"

namespace floe::ice {

void AddJobActions(ActionTable& table, JobService& service);

// A job as Get and List answer it; Get adds the event log and the process (Floe extensions).
Json JobContent(const store::JobRecord& job);
// A job's events as Get shows them: Time, Event, Detail (when there is one).
Json EventsContent(const std::vector<store::JobEvent>& events);
// A job's media process as Get shows it (a Floe extension): state, restarts, last error, stats.
Json ProcessContent(const runtime::JobProcessView& view);

}  // namespace floe::ice
