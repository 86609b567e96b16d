#include "ice/snapshot_jobs.h"

#include <filesystem>

#include "core/ids.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "http/static_files.h"
#include "ice/job_service.h"
#include "ice/jobs.h"
#include "ice/snapshot_format.h"
#include "ice/template_config.h"

namespace floe::ice {

using core::Error;
using core::Result;

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kJobWindowMs = 30 * kDayMs;  // ListLiveSnapshotJobs' longest window
constexpr int64_t kJobDefaultMs = 7 * kDayMs;  // and its default
constexpr size_t kMaxDeletes = 200;            // CreateTimestampList's longest

// The snapshot family's own codes and messages (the API's error tables).
Error SnapshotJobNotFound(const std::string& id) {
  return {"JobNotFound", 404, "No such job: JobId " + core::Excerpt(id) + " does not exist.",
          "Check the JobId with ListLiveSnapshotJobs."};
}

Error SnapshotTemplateNotFound(const std::string& id) {
  return {"TemplateNotFound", 404,
          "No such template: TemplateId " + core::Excerpt(id) + " does not exist.",
          "Check the TemplateId with ListLiveSnapshotTemplates."};
}

// What List and Get both show of a job.
Json SnapshotJobSummary(const store::JobRecord& job) {
  SnapshotSettings settings = StoredSnapshotSettings(job.template_config);
  return Json{{"JobId", job.job_id},
              {"JobName", job.name},
              {"TemplateId", job.template_id},
              {"TemplateName", job.template_name},
              {"Status", BucketJobStatus(job, "init")},
              {"TimeInterval", settings.time_interval_s},
              {"CreateTime", core::FormatUtc(job.create_time_ms / 1000)},
              {"SnapshotOutput", BucketOutputContent(job)}};
}

// UTC with milliseconds, as NextStartTime must be to page exactly.
std::string FormatUtcMillis(int64_t ms) {
  std::string s = core::FormatUtc(ms / 1000);
  char frac[6];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms % 1000));
  return s.substr(0, s.size() - 1) + frac + "Z";
}

}  // namespace

SnapshotJobService::SnapshotJobService(store::Store& store, runtime::JobRuntime* runtime,
                                       store::JobLimits limits, Clock clock,
                                       const core::NetPolicy* callback_policy)
    : store_(store),
      jobs_(store, runtime, limits, std::move(clock),
            {"snapshot", SnapshotJobNotFound, SnapshotTemplateNotFound}),
      callback_policy_(callback_policy) {}

Result<std::string> SnapshotJobService::Submit(const auth::Principal& who,
                                               const SnapshotJobSubmit& s) {
  if (auto r = ValidateName(s.job_name, "JobName"); !r) return r.error();
  auto input = ParseStreamInput(s.stream_input, "Url");
  if (!input) return input.error();
  auto output =
      ParseBucketOutput(store_, who.account_id, "SnapshotOutput", "StorageType", s.snapshot_output);
  if (!output) return output.error();
  if (s.callback_url) {
    // Called with the job's events (runtime/callbacks.h; README, "Callbacks").
    if (auto r = CheckCallbackUrl("CallbackUrl", *s.callback_url, 255, callback_policy_); !r)
      return r.error();
  }
  const BucketOutput& out = *output;
  return jobs_.Submit(
      who, s.job_name, s.template_id, *input, out,
      core::DumpJson(
          Json{{"StorageType", out.type}, {"Bucket", out.bucket}, {"Endpoint", out.endpoint}}),
      s.callback_url.value_or(""));
}

Result<store::JobRecord> SnapshotJobService::Get(const auth::Principal& who,
                                                 const std::string& id) {
  return jobs_.Get(who, id);
}

Result<store::JobPage> SnapshotJobService::List(const auth::Principal& who, store::JobQuery q) {
  return jobs_.List(who, std::move(q));
}

