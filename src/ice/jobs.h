// The six job actions: decode parameters, call the JobService, shape the answer.
#pragma once

#include "ice/action.h"
#include "ice/job_service.h"

namespace floe::ice {

void AddJobActions(ActionTable& table, JobService& service);

// A job as Get and List answer it; Get adds the event log and the process (Floe extensions).
Json JobContent(const store::JobRecord& job);

}  // namespace floe::ice
