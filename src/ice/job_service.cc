#include "ice/job_service.h"

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "core/url_policy.h"
#include "ice/template_config.h"
#include "ice/template_service.h"

namespace floe::ice {

using core::Error;
using core::Result;
using nlohmann::json;

namespace {

constexpr int64_t kWeekMs = 7LL * 24 * 3600 * 1000;

struct Output {
  std::string type;
  std::optional<std::string> domain;  // LiveCenter: as named (none: the account's only one)
  std::string url;  // the explicit OutputUrl (rtmp); resolved from the domain otherwise
};
struct Timed {
  int64_t start_ms = 0, end_ms = 0;
};

}  // namespace

Result<json> ParamObject(const std::string& field, const std::string& text) {
  core::JsonProblem problem;
  auto doc = core::ParseJson(text, &problem);
  if (problem == core::JsonProblem::kTooDeep) {
    return Error::InvalidParameter(
        field, "it nests deeper than " + std::to_string(core::kMaxJsonDepth) + " levels.");
  }
  if (!doc || !doc->is_object()) return Error::InvalidParameter(field, "it must be a JSON object.");
  return *doc;
}

Result<std::string> ParamMember(const json& doc, const std::string& field, const std::string& key) {
  if (!doc.contains(key) || (doc[key].is_string() && doc[key].get<std::string>().empty())) {
    return Error::MissingParameter(field + "." + key);
  }
  if (!doc[key].is_string())
    return Error::InvalidParameter(field + "." + key, "it must be a string.");
  return doc[key].get<std::string>();
}

Result<void> CheckJobUrl(const std::string& field, const std::string& url, core::UrlRole role,
                         const std::vector<std::string>& schemes) {
  if (url.size() > 1024) return Error::InvalidParameter(field, "longer than 1024 characters.");
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) {
      return Error::InvalidParameter(field, "it contains spaces or characters outside ASCII.");
    }
  }
  if (auto policy = core::CheckUrl(url, role, field); !policy) return policy.error();
  std::string allowed;
  for (const auto& s : schemes) {
    if (url.rfind(s + "://", 0) == 0 && url.size() > s.size() + 3 && url[s.size() + 3] != '/') {
      return {};
    }
    allowed += (allowed.empty() ? "" : ", ") + s + "://";
  }
  return Error::InvalidParameter(
      field,
      "\"" + core::Excerpt(url) + "\" is not allowed here; allowed: " + allowed + " with a host.");
}

Result<StreamInputSpec> ParseStreamInput(const std::string& text, const std::string& url_key) {
  auto doc = ParamObject("StreamInput", text);
  if (!doc) return doc.error();
  auto type = ParamMember(*doc, "StreamInput", "Type");
  if (!type) return type.error();
  auto url = ParamMember(*doc, "StreamInput", url_key);
  if (!url) return url.error();
  std::vector<std::string> schemes;
  if (*type == "rtmp") {
    schemes = {"rtmp"};
  } else if (*type == "srt") {
    schemes = {"srt"};
  } else if (*type == "hls") {
    schemes = {"http", "https"};
  } else {
    return Error::InvalidParameter(
        "StreamInput.Type",
        "\"" + core::Excerpt(*type) +
            "\" is not one of: rtmp, srt, hls (srt and hls are Floe extensions).");
  }
  if (auto r = CheckJobUrl("StreamInput." + url_key, *url, core::UrlRole::kInput, schemes); !r) {
    return r.error();
  }
  StreamInputSpec in{*type, *url, ""};
  // Optional: absent, null or empty means none (an Update that leaves it out removes it).
  if (doc->contains("BackupInputUrl") && !(*doc)["BackupInputUrl"].is_null() &&
      (*doc)["BackupInputUrl"] != "") {
    auto backup = ParamMember(*doc, "StreamInput", "BackupInputUrl");
    if (!backup) return backup.error();
    if (auto r = CheckJobUrl("StreamInput.BackupInputUrl", *backup, core::UrlRole::kInput, schemes);
        !r) {
      return r.error();
    }
    if (*backup == *url) {
      return Error::InvalidParameter(
          "StreamInput.BackupInputUrl",
          "it is the " + url_key + " itself; a backup is another source.");
    }
    in.backup_url = *backup;
  }
  return in;
}

