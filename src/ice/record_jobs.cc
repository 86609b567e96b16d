#include "ice/record_jobs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/ids.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "http/static_files.h"
#include "ice/job_service.h"
#include "ice/jobs.h"
#include "ice/record_templates.h"
#include "ice/template_service.h"

namespace floe::ice {

using core::Error;
using core::Result;

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kFileWindowMs = 4 * kDayMs;  // ListLiveRecordFiles' longest window
constexpr int64_t kJobWindowMs = 30 * kDayMs;  // ListLiveRecordJobs'

Error RecordJobNotFound(const std::string& id) {
  return {"ResourceNotFound", 404,
          "The specified resource is not found: JobId " + core::Excerpt(id) + " does not exist.",
          "Check the JobId with ListLiveRecordJobs."};
}

Error RecordTemplateNotFound(const std::string& id) {
  return {"TemplateNotFound", 404,
          "No such template: TemplateId " + core::Excerpt(id) + " does not exist.",
          "Check the TemplateId with ListLiveRecordTemplates."};
}

Json RecordJobContent(const store::JobRecord& job) {
  Json j;
  j["JobId"] = job.job_id;
  j["Name"] = job.name;
  j["Status"] = BucketJobStatus(job, "initial");
  j["CreateTime"] = core::FormatUtc(job.create_time_ms / 1000);
  j["NotifyUrl"] = job.notify_url;
  j["TemplateId"] = job.template_id;
  j["TemplateName"] = job.template_name;
  j["StreamInput"] = Json{{"Type", job.input_type}, {"Url", job.input_url}};
  j["RecordOutput"] = BucketOutputContent(job);
  return j;
}

// The objects a recording file is made of: the file, and for a playlist its segments (the
// URIs it lists, relative to it); each checked to stay inside the bucket.
std::vector<std::string> ObjectsOf(const std::string& dir, const store::RecordFileRecord& f) {
  namespace fs = std::filesystem;
  std::vector<std::string> objects{f.object};
  if (f.format != "m3u8") return objects;
  std::ifstream in(fs::path(dir) / f.object);
  fs::path base = fs::path(f.object).parent_path();
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::string object = (base / line).lexically_normal().generic_string();
    if (http::IsSafeName(object, http::NameRule::kObject)) objects.push_back(object);
  }
  return objects;
}

// The deepest folder ("DIR/", or "" for the bucket) that holds every one of these objects.
std::string CommonFolder(const std::vector<std::string>& objects) {
  std::string common = objects.front().substr(0, objects.front().rfind('/') + 1);
  for (const auto& o : objects) {
    while (!common.empty() && o.rfind(common, 0) != 0) {
      common.pop_back();
      common = common.substr(0, common.rfind('/') + 1);
    }
  }
  return common;
}

}  // namespace

RecordJobService::RecordJobService(store::Store& store, runtime::JobRuntime* runtime,
                                   store::JobLimits limits, Clock clock,
                                   const core::NetPolicy* callback_policy)
    : store_(store),
      jobs_(store, runtime, limits, std::move(clock),
            {"record", RecordJobNotFound, RecordTemplateNotFound}),
      callback_policy_(callback_policy) {}

Result<std::string> RecordJobService::Submit(const auth::Principal& who, const RecordJobSubmit& s) {
  if (auto r = ValidateName(s.name); !r) return r.error();
  auto input = ParseStreamInput(s.stream_input, "Url");
  if (!input) return input.error();
  auto output = ParseBucketOutput(store_, who.account_id, "RecordOutput", "Type", s.record_output);
  if (!output) return output.error();
  if (s.notify_url) {
    // Called with the job's events (runtime/callbacks.h; README, "Callbacks").
    if (auto r = CheckCallbackUrl("NotifyUrl", *s.notify_url, 1024, callback_policy_); !r)
      return r.error();
  }
  const BucketOutput& out = *output;
  return jobs_.Submit(
      who, s.name, s.template_id, *input, out,
      core::DumpJson(Json{{"Type", out.type}, {"Bucket", out.bucket}, {"Endpoint", out.endpoint}}),
      s.notify_url.value_or(""));
}

Result<store::JobRecord> RecordJobService::Get(const auth::Principal& who, const std::string& id) {
  return jobs_.Get(who, id);
}

Result<store::JobPage> RecordJobService::List(const auth::Principal& who, store::JobQuery q) {
  return jobs_.List(who, std::move(q));
}

Result<store::RecordFilePage> RecordJobService::ListFiles(const auth::Principal& who,
                                                          store::RecordFileQuery q) {
  q.account_id = who.account_id;
  return store_.ListRecordFiles(q);
}

