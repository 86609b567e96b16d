// The rules of live transcoding jobs: what a submit must say (input, LiveCenter or rtmp output,
// timed start within 7 days), what each kind of job may change and when, stop and delete (which
// wait for the job's process to be gone). No HTTP, no SQL; the runtime is told of every change.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "auth/principal.h"

#include "core/result.h"
#include "core/url_policy.h"
#include "ice/live_center.h"
#include "runtime/job_runtime.h"
#include "store/store.h"

namespace floe::ice {

struct JobSubmit {
  std::string name;
  std::string template_id;
  store::StartMode start_mode = store::StartMode::kNow;
  std::string stream_input;      // JSON {Type, InputUrl}
  std::string transcode_output;  // JSON {Type: LiveCenter, DomainName} | {Type: rtmp, OutputUrl}
  std::optional<std::string> timed_config;  // JSON {StartTime, EndTime}
};

struct JobChange {
  std::optional<std::string> name;
  std::optional<std::string> stream_input;
  std::optional<std::string> transcode_output;
  std::optional<std::string> timed_config;
};

struct JobView {
  store::JobRecord job;
  std::vector<store::JobEvent> events;
  std::optional<runtime::JobProcessView> process;
};

class JobService {
 public:
  using Clock = std::function<int64_t()>;
  // `runtime` may be null (nothing runs jobs: tests of the rules alone). `limits`: the most jobs
  // that are not stopped, per account (QuotaExceeded.Jobs past them) and on this Floe
  // (QuotaExceeded.NodeJobs), and the most jobs one account keeps, stopped ones too
  // (QuotaExceeded.StoredJobs).
  JobService(store::Store& store, const LiveCenter& live_center, runtime::JobRuntime* runtime,
             Clock clock = nullptr, store::JobLimits limits = kDefaultLimits);

  static constexpr store::JobLimits kDefaultLimits{50, 100, 10'000};

  core::Result<std::string> Submit(const auth::Principal& who, const JobSubmit& s);
  core::Result<JobView> Get(const auth::Principal& who, const std::string& id);
  core::Result<store::JobPage> List(const auth::Principal& who, store::JobQuery q);
  core::Result<void> Update(const auth::Principal& who, const std::string& id,
                            const JobChange& change);
  // Stops the job (Status 2) and returns once its process is gone (at most about 2 s).
  core::Result<void> Stop(const auth::Principal& who, const std::string& id);
  core::Result<void> Delete(const auth::Principal& who, const std::string& id);

  static constexpr int kEventsShown = 50;

 private:
  core::Result<void> MarkStopped(const auth::Principal& who, const std::string& id,
                                 const std::string& why);
  void WaitGone(const std::string& id);

  store::Store& store_;
  const LiveCenter& live_center_;
  runtime::JobRuntime* runtime_;
  Clock clock_;
  store::JobLimits limits_;
};

core::Error JobNotFound(const std::string& id);

// What the job families share in their parameters:
// An object parameter (a JSON string): InvalidParameter naming `field` otherwise.
core::Result<nlohmann::json> ParamObject(const std::string& field, const std::string& text);
// A non-empty string member of it: MissingParameter / InvalidParameter as field.key.
core::Result<std::string> ParamMember(const nlohmann::json& doc, const std::string& field,
                                      const std::string& key);
// A URL a job may name: printable ASCII of at most 1024 characters, allowed by Floe's URL
// policy (core/url_policy.h: the check the media engine makes again when it opens it), of one
// of these schemes, with a host.
core::Result<void> CheckJobUrl(const std::string& field, const std::string& url, core::UrlRole role,
                               const std::vector<std::string>& schemes);
// StreamInput: Type rtmp (srt and hls: Floe extensions), the URL as url_key (transcoding's
// InputUrl, the other families' Url), an optional BackupInputUrl (a Floe extension).
struct StreamInputSpec {
  std::string type, url;
  std::string backup_url;  // optional: same Type, same rules
};
core::Result<StreamInputSpec> ParseStreamInput(const std::string& text, const std::string& url_key);
// A submit the store refused for a limit (JobLimits), as the API says it; nullopt otherwise.
std::optional<core::Error> LimitRefusal(const store::JobInsert& stored,
                                        const store::JobLimits& limits);

}  // namespace floe::ice
