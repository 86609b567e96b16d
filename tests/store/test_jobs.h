// A transcoding job as the unit tests insert it: running, on the system template 360, RTMP in
// and out on 127.0.0.1; each test changes only what it is about.
#pragma once

#include <string>

#include "store/records.h"

namespace floe::testing {

inline store::JobRecord TestJob(
    const std::string& id, const std::string& account,
    const std::string& template_id = "00000000000000000000000000000360") {
  store::JobRecord j;
  j.job_id = id;
  j.account_id = account;
  j.name = "job-" + id;
  j.template_id = template_id;
  j.status = store::JobStatus::kRunning;
  j.input_type = "rtmp";
  j.input_url = "rtmp://127.0.0.1/live/in";
  j.output_type = "rtmp";
  j.output_url = "rtmp://127.0.0.1/live/out";
  j.create_time_ms = 1;
  return j;
}

}  // namespace floe::testing