Result<std::vector<RecordFileDeletion>> RecordJobService::DeleteFiles(
    const auth::Principal& who, const std::vector<std::string>& ids, bool remove_file) {
  std::vector<RecordFileDeletion> out;
  for (const auto& id : ids) {
    auto rec = core::IsResourceId(id) ? store_.GetRecordFile(who.account_id, id)
                                      : Result<std::optional<store::RecordFileRecord>>(
                                            std::optional<store::RecordFileRecord>());
    if (!rec) return rec.error();
    if (!rec->has_value()) {
      out.push_back({id, "FileNotFound", "No such file: RecordId " + core::Excerpt(id) + "."});
      continue;
    }
    if (remove_file) {
      auto bucket = store_.GetBucket((*rec)->bucket);
      if (!bucket) return bucket.error();
      if (bucket->has_value() && (*bucket)->account_id == who.account_id) {
        std::error_code ec;
        for (const auto& object : ObjectsOf((*bucket)->dir, **rec)) {
          if (!http::IsSafeName(object, http::NameRule::kObject)) continue;
          std::filesystem::remove(std::filesystem::path((*bucket)->dir) / object, ec);
          if (ec) {
            out.push_back(
                {id, "FileDeleteFailed",
                 "The file could not be removed: " + ec.message() + "; it stays catalogued."});
            break;
          }
        }
        if (ec) continue;
      }
    }
    auto gone = store_.DeleteRecordFile(who.account_id, id);
    if (!gone) return gone.error();
    out.push_back({id, "OK", "OK"});
  }
  return out;
}

Result<std::vector<RecordJobService::LinkScope>> RecordJobService::LinkScopes(
    const std::vector<store::RecordFileRecord>& files) {
  std::map<std::string, std::optional<store::Bucket>> buckets;
  std::vector<LinkScope> scopes;
  for (const auto& f : files) {
    auto known = buckets.find(f.bucket);
    if (known == buckets.end()) {
      auto bucket = store_.GetBucket(f.bucket);
      if (!bucket) return bucket.error();
      known = buckets.emplace(f.bucket, std::move(*bucket)).first;
    }
    const auto& b = known->second;
    LinkScope scope;
    scope.linkable = b && b->account_id == f.account_id;
    if (scope.linkable && f.format == "m3u8") scope.folder = CommonFolder(ObjectsOf(b->dir, f));
    scopes.push_back(std::move(scope));
  }
  return scopes;
}

Result<std::vector<store::JobEvent>> RecordJobService::Events(const std::string& job_id) {
  return jobs_.Events(job_id);
}

std::optional<runtime::JobProcessView> RecordJobService::Process(const std::string& job_id) {
  return jobs_.Process(job_id);
}