namespace {

Result<Output> ParseOutput(const std::string& text) {
  auto doc = ParamObject("TranscodeOutput", text);
  if (!doc) return doc.error();
  auto type = ParamMember(*doc, "TranscodeOutput", "Type");
  if (!type) return type.error();
  if (*type == "LiveCenter") {
    // DomainName is optional in the cloud's model: without it, the account's only domain.
    if (!doc->contains("DomainName") || (*doc)["DomainName"].is_null() ||
        ((*doc)["DomainName"].is_string() && (*doc)["DomainName"].get<std::string>().empty())) {
      return Output{*type, std::nullopt, ""};
    }
    auto domain = ParamMember(*doc, "TranscodeOutput", "DomainName");
    if (!domain) return domain.error();
    return Output{*type, *domain, ""};
  }
  if (*type == "rtmp") {
    auto url = ParamMember(*doc, "TranscodeOutput", "OutputUrl");
    if (!url) return url.error();
    if (auto r = CheckJobUrl("TranscodeOutput.OutputUrl", *url, core::UrlRole::kOutput, {"rtmp"});
        !r) {
      return r.error();
    }
    return Output{*type, std::nullopt, *url};
  }
  return Error::InvalidParameter(
      "TranscodeOutput.Type",
      "\"" + core::Excerpt(*type) + "\" is not one of: LiveCenter, rtmp (a Floe extension).");
}

Result<Timed> ParseTimed(const std::string& text, int64_t now) {
  auto doc = ParamObject("TimedConfig", text);
  if (!doc) return doc.error();
  Timed t;
  auto parse = [&](const char* key, int64_t& out) -> Result<void> {
    std::string field = std::string("TimedConfig.") + key;
    if (!doc->contains(key) || (*doc)[key].is_null()) return {};
    const json& v = (*doc)[key];
    if (!v.is_string()) return Error::InvalidParameter(field, "it must be a string.");
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) return {};
    auto ms = core::ParseUtcMillis(s);
    if (!ms) {
      return Error::InvalidParameter(
          field, "\"" + core::Excerpt(s) + "\" is not a UTC time like 2026-11-25T08:00:00Z.");
    }
    out = *ms;
    return {};
  };
  // A timed job without StartTime starts now.
  t.start_ms = now;
  if (auto r = parse("StartTime", t.start_ms); !r) return r.error();
  if (auto r = parse("EndTime", t.end_ms); !r) return r.error();
  if (t.start_ms > now + kWeekMs || t.start_ms < now - kWeekMs) {
    return Error::InvalidParameter("TimedConfig.StartTime", "it must be within 7 days of now.");
  }
  if (t.end_ms != 0) {
    if (t.end_ms > now + kWeekMs) {
      return Error::InvalidParameter("TimedConfig.EndTime", "it must be within 7 days of now.");
    }
    if (t.end_ms <= t.start_ms) {
      return Error::InvalidParameter("TimedConfig.EndTime", "it must be after StartTime.");
    }
    if (t.end_ms <= now)
      return Error::InvalidParameter("TimedConfig.EndTime", "it is in the past.");
  }
  return t;
}

}  // namespace

std::optional<Error> LimitRefusal(const store::JobInsert& stored, const store::JobLimits& limits) {
  switch (stored.outcome) {
    case store::JobInsertOutcome::kInserted:
    case store::JobInsertOutcome::kNoTemplate:
      return std::nullopt;
    case store::JobInsertOutcome::kAccountLimit:
      return Error{"QuotaExceeded.Jobs", 403,
                   "This account has " + std::to_string(stored.live_jobs) +
                       " jobs that are not stopped; at most " + std::to_string(limits.per_account) +
                       " are allowed.",
                   "Stop or delete a job (SendLiveTranscodeJobCommand stop, "
                   "DeleteLiveTranscodeJob; record jobs end with their input), or ask the "
                   "operator for a higher limit."};
    case store::JobInsertOutcome::kStoredLimit:
      return Error{"QuotaExceeded.StoredJobs", 403,
                   "This account keeps " + std::to_string(stored.stored_jobs) +
                       " jobs, stopped ones too; at most " +
                       std::to_string(limits.stored_per_account) + " are allowed.",
                   "Delete jobs you no longer need (DeleteLiveTranscodeJob); stopped jobs also "
                   "expire after the operator's retention."};
    case store::JobInsertOutcome::kTotalLimit:
      return Error{"QuotaExceeded.NodeJobs", 503,
                   "This Floe runs " + std::to_string(stored.live_jobs) +
                       " jobs that are not stopped, the most it takes (" +
                       std::to_string(limits.total) + ").",
                   "Retry later, or ask the operator to raise --max-jobs."};
  }
  return std::nullopt;
}

