// What the job actions of the two bucket families (recording, snapshots) read alike: the
// bucket a job writes into, its callback URL, and the time windows of their lists. No HTTP, no
// SQL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "core/net_policy.h"
#include "core/result.h"
#include "ice/action.h"
#include "ice/job_service.h"
#include "runtime/job_runtime.h"
#include "store/store.h"

namespace floe::ice {

// A job's RecordOutput or SnapshotOutput (`field`, JSON {<type_key>: oss, Bucket, Endpoint}):
// the Bucket must be one of this account's (another account's reads like a missing one), the
// Endpoint the bucket's when it has one (none given: the bucket's); a bucket without one keeps
// the job's, a host name of at most 128 characters. 400 naming the member.
struct BucketOutput {
  std::string type, bucket, endpoint;
  store::Bucket found;
};
core::Result<BucketOutput> ParseBucketOutput(store::Store& store, const std::string& account_id,
                                             const std::string& field, const std::string& type_key,
                                             const std::string& text);

// A job's NotifyUrl or CallbackUrl: http:// or https:// with a host, printable ASCII, at most
// max_len characters (runtime/callbacks.h); with a policy, its host must resolve to addresses
// the node may reach (a callback to a forbidden address is refused now, never tried).
core::Result<void> CheckCallbackUrl(const std::string& field, const std::string& url,
                                    size_t max_len, const core::NetPolicy* policy);

// The window [start, end) of StartTime and EndTime (UTC, ISO 8601, with or without ms): at most
// max_ms long; EndTime alone: the window that ends then; StartTime alone: the max_ms after it
// (default_ms, when not 0, the window's length for both); neither: the default_ms (else max_ms)
// that end now, or {0, 0} when not required. The snapshot family's own codes when
// snapshot_codes (MalformedStartTime, MalformedEndTime, EndTimeMismatch), else InvalidParameter.
struct TimeWindowRule {
  int64_t max_ms = 0;
  int64_t default_ms = 0;
  bool required = false;
  bool snapshot_codes = false;
};
core::Result<std::pair<int64_t, int64_t>> TimeWindow(const Params& p, int64_t now,
                                                     const TimeWindowRule& rule);

// A bucket family's Status of a job: `not_started` (record "initial", snapshot "init": no node
// has room for it yet), "started" or "paused" (it ended, or was stopped).
std::string BucketJobStatus(const store::JobRecord& job, const std::string& not_started);
// The job's output object (RecordOutput, SnapshotOutput) as submitted; {} if unreadable.
Json BucketOutputContent(const store::JobRecord& job);
// The list actions' `Status` filter, read back: `not_started`, "started" or "paused" (anything
// else is an InvalidParameter naming Status); nullopt when the request has none.
core::Result<std::optional<store::JobStatus>> BucketJobStatusFilter(const Params& p,
                                                                    const std::string& not_started);

// The jobs of one bucket family in the store (family "record" or "snapshot"), as both families'
// services submit, read and list them: each family sees only its own jobs, and answers with its
// own codes for a job or a template it does not have.
class BucketJobs {
 public:
  using Clock = std::function<int64_t()>;
  struct Family {
    std::string name;  // the jobs' family column
    std::function<core::Error(const std::string&id)> job_not_found, template_not_found;
  };
  BucketJobs(store::Store& store, runtime::JobRuntime* runtime, store::JobLimits limits,
             Clock clock, Family family);

  // A job that runs from now on `input`, into the bucket of `output` (its directory resolved
  // now, as a LiveCenter push URL is), output_json what Get shows of the output, callback_url
  // its NotifyUrl/CallbackUrl (checked by the caller; "" for none). The family's template is
  // copied into it by the store; its id.
  core::Result<std::string> Submit(const auth::Principal& who, const std::string& name,
                                   const std::string& template_id, const StreamInputSpec& input,
                                   const BucketOutput& output, std::string output_json,
                                   std::string callback_url);
  core::Result<store::JobRecord> Get(const auth::Principal& who, const std::string& id);
  core::Result<store::JobPage> List(const auth::Principal& who, store::JobQuery q);
  core::Result<std::vector<store::JobEvent>> Events(const std::string& job_id);
  std::optional<runtime::JobProcessView> Process(const std::string& job_id);

  store::Store& store() { return store_; }
  runtime::JobRuntime* runtime() { return runtime_; }
  int64_t Now() const { return clock_(); }

  static constexpr int kEventsShown = 50;

 private:
  store::Store& store_;
  runtime::JobRuntime* runtime_;
  store::JobLimits limits_;
  Clock clock_;
  Family family_;
};

}  // namespace floe::ice