void AddRecordJobActions(ActionTable& table, RecordJobService& service, const BucketLinks& links,
                         int64_t link_ttl_s) {
  table["SubmitLiveRecordJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto v = ctx.params.Required({"Name", "TemplateId", "StreamInput", "RecordOutput"});
    if (!v) return v.error();
    auto id = service.Submit(ctx.principal,
                             {(*v)[0], (*v)[1], (*v)[2], (*v)[3], ctx.params.Get("NotifyUrl")});
    if (!id) return id.error();
    return Json{{"JobId", *id}};
  };

  table["GetLiveRecordJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("JobId");
    if (!id) return id.error();
    auto job = service.Get(ctx.principal, *id);
    if (!job) return job.error();
    Json content = RecordJobContent(*job);
    // Floe extensions: what happened to the job (its input, its files, its end), and its media
    // process while it runs.
    auto events = service.Events(job->job_id);
    if (!events) return events.error();
    content["Events"] = EventsContent(*events);
    if (auto process = service.Process(job->job_id)) content["Process"] = ProcessContent(*process);
    return Json{{"RecordJob", std::move(content)}};
  };

  table["ListLiveRecordJobs"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto paging = ParsePaging(p);
    if (!paging) return paging.error();
    auto status = BucketJobStatusFilter(p, "initial");
    if (!status) return status.error();
    auto window = TimeWindow(p, core::NowMillis(), {.max_ms = kJobWindowMs});
    if (!window) return window.error();
    store::JobQuery q;
    q.status = *status;
    q.keyword = p.Get("Keyword");
    q.created_from_ms = window->first;
    q.created_to_ms = window->second;
    q.ascending = paging->ascending;
    q.page_no = paging->page_no;
    q.page_size = paging->page_size;
    auto page = service.List(ctx.principal, q);
    if (!page) return page.error();
    Json list = Json::array();
    for (const auto& job : page->items) list.push_back(RecordJobContent(job));
    return Json{{"PageNo", paging->page_no},
                {"PageSize", paging->page_size},
                {"SortBy", paging->ascending ? "asc" : "desc"},
                {"TotalCount", page->total_count},
                {"LiveRecordJobs", std::move(list)}};
  };

  table["ListLiveRecordFiles"] = [&service, &links,
                                  link_ttl_s](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto sort = p.OneOf("SortBy", {"asc", "desc"});
    if (!sort) return sort.error();
    auto page_no = p.Int("PageNo", 1, 1'000'000);
    if (!page_no) return page_no.error();
    auto page_size = p.Int("PageSize", 5, 30);
    if (!page_size) return page_size.error();
    auto format = p.OneOf("RecordFormat", {"m3u8", "flv", "mp4"});
    if (!format) return format.error();
    auto job_ids = p.Repeated("JobIds", 100);
    if (!job_ids) return job_ids.error();
    // Without a window: the last 4 days.
    auto window =
        TimeWindow(p, core::NowMillis(), {.max_ms = kFileWindowMs, .default_ms = kFileWindowMs});
    if (!window) return window.error();
    store::RecordFileQuery q;
    q.start_ms = window->first;
    q.end_ms = window->second;
    q.format = *format;
    q.job_ids = *job_ids;
    q.ascending = sort->value_or("asc") == "asc";
    q.page_no = page_no->value_or(1);
    q.page_size = page_size->value_or(10);
    auto page = service.ListFiles(ctx.principal, q);
    if (!page) return page.error();
    // A link a player can open as it is: on the host the caller reached (its Host header).
    std::string origin = ctx.host.empty() ? "" : "http://" + ctx.host;
    // A playlist's link reaches its segments too (the folder that holds them all); a file whose
    // bucket is gone, or was given to another account, has none.
    auto scopes = service.LinkScopes(page->items);
    if (!scopes) return scopes.error();
    Json files = Json::array();
    for (size_t i = 0; i < page->items.size(); ++i) {
      const auto& f = page->items[i];
      const auto& scope = (*scopes)[i];
      std::string link =
          !scope.linkable ? ""
          : scope.folder ? origin + links.IssueWithin(f.bucket, f.object, *scope.folder, link_ttl_s)
                         : origin + links.Issue(f.bucket, f.object, link_ttl_s);
      files.push_back(Json{{"RecordId", f.record_id},
                           {"JobId", f.job_id},
                           {"JobName", f.job_name},
                           {"Format", f.format},
                           {"RecordUrl", link},
                           {"StartTime", core::FormatUtc(f.start_time_ms / 1000)},
                           {"EndTime", core::FormatUtc(f.end_time_ms / 1000)},
                           {"CreateTime", core::FormatUtc(f.create_time_ms / 1000)},
                           {"Duration", static_cast<double>(f.duration_ms) / 1000.0},
                           {"Width", f.width},
                           {"Height", f.height},
                           {"StreamUrl", f.stream_url},
                           {"RecordOutput", f.output_json},  // a JSON string, as the SDKs say
                           {"Size", f.size_bytes}});         // Floe extension: bytes
    }
    // PageSize and TotalCount are strings in this action's answer (the SDK models say so).
    return Json{{"PageNo", q.page_no},
                {"PageSize", std::to_string(q.page_size)},
                {"SortBy", q.ascending ? "asc" : "desc"},
                {"TotalCount", std::to_string(page->total_count)},
                {"Files", std::move(files)}};
  };

  table["DeleteLiveRecordFiles"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto ids = p.Repeated("RecordIds", 100);
    if (!ids) return ids.error();
    if (ids->empty()) return Error::MissingParameter("RecordIds");
    auto remove = p.OneOf("RemoveFile", {"true", "false"});
    if (!remove) return remove.error();
    auto done = service.DeleteFiles(ctx.principal, *ids, remove->value_or("false") == "true");
    if (!done) return done.error();
    Json list = Json::array();
    for (const auto& d : *done) {
      list.push_back(Json{{"RecordId", d.record_id}, {"Code", d.code}, {"Message", d.message}});
    }
    return Json{{"Message", "OK"}, {"DeleteFileInfoList", std::move(list)}};
  };

  // With JobId: the copy of the template the job took when it was submitted.
  auto plain = table["GetLiveRecordTemplate"];
  table["GetLiveRecordTemplate"] = [plain, &service](const ActionContext& ctx) -> Result<Json> {
    auto job_id = ctx.params.Get("JobId");
    if (!job_id || !plain) {
      if (!plain) return Error{"InternalError", 500, "no template action", ""};
      return plain(ctx);
    }
    auto template_id = ctx.params.Required("TemplateId");
    if (!template_id) return template_id.error();
    auto job = service.Get(ctx.principal, *job_id);
    if (!job) return job.error();
    if (job->template_id != *template_id) return RecordTemplateNotFound(*template_id);
    store::FamilyTemplateRecord copy{"record",           job->template_id,     job->account_id,
                                     job->template_name, job->template_config, job->create_time_ms,
                                     job->create_time_ms};
    return Json{{"RecordTemplate", RecordTemplateContent(copy)}};
  };
}

}  // namespace floe::ice
