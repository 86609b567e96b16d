#include "ice/jobs.h"

#include "core/strings.h"
#include "core/time.h"
#include "store/leases.h"

namespace floe::ice {

using core::Result;

Json JobContent(const store::JobRecord& job) {
  Json j;
  j["JobId"] = job.job_id;
  j["Name"] = job.name;
  j["TemplateId"] = job.template_id;
  j["TemplateName"] = job.template_name;
  j["TemplateType"] = job.template_type;
  j["StartMode"] = store::ApiValue(job.start_mode);
  j["Status"] = store::ApiStatus(job);  // a running job that waits for room: not started
  // Floe extension: the node whose lease the job runs under.
  if (job.status == store::JobStatus::kRunning && !job.lease_holder.empty()) {
    j["Node"] = store::NodeOfHolder(job.lease_holder);
  }
  j["StreamInput"] = Json{{"Type", job.input_type}, {"InputUrl", job.input_url}};
  if (!job.backup_input_url.empty()) j["StreamInput"]["BackupInputUrl"] = job.backup_input_url;
  j["OutputStream"] =
      Json{{"StreamInfos", Json::array({Json{{"Type", "rtmp"}, {"OutputUrl", job.output_url}}})}};
  Json out{{"Type", job.output_type}};
  if (!job.output_domain.empty()) out["DomainName"] = job.output_domain;
  j["TranscodeOutput"] = std::move(out);
  if (job.start_mode == store::StartMode::kTimed) {
    Json timed{{"StartTime", core::FormatUtc(job.start_time_ms / 1000)}};
    if (job.end_time_ms) timed["EndTime"] = core::FormatUtc(job.end_time_ms / 1000);
    j["TimedConfig"] = std::move(timed);
  }
  j["CreateTime"] = core::FormatUtc(job.create_time_ms / 1000);
  return j;
}

Json EventsContent(const std::vector<store::JobEvent>& events) {
  Json list = Json::array();
  for (const auto& e : events) {
    Json ev{{"Time", core::FormatUtc(e.time_ms / 1000)}, {"Event", e.event}};
    if (!e.detail.empty()) ev["Detail"] = e.detail;
    list.push_back(std::move(ev));
  }
  return list;
}

Json ProcessContent(const runtime::JobProcessView& v) {
  Json p{{"State", v.state}, {"Restarts", v.restarts}};
  if (v.since_ms) p["Since"] = core::FormatUtc(v.since_ms / 1000);
  if (!v.last_error.empty()) p["LastError"] = v.last_error;
  if (v.files > 0) {  // a record job's files, a snapshot job's pictures, on this node
    p["Files"] = v.files;
    p["FileBytes"] = v.file_bytes;
  }
  if (!v.stats_json.empty()) {
    auto stats = Json::parse(v.stats_json, nullptr, false);
    if (!stats.is_discarded()) p["Stats"] = std::move(stats);
  }
  return p;
}

namespace {

Json ViewContent(const JobView& v) {
  Json j = JobContent(v.job);
  j["Events"] = EventsContent(v.events);
  // The store keeps a job's newest events only (store/job_history.h): how many older ones went.
  if (v.job.events_dropped > 0) j["EventsDropped"] = v.job.events_dropped;
  if (v.process) j["Process"] = ProcessContent(*v.process);
  return j;
}

}  // namespace

void AddJobActions(ActionTable& table, JobService& service) {
  table["SubmitLiveTranscodeJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto name = p.Required("Name");
    if (!name) return name.error();
    auto template_id = p.Required("TemplateId");
    if (!template_id) return template_id.error();
    auto start_mode = p.Int("StartMode", 0, 1);
    if (!start_mode) return start_mode.error();
    if (!start_mode->has_value()) return core::Error::MissingParameter("StartMode");
    auto input = p.Required("StreamInput");
    if (!input) return input.error();
    auto output = p.Required("TranscodeOutput");
    if (!output) return output.error();
    auto id = service.Submit(
        ctx.principal, {*name, *template_id, static_cast<store::StartMode>(**start_mode), *input,
                        *output, p.Get("TimedConfig")});
    if (!id) return id.error();
    return Json{{"JobId", *id}};
  };

  table["GetLiveTranscodeJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("JobId");
    if (!id) return id.error();
    auto view = service.Get(ctx.principal, *id);
    if (!view) return view.error();
    return Json{{"Job", ViewContent(*view)}};
  };

  table["ListLiveTranscodeJobs"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    store::JobQuery q;
    auto type = p.OneOf("Type", {"normal", "narrow-band", "audio-only", "origin"});
    if (!type) return type.error();
    auto start_mode = p.Int("StartMode", 0, 1);
    if (!start_mode) return start_mode.error();
    auto status = p.Int("Status", 0, 2);
    if (!status) return status.error();
    auto paging = ParsePaging(p);
    if (!paging) return paging.error();
    q.type = *type;
    if (*start_mode) q.start_mode = static_cast<store::StartMode>(**start_mode);
    if (*status) q.status = static_cast<store::JobStatus>(**status);
    q.keyword = p.Get("KeyWord");
    q.ascending = paging->ascending;
    q.page_no = paging->page_no;
    q.page_size = paging->page_size;
    auto page = service.List(ctx.principal, q);
    if (!page) return page.error();
    Json list = Json::array();
    for (const auto& job : page->items) list.push_back(JobContent(job));
    return Json{{"TotalCount", page->total_count}, {"JobList", std::move(list)}};
  };

  table["UpdateLiveTranscodeJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto id = p.Required("JobId");
    if (!id) return id.error();
    auto r = service.Update(
        ctx.principal, *id,
        {p.Get("Name"), p.Get("StreamInput"), p.Get("TranscodeOutput"), p.Get("TimedConfig")});
    if (!r) return r.error();
    return Json::object();
  };

  table["SendLiveTranscodeJobCommand"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("JobId");
    if (!id) return id.error();
    auto command = ctx.params.Required("Command");
    if (!command) return command.error();
    if (*command != "stop") {
      return core::Error::InvalidParameter(
          "Command", "\"" + core::Excerpt(*command) + "\" is not a command; the only one is stop.");
    }
    auto r = service.Stop(ctx.principal, *id);
    if (!r) return r.error();
    return Json::object();
  };

  table["DeleteLiveTranscodeJob"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("JobId");
    if (!id) return id.error();
    auto r = service.Delete(ctx.principal, *id);
    if (!r) return r.error();
    return Json::object();
  };
}

}  // namespace floe::ice