Error JobNotFound(const std::string& id) {
  return {"ResourceNotFound", 404,
          "The specified resource is not found: JobId " + core::Excerpt(id) + " does not exist.",
          "Check the JobId with ListLiveTranscodeJobs."};
}

JobService::JobService(store::Store& store, const LiveCenter& live_center,
                       runtime::JobRuntime* runtime, Clock clock, store::JobLimits limits)
    : store_(store),
      live_center_(live_center),
      runtime_(runtime),
      clock_(std::move(clock)),
      limits_(limits) {
  if (!clock_) clock_ = core::NowMillis;
}

Result<std::string> JobService::Submit(const auth::Principal& who, const JobSubmit& s) {
  if (auto r = ValidateName(s.name); !r) return r.error();
  if (s.start_mode != store::StartMode::kNow && s.start_mode != store::StartMode::kTimed) {
    return Error::InvalidParameter("StartMode", "allowed values 0 (now) and 1 (timed).");
  }
  auto input = ParseStreamInput(s.stream_input, "InputUrl");
  if (!input) return input.error();
  auto output = ParseOutput(s.transcode_output);
  if (!output) return output.error();
  int64_t now = clock_();
  Timed timed;
  if (s.start_mode == store::StartMode::kTimed) {
    auto t = ParseTimed(s.timed_config.value_or("{}"), now);
    if (!t) return t.error();
    timed = *t;
  }  // A TimedConfig sent with StartMode 0 is ignored, as the cloud does.
  if (!core::IsResourceId(s.template_id)) return TemplateNotFound(s.template_id);
  store::JobRecord job;
  job.job_id = core::NewResourceId();
  job.account_id = who.account_id;
  job.name = s.name;
  job.template_id = s.template_id;
  job.start_mode = s.start_mode;
  job.status = s.start_mode == store::StartMode::kNow ? store::JobStatus::kRunning
                                                      : store::JobStatus::kNotStarted;
  job.input_type = input->type;
  job.input_url = input->url;
  job.backup_input_url = input->backup_url;
  job.output_type = output->type;
  job.output_url = output->url;
  if (output->type == "LiveCenter") {
    auto out = live_center_.Resolve(who.account_id, output->domain, input->url, s.template_id);
    if (!out) return out.error();
    job.output_domain = out->domain;
    job.output_url = out->url;
  }
  job.start_time_ms = timed.start_ms;
  job.end_time_ms = timed.end_ms;
  job.create_time_ms = now;
  auto stored = store_.InsertJob(job, limits_);
  if (!stored) return stored.error();
  if (stored->outcome == store::JobInsertOutcome::kNoTemplate) {
    return TemplateNotFound(s.template_id);
  }
  if (auto refused = LimitRefusal(*stored, limits_)) return *refused;
  if (runtime_) runtime_->Wake();
  return job.job_id;
}

Result<JobView> JobService::Get(const auth::Principal& who, const std::string& id) {
  if (!core::IsResourceId(id)) return JobNotFound(id);
  auto rec = store_.GetJob(who.account_id, id);
  if (!rec) return rec.error();
  if (!rec->has_value() || (*rec)->family != "transcode") return JobNotFound(id);
  JobView view{std::move(**rec), {}, {}};
  auto events = store_.ListJobEvents(id, kEventsShown);
  if (!events) return events.error();
  view.events = std::move(*events);
  if (runtime_) view.process = runtime_->View(id);
  return view;
}

Result<store::JobPage> JobService::List(const auth::Principal& who, store::JobQuery q) {
  q.account_id = who.account_id;
  return store_.ListJobs(q);
}