Result<void> SnapshotJobService::Start(const auth::Principal& who, const std::string& id) {
  int64_t now = jobs_.Now();
  bool running = false;
  auto found =
      store_.UpdateJob(who.account_id, id,
                       [&](const store::JobRecord& cur,
                           std::vector<store::JobEvent>& events) -> Result<store::JobRecord> {
                         store::JobRecord next = cur;
                         if (cur.family != "snapshot") return next;
                         if (cur.status == store::JobStatus::kRunning) {
                           running = true;
                           return next;
                         }
                         next.status = store::JobStatus::kRunning;
                         events.push_back({"", now, "started", "start command"});
                         return next;
                       });
  if (!found) return found.error();
  if (!*found) return SnapshotJobNotFound(id);
  if (running) return Error{"JobAlreadyStarted", 409, "Job is already started.", ""};
  if (jobs_.runtime()) jobs_.runtime()->Wake();
  return {};
}

Result<void> SnapshotJobService::Stop(const auth::Principal& who, const std::string& id) {
  int64_t now = jobs_.Now();
  auto found =
      store_.UpdateJob(who.account_id, id,
                       [&](const store::JobRecord& cur,
                           std::vector<store::JobEvent>& events) -> Result<store::JobRecord> {
                         store::JobRecord next = cur;
                         if (cur.family == "snapshot" && cur.status != store::JobStatus::kStopped) {
                           next.status = store::JobStatus::kStopped;
                           events.push_back({"", now, "stopped", "stop command"});
                         }
                         return next;
                       });
  if (!found) return found.error();
  if (!*found) return SnapshotJobNotFound(id);
  if (jobs_.runtime()) jobs_.runtime()->WaitStopped(id, std::chrono::milliseconds(2500));
  return {};
}

Result<void> SnapshotJobService::Command(const auth::Principal& who, const std::string& id,
                                         const std::string& command) {
  auto job = Get(who, id);  // another family's job, or none: JobNotFound
  if (!job) return job.error();
  if (command == "start") return Start(who, id);
  if (command == "stop") return Stop(who, id);
  if (auto r = Stop(who, id); !r) return r;  // restart
  return Start(who, id);
}

Result<SnapshotFilePage> SnapshotJobService::ListFiles(const auth::Principal& who,
                                                       store::SnapshotFileQuery q) {
  auto job = Get(who, q.job_id);
  if (!job) return job.error();
  auto bucket = store_.GetBucket(job->output_domain);
  if (!bucket) return bucket.error();
  q.account_id = who.account_id;
  int limit = q.limit;
  q.limit = limit + 2;  // enough to see whether the page's last moment goes on past it
  auto got = store_.ListSnapshotFiles(q);
  if (!got) return got.error();
  SnapshotFilePage page;
  page.items = std::move(*got);
  page.linkable = bucket->has_value() && (*bucket)->account_id == who.account_id;
  if (static_cast<int>(page.items.size()) > limit) {
    // The cut falls between two moments: never inside one (its two pictures have one time),
    // else the next page, which starts at that time, would show a picture again.
    size_t cut = static_cast<size_t>(limit);
    while (cut > 0 && page.items[cut].create_time_ms == page.items[cut - 1].create_time_ms) --cut;
    if (cut == 0) {  // a page of one that would split a moment: the moment whole
      cut = 1;
      while (cut < page.items.size() &&
             page.items[cut].create_time_ms == page.items[0].create_time_ms) {
        ++cut;
      }
    }
    if (cut < page.items.size()) {
      int64_t next = page.items[cut].create_time_ms;
      // Sent back as StartTime (asc) or as EndTime, which is exclusive (desc).
      page.next_ms = q.ascending ? next : next + 1;
      page.items.resize(cut);
    }
  }
  return page;
}

