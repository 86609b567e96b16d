#include "ice/record_templates.h"

#include "core/time.h"

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

namespace {

// A repeated string parameter as the SDKs flatten it: Name.1, Name.2, … (up to `max`).
Result<std::vector<std::string>> Repeated(const Params& p, const std::string& name, size_t max) {
  std::vector<std::string> out;
  for (size_t i = 1;; ++i) {
    auto v = p.Get(name + "." + std::to_string(i));
    if (!v) break;
    if (out.size() == max) {
      return core::Error::InvalidParameter(name, "more than " + std::to_string(max) + " values.");
    }
    out.push_back(*v);
  }
  return out;
}

}  // namespace

void AddRecordTemplateActions(ActionTable& table, RecordTemplateService& service) {
  table["CreateLiveRecordTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto name = ctx.params.Required("Name");
    if (!name) return name.error();
    auto formats = ctx.params.Required("RecordFormat");
    if (!formats) return formats.error();
    auto id = service.Create(ctx.principal, *name, *formats);
    if (!id) return id.error();
    return Json{{"TemplateId", *id}};
  };

  table["GetLiveRecordTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    if (auto job = ctx.params.Get("JobId")) {
      // The copy a record job keeps: Floe runs no record job yet, so no JobId names one.
      return core::Error{"JobNotFound", 404, "No such job: JobId " + *job + " does not exist.",
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
    auto ids = Repeated(p, "TemplateIds", 100);
    if (!ids) return ids.error();
    RecordTemplateQuery q;
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
    auto name = ctx.params.Required("Name");
    if (!name) return name.error();
    auto formats = ctx.params.Required("RecordFormat");
    if (!formats) return formats.error();
    if (auto r = service.Update(ctx.principal, *id, *name, *formats); !r) return r.error();
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
