#include "ice/bucket_jobs.h"

#include <algorithm>
#include <optional>

#include "core/ids.h"
#include "core/strings.h"
#include "core/time.h"
#include "ice/job_service.h"
#include "runtime/callbacks.h"

namespace floe::ice {

core::Result<BucketOutput> ParseBucketOutput(store::Store& store, const std::string& account_id,
                                             const std::string& field, const std::string& type_key,
                                             const std::string& text) {
  using core::Error;
  auto doc = ParamObject(field, text);
  if (!doc) return doc.error();
  auto type = ParamMember(*doc, field, type_key);
  if (!type) return type.error();
  if (*type != "oss") {
    return Error::InvalidParameter(
        field + "." + type_key,
        "\"" + core::Excerpt(*type) + "\" is not supported; Floe writes into buckets: oss.");
  }
  auto bucket = ParamMember(*doc, field, "Bucket");
  if (!bucket) return bucket.error();
  BucketOutput out{*type, *bucket, "", {}};
  if (doc->contains("Endpoint") && !(*doc)["Endpoint"].is_null() && (*doc)["Endpoint"] != "") {
    auto endpoint = ParamMember(*doc, field, "Endpoint");
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
  }
  auto found = store.GetBucket(*bucket);
  if (!found) return found.error();
  // Another account's bucket is answered as a missing one: nothing tells them apart.
  if (!found->has_value() || (*found)->account_id != account_id) {
    return Error::InvalidParameter(field + ".Bucket",
                                   "the Bucket \"" + core::Excerpt(*bucket) +
                                       "\" is not a bucket of this account (the operator adds "
                                       "them: floe admin bucket add).");
  }
  out.found = **found;
  const store::Bucket& b = out.found;
  if (!b.endpoint.empty()) {
    if (!out.endpoint.empty() && out.endpoint != b.endpoint) {
      return Error::InvalidParameter(field + ".Endpoint",
                                     "the bucket \"" + b.name + "\" is at \"" + b.endpoint + "\".");
    }
    out.endpoint = b.endpoint;
  } else if (out.endpoint.size() > 128 ||
             out.endpoint.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789.-:") != std::string::npos) {
    // A bucket the operator gave no endpoint takes the one the job names, kept as a host name.
    return Error::InvalidParameter(field + ".Endpoint",
                                   "a host name of at most 128 letters, digits, '.', '-', ':'.");
  }
  return out;
}

core::Result<void> CheckCallbackUrl(const std::string& field, const std::string& url,
                                    size_t max_len, const core::NetPolicy* policy) {
  if (url.size() > max_len) {
    return core::Error::InvalidParameter(
        field, "an http:// or https:// URL of at most " + std::to_string(max_len) + " characters.");
  }
  auto parsed = runtime::ParseCallbackUrl(field, url);
  if (!parsed) return parsed.error();
  if (policy) {
    if (auto allowed = runtime::ResolveAllowed(field, *parsed, *policy); !allowed) {
      return allowed.error();
    }
  }
  return {};
}

core::Result<std::pair<int64_t, int64_t>> TimeWindow(const Params& p, int64_t now,
                                                     const TimeWindowRule& rule) {
  using core::Error;
  constexpr int64_t kDayMs = 24LL * 3600 * 1000;
  auto at = [&](const char* name, const char* code) -> core::Result<std::optional<int64_t>> {
    auto v = p.Get(name);
    if (!v) return std::optional<int64_t>();
    auto ms = core::ParseUtcMillis(*v);
    if (!ms) {
      std::string why =
          "\"" + core::Excerpt(*v) + "\" is not a UTC time like 2026-12-06T08:00:00Z.";
      if (rule.snapshot_codes) {
        return Error{code, 400,
                     "Specified parameter " + std::string(name) + " is not valid: " + why, ""};
      }
      return Error::InvalidParameter(name, why);
    }
    return std::optional<int64_t>(*ms);
  };
  auto start = at("StartTime", "MalformedStartTime");
  if (!start) return start.error();
  auto end = at("EndTime", "MalformedEndTime");
  if (!end) return end.error();
  if (rule.required && (!*start || !*end)) {
    return Error::MissingParameter(*start ? "EndTime" : "StartTime");
  }
  if (!*start && !*end && !rule.required && rule.default_ms == 0) {
    return std::make_pair(int64_t{0}, int64_t{0});
  }
  int64_t span = rule.default_ms > 0 ? rule.default_ms : rule.max_ms;
  int64_t e = end->value_or(start->has_value() ? **start + span : now + 1);
  int64_t s = start->value_or(e - span);
  auto mismatch = [&](const std::string& why) {
    if (rule.snapshot_codes) {
      return Error{"EndTimeMismatch", 400,
                   "Specified end time does not match the specified start time: " + why, ""};
    }
    return Error::InvalidParameter("EndTime", why);
  };
  if (e <= s) return mismatch("it must be after StartTime.");
  if (e - s > rule.max_ms) {
    std::string span_text = rule.max_ms % kDayMs == 0
                                ? std::to_string(rule.max_ms / kDayMs) + " days"
                                : std::to_string(rule.max_ms / 1000) + " s";
    if (rule.max_ms == kDayMs) span_text = "1 day";
    return mismatch("the window from StartTime is at most " + span_text + ".");
  }
  return std::make_pair(s, e);
}

std::string BucketJobStatus(const store::JobRecord& job, const std::string& not_started) {
  switch (store::ApiStatus(job)) {
    case 0:
      return not_started;
    case 1:
      return "started";
    default:
      return "paused";
  }
}

Json BucketOutputContent(const store::JobRecord& job) {
  Json output = Json::parse(job.output_json, nullptr, /*allow_exceptions=*/false);
  return output.is_object() ? output : Json::object();
}

core::Result<std::optional<store::JobStatus>> BucketJobStatusFilter(
    const Params& p, const std::string& not_started) {
  auto status = p.OneOf("Status", {not_started, "started", "paused"});
  if (!status) return status.error();
  if (!*status) return std::optional<store::JobStatus>{};
  return std::optional<store::JobStatus>{**status == not_started ? store::JobStatus::kNotStarted
                                         : **status == "started" ? store::JobStatus::kRunning
                                                                 : store::JobStatus::kStopped};
}

BucketJobs::BucketJobs(store::Store& store, runtime::JobRuntime* runtime, store::JobLimits limits,
                       Clock clock, Family family)
    : store_(store),
      runtime_(runtime),
      limits_(limits),
      clock_(std::move(clock)),
      family_(std::move(family)) {
  if (!clock_) clock_ = core::NowMillis;
}

core::Result<std::string> BucketJobs::Submit(const auth::Principal& who, const std::string& name,
                                             const std::string& template_id,
                                             const StreamInputSpec& input,
                                             const BucketOutput& output, std::string output_json,
                                             std::string callback_url) {
  if (!core::IsResourceId(template_id)) return family_.template_not_found(template_id);
  store::JobRecord job;
  job.family = family_.name;
  job.job_id = core::NewResourceId();
  job.account_id = who.account_id;
  job.name = name;
  job.template_id = template_id;
  job.start_mode = store::StartMode::kNow;
  job.status = store::JobStatus::kRunning;
  job.input_type = input.type;
  job.input_url = input.url;
  job.backup_input_url = input.backup_url;
  job.output_type = output.type;
  job.output_domain = output.found.name;
  job.output_url = output.found.dir;
  job.output_json = std::move(output_json);
  job.notify_url = std::move(callback_url);
  job.create_time_ms = clock_();
  auto stored = store_.InsertJob(job, limits_);
  if (!stored) return stored.error();
  if (stored->outcome == store::JobInsertOutcome::kNoTemplate) {
    return family_.template_not_found(template_id);
  }
  if (auto refused = LimitRefusal(*stored, limits_)) return *refused;
  if (runtime_) runtime_->Wake();
  return job.job_id;
}

core::Result<store::JobRecord> BucketJobs::Get(const auth::Principal& who, const std::string& id) {
  if (!core::IsResourceId(id)) return family_.job_not_found(id);
  auto rec = store_.GetJob(who.account_id, id);
  if (!rec) return rec.error();
  if (!rec->has_value() || (*rec)->family != family_.name) return family_.job_not_found(id);
  return std::move(**rec);
}

core::Result<store::JobPage> BucketJobs::List(const auth::Principal& who, store::JobQuery q) {
  q.account_id = who.account_id;
  q.family = family_.name;
  return store_.ListJobs(q);
}

core::Result<std::vector<store::JobEvent>> BucketJobs::Events(const std::string& job_id) {
  return store_.ListJobEvents(job_id, kEventsShown);
}

std::optional<runtime::JobProcessView> BucketJobs::Process(const std::string& job_id) {
  return runtime_ ? runtime_->View(job_id) : std::nullopt;
}

}  // namespace floe::ice