Result<std::vector<SnapshotFileDeletion>> SnapshotJobService::DeleteFiles(
    const auth::Principal& who, const std::string& job_id, const std::vector<int64_t>& times,
    bool delete_original) {
  auto job = Get(who, job_id);
  if (!job) return job.error();
  // Every time looked up first: an overwrite picture asked for refuses the whole call.
  std::vector<std::optional<store::SnapshotFileRecord>> found;
  bool any = false;
  for (int64_t t : times) {
    auto files = store_.GetSnapshotFiles(who.account_id, job_id, t);
    if (!files) return files.error();
    std::optional<store::SnapshotFileRecord> sequence;
    bool overlay = false;
    for (const auto& f : *files) {
      if (f.overlay) {
        overlay = true;
      } else {
        sequence = f;
      }
    }
    if (overlay && !sequence) {
      return Error{"OverlayNotSupported", 400,
                   "Overwrite snapshots cannot be deleted here: CreateTimestamp " +
                       std::to_string(t) + " names the job's overwrite picture only.",
                   "Leave it out; the next shot replaces it."};
    }
    any = any || sequence.has_value();
    found.push_back(std::move(sequence));
  }
  if (!any) {
    return Error{"NoValidSnapshot", 404, "No snapshots found with given parameters.",
                 "List them with ListLiveSnapshotFiles."};
  }
  std::optional<store::Bucket> bucket;
  if (delete_original) {
    auto b = store_.GetBucket(job->output_domain);
    if (!b) return b.error();
    if (!b->has_value() || (*b)->account_id != who.account_id) {
      return Error{"BucketNotAuthorized", 403,
                   "Bucket is not authorised: the job's bucket \"" + job->output_domain +
                       "\" is not this account's any more.",
                   ""};
    }
    bucket = **b;
  }
  std::vector<SnapshotFileDeletion> out;
  for (size_t i = 0; i < times.size(); ++i) {
    if (!found[i]) {
      out.push_back({times[i], "NotFound"});
      continue;
    }
    if (bucket && http::IsSafeName(found[i]->object, http::NameRule::kObject)) {
      std::error_code ec;
      std::filesystem::remove(std::filesystem::path(bucket->dir) / found[i]->object, ec);
      if (ec) {
        out.push_back({times[i], "FileDeleteFailed"});
        continue;
      }
    }
    auto gone = store_.DeleteSnapshotFile(who.account_id, job_id, times[i]);
    if (!gone) return gone.error();
    out.push_back({times[i], *gone ? "OK" : "NotFound"});
  }
  return out;
}

Result<std::vector<store::JobEvent>> SnapshotJobService::Events(const std::string& job_id) {
  return jobs_.Events(job_id);
}

std::optional<runtime::JobProcessView> SnapshotJobService::Process(const std::string& job_id) {
  return jobs_.Process(job_id);
}

