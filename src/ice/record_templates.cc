#include "ice/record_templates.h"

#include "core/strings.h"
#include "core/time.h"
#include "ice/record_format.h"
#include "ice/template_config.h"

namespace floe::ice {

using core::Result;

Json RecordTemplateContent(const store::FamilyTemplateRecord& rec) {
  Json content;
  content["TemplateId"] = rec.template_id;
  content["Name"] = rec.name;
  content["Type"] = "custom";
  content["CreateTime"] = core::FormatUtc(rec.create_time_ms / 1000);
  content["LastModified"] = core::FormatUtc(rec.last_modified_ms / 1000);
  content["RecordFormatList"] =
      Json::parse(RenderRecordFormats(StoredRecordFormats(rec.body_json)));
  return content;
}

FamilyTemplateService RecordTemplates(store::Store& store, int max_per_account,
                                      FamilyTemplateService::Clock clock) {
  return FamilyTemplateService(store, "record", "recording templates", "ListLiveRecordTemplates",
                               std::move(clock), max_per_account);
}

namespace {

// Name and RecordFormat, checked; the formats as stored.
Result<std::string> Settings(const Params& p) {
  auto name = p.Required("Name");
  if (!name) return name.error();
  if (auto r = ValidateName(*name); !r) return r.error();
  auto formats = p.Required("RecordFormat");
  if (!formats) return formats.error();
  auto parsed = ParseRecordFormats(*formats);
  if (!parsed) return parsed.error();
  return RenderRecordFormats(*parsed);
}

}  // namespace

void AddRecordTemplateActions(ActionTable& table, FamilyTemplateService& service) {
  table["CreateLiveRecordTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto settings = Settings(ctx.params);
    if (!settings) return settings.error();
    auto id = service.Create(ctx.principal, *ctx.params.Get("Name"), *settings);
    if (!id) return id.error();
    return Json{{"TemplateId", *id}};
  };

  table["GetLiveRecordTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    if (auto job = ctx.params.Get("JobId")) {
      // The copy a record job keeps: Floe runs no record job yet, so no JobId names one.
      return core::Error{"JobNotFound", 404,
                         "No such job: JobId " + core::Excerpt(*job) + " does not exist.",
                         "Check the JobId with ListLiveRecordJobs."};
    }
    auto rec = service.Get(ctx.principal, *id);
    if (!rec) return rec.error();
    return Json{{"RecordTemplate", RecordTemplateContent(*rec)}};
  };

  table["ListLiveRecordTemplates"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto paging = ParsePaging(p);
    if (!paging) return paging.error();
    auto type = p.OneOf("Type", {"custom", "system"});
    if (!type) return type.error();
    auto ids = p.Repeated("TemplateIds", 100);
    if (!ids) return ids.error();
    FamilyTemplateListQuery q;
    q.keyword = p.Get("Keyword");
    q.template_ids = *ids;
    q.ascending = paging->ascending;
    q.page_no = paging->page_no;
    q.page_size = paging->page_size;
    Json list = Json::array();
    int64_t total = 0;
    if (type->value_or("custom") == "custom") {  // Floe has no system recording templates
      auto page = service.List(ctx.principal, q);
      if (!page) return page.error();
      total = page->total_count;
      for (const auto& rec : page->items) list.push_back(RecordTemplateContent(rec));
    }
    return Json{{"PageNo", paging->page_no},
                {"PageSize", paging->page_size},
                {"SortBy", paging->ascending ? "asc" : "desc"},
                {"TotalCount", total},
                {"RecordTemplateList", std::move(list)}};
  };

  table["UpdateLiveRecordTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    auto settings = Settings(ctx.params);
    if (!settings) return settings.error();
    if (auto r = service.Update(ctx.principal, *id, *ctx.params.Get("Name"), *settings); !r) {
      return r.error();
    }
    return Json::object();
  };

  table["DeleteLiveRecordTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    if (auto r = service.Delete(ctx.principal, *id); !r) return r.error();
    return Json::object();
  };
}

}  // namespace floe::ice