Result<void> JobService::Update(const auth::Principal& who, const std::string& id,
                                const JobChange& change) {
  if (change.name) {
    if (auto r = ValidateName(*change.name); !r) return r.error();
  }
  std::optional<StreamInputSpec> input;
  std::optional<Output> output;
  std::optional<Timed> timed;
  if (change.stream_input) {
    auto i = ParseStreamInput(*change.stream_input, "InputUrl");
    if (!i) return i.error();
    input = *i;
  }
  if (change.transcode_output) {
    auto o = ParseOutput(*change.transcode_output);
    if (!o) return o.error();
    output = *o;
  }
  int64_t now = clock_();
  if (change.timed_config) {
    auto t = ParseTimed(*change.timed_config, now);
    if (!t) return t.error();
    timed = *t;
  }
  if (!core::IsResourceId(id)) return JobNotFound(id);
  bool more_than_name = input || output || timed;
  auto found = store_.UpdateJob(
      who.account_id, id,
      [&](const store::JobRecord& cur,
          std::vector<store::JobEvent>& events) -> Result<store::JobRecord> {
        if (cur.family != "transcode") return JobNotFound(id);  // another family's job
        store::JobRecord next = cur;
        if (change.name) next.name = *change.name;
        if (more_than_name) {
          if (cur.start_mode == store::StartMode::kNow) {
            return Error::InvalidParameter(
                "StartMode", "an immediate job (StartMode 0) can change only its Name.");
          }
          if (cur.status != store::JobStatus::kNotStarted) {
            return Error{"InvalidParam.JobStatus", 400,
                         "The StreamInput, TranscodeOutput and TimedConfig of a timed job can "
                         "change only before it starts; this job's Status is " +
                             std::to_string(store::ApiValue(cur.status)) + ".",
                         "Change only the Name, or submit a new job."};
          }
          if (input) {
            next.input_type = input->type;
            next.input_url = input->url;
            next.backup_input_url = input->backup_url;
          }
          std::optional<std::string> domain;
          if (output) {
            next.output_type = output->type;
            next.output_domain.clear();
            next.output_url = output->url;
            domain = output->domain;
          } else if (!next.output_domain.empty()) {
            domain = next.output_domain;
          }
          if (next.output_type == "LiveCenter" && (input || output)) {
            auto out =
                live_center_.Resolve(who.account_id, domain, next.input_url, next.template_id);
            if (!out) return out.error();
            next.output_domain = out->domain;
            next.output_url = out->url;
          }
          if (timed) {
            next.start_time_ms = timed->start_ms;
            next.end_time_ms = timed->end_ms;
          }
          events.push_back({"", now, "updated", "input, output or timing changed"});
        }
        return next;
      });
  if (!found) return found.error();
  if (!*found) return JobNotFound(id);
  if (runtime_) runtime_->Wake();
  return {};
}

Result<void> JobService::MarkStopped(const auth::Principal& who, const std::string& id,
                                     const std::string& why) {
  if (!core::IsResourceId(id)) return JobNotFound(id);
  int64_t now = clock_();
  auto found =
      store_.UpdateJob(who.account_id, id,
                       [&](const store::JobRecord& cur,
                           std::vector<store::JobEvent>& events) -> Result<store::JobRecord> {
                         if (cur.family != "transcode") return JobNotFound(id);
                         store::JobRecord next = cur;
                         if (cur.status != store::JobStatus::kStopped) {
                           next.status = store::JobStatus::kStopped;
                           events.push_back({"", now, "stopped", why});
                         }
                         return next;
                       });
  if (!found) return found.error();
  if (!*found) return JobNotFound(id);
  return {};
}

void JobService::WaitGone(const std::string& id) {
  if (runtime_) runtime_->WaitStopped(id, std::chrono::milliseconds(2500));
}

Result<void> JobService::Stop(const auth::Principal& who, const std::string& id) {
  if (auto r = MarkStopped(who, id, "stop command"); !r) return r;
  WaitGone(id);
  return {};
}

Result<void> JobService::Delete(const auth::Principal& who, const std::string& id) {
  if (auto r = MarkStopped(who, id, "deleted"); !r) return r;
  WaitGone(id);
  auto found = store_.DeleteJob(who.account_id, id);
  if (!found) return found.error();
  if (!*found) return JobNotFound(id);
  return {};
}

}  // namespace floe::ice