void AddSnapshotJobActions(ActionTable& table, SnapshotJobService& service,
                           const BucketLinks& links, int64_t link_ttl_s) {
  table["SubmitLiveSnapshotJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto v = ctx.params.Required({"JobName", "TemplateId", "StreamInput", "SnapshotOutput"});
    if (!v) return v.error();
    auto id = service.Submit(ctx.principal,
                             {(*v)[0], (*v)[1], (*v)[2], (*v)[3], ctx.params.Get("CallbackUrl")});
    if (!id) return id.error();
    return Json{{"JobId", *id}};
  };

  table["GetLiveSnapshotJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("JobId");
    if (!id) return id.error();
    auto job = service.Get(ctx.principal, *id);
    if (!job) return job.error();
    auto events = service.Events(job->job_id);
    if (!events) return events.error();
    // Flat, as this family answers; the job's copy of its template's settings.
    Json content = SnapshotJobSummary(*job);
    SnapshotSettings settings = StoredSnapshotSettings(job->template_config);
    content["OverwriteFormat"] = settings.overwrite_format;
    content["SequenceFormat"] = settings.sequence_format;
    content["CallbackUrl"] = job->notify_url;
    content["StreamInput"] = Json{{"Type", job->input_type}, {"Url", job->input_url}};
    // The newest event is the job's last change (submitted, started, stopped).
    int64_t modified = job->create_time_ms;
    for (const auto& e : *events) modified = std::max(modified, e.time_ms);
    content["LastModified"] = core::FormatUtc(modified / 1000);
    // Floe extensions: what happened to the job, and its media process while it runs.
    content["Events"] = EventsContent(*events);
    if (auto process = service.Process(job->job_id)) content["Process"] = ProcessContent(*process);
    return content;
  };

  table["ListLiveSnapshotJobs"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto paging = ParsePaging(p);
    if (!paging) return paging.error();
    auto status = BucketJobStatusFilter(p, "init");
    if (!status) return status.error();
    auto window = TimeWindow(p, core::NowMillis(),
                             {.max_ms = kJobWindowMs,
                              .default_ms = kJobDefaultMs,
                              .required = false,
                              .snapshot_codes = true});
    if (!window) return window.error();
    auto keyword = p.Get("SearchKeyWord");
    if (keyword && keyword->size() > 128) {
      return Error::InvalidParameter("SearchKeyWord", "at most 128 characters.");
    }
    store::JobQuery q;
    q.status = *status;
    q.keyword = keyword;
    q.created_from_ms = window->first;
    q.created_to_ms = window->second;
    q.ascending = paging->ascending;
    q.page_no = paging->page_no;
    q.page_size = paging->page_size;
    auto page = service.List(ctx.principal, q);
    if (!page) return page.error();
    Json list = Json::array();
    for (const auto& job : page->items) list.push_back(SnapshotJobSummary(job));
    return Json{{"PageNo", paging->page_no},
                {"PageSize", paging->page_size},
                {"SortBy", paging->ascending ? "asc" : "desc"},
                {"TotalCount", page->total_count},
                {"JobList", std::move(list)}};
  };

  table["SendLiveSnapshotJobCommand"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto id = p.Required("JobId");
    if (!id) return id.error();
    auto command = p.Required("Command");
    if (!command) return command.error();
    if (*command != "start" && *command != "stop" && *command != "restart") {
      return Error::InvalidParameter("Command", "start, stop or restart.");
    }
    if (auto r = service.Command(ctx.principal, *id, *command); !r) return r.error();
    return Json::object();
  };

  table["ListLiveSnapshotFiles"] = [&service, &links,
                                    link_ttl_s](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto job_id = p.Required("JobId");
    if (!job_id) return job_id.error();
    auto sort = p.OneOf("SortBy", {"asc", "desc"});
    if (!sort) return sort.error();
    auto limit = p.Int("Limit", 1, 100);
    if (!limit) return limit.error();
    auto window =
        TimeWindow(p, core::NowMillis(),
                   {.max_ms = kDayMs, .default_ms = 0, .required = true, .snapshot_codes = true});
    if (!window) return window.error();
    store::SnapshotFileQuery q;
    q.job_id = *job_id;
    q.start_ms = window->first;
    q.end_ms = window->second;
    q.ascending = sort->value_or("asc") == "asc";
    q.limit = limit->value_or(10);
    auto page = service.ListFiles(ctx.principal, q);
    if (!page) return page.error();
    // A link a viewer can open as it is (a Floe extension): on the host the caller reached;
    // none when the job's bucket is gone or was given to another account.
    std::string origin = ctx.host.empty() ? "" : "http://" + ctx.host;
    Json files = Json::array();
    for (const auto& f : page->items) {
      files.push_back(
          Json{{"OssEndpoint", f.endpoint},
               {"OssBucket", f.bucket},
               {"OssObject", f.object},
               {"CreateTime", core::FormatUtc(f.create_time_ms / 1000)},
               {"CreateTimestamp", f.create_time_ms},
               {"IsOverlay", f.overlay},
               {"Url", page->linkable ? origin + links.Issue(f.bucket, f.object, link_ttl_s) : ""},
               {"Size", f.size_bytes},
               {"Width", f.width},
               {"Height", f.height}});
    }
    Json out{{"FileList", std::move(files)}};
    if (page->next_ms) out["NextStartTime"] = FormatUtcMillis(*page->next_ms);
    return out;
  };

  table["DeleteLiveSnapshotFiles"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto job_id = p.Required("JobId");
    if (!job_id) return job_id.error();
    auto list = p.Required("CreateTimestampList");
    if (!list) return list.error();
    auto doc = core::ParseJson(*list);
    std::vector<int64_t> times;
    bool ok = doc && doc->is_array() && !doc->empty() && doc->size() <= kMaxDeletes;
    for (size_t i = 0; ok && i < doc->size(); ++i) {
      const Json& v = (*doc)[i];
      ok = v.is_number_integer() && v.get<int64_t>() >= 0;
      if (ok) times.push_back(v.get<int64_t>());
    }
    if (!ok) {
      return Error::InvalidParameter("CreateTimestampList",
                                     "a JSON array of 1 to 200 CreateTimestamp values (ms).");
    }
    auto original = p.OneOf("DeleteOriginalFile", {"true", "false"});
    if (!original) return original.error();
    auto done =
        service.DeleteFiles(ctx.principal, *job_id, times, original->value_or("false") == "true");
    if (!done) return done.error();
    Json results = Json::array();
    for (const auto& d : *done) {
      results.push_back(Json{{"CreateTimestamp", d.create_time_ms}, {"Result", d.result}});
    }
    return Json{{"DeleteFileResultList", std::move(results)}};
  };
}

}  // namespace floe::ice
