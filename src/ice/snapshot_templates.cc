#include "ice/snapshot_templates.h"

#include "core/strings.h"
#include "core/time.h"
#include "ice/snapshot_format.h"
#include "ice/template_config.h"

namespace floe::ice {

using core::Result;

FamilyTemplateService SnapshotTemplates(store::Store& store, int max_per_account,
                                        FamilyTemplateService::Clock clock) {
  return FamilyTemplateService(store, "snapshot", "snapshot templates", "ListLiveSnapshotTemplates",
                               std::move(clock), max_per_account);
}

namespace {

// TemplateName, TimeInterval and the formats, checked; the settings as stored.
Result<std::string> Settings(const Params& p) {
  auto name = p.Required("TemplateName");
  if (!name) return name.error();
  if (auto r = ValidateName(*name, "TemplateName"); !r) return r.error();
  auto s = ParseSnapshotSettings(p.Get("TimeInterval"), p.Get("OverwriteFormat"),
                                 p.Get("SequenceFormat"));
  if (!s) return s.error();
  return RenderSnapshotSettings(*s);
}

}  // namespace

void AddSnapshotTemplateActions(ActionTable& table, FamilyTemplateService& service) {
  table["CreateLiveSnapshotTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto settings = Settings(ctx.params);
    if (!settings) return settings.error();
    auto id = service.Create(ctx.principal, *ctx.params.Get("TemplateName"), *settings);
    if (!id) return id.error();
    return Json{{"TemplateId", *id}};
  };

  table["GetLiveSnapshotTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    auto rec = service.Get(ctx.principal, *id);
    if (!rec) return rec.error();
    SnapshotSettings s = StoredSnapshotSettings(rec->body_json);
    Json out{{"TemplateId", rec->template_id}, {"TemplateName", rec->name}, {"Type", "custom"}};
    if (!s.overwrite_format.empty()) out["OverwriteFormat"] = s.overwrite_format;
    if (!s.sequence_format.empty()) out["SequenceFormat"] = s.sequence_format;
    out["TimeInterval"] = s.time_interval_s;
    out["CreateTime"] = core::FormatUtc(rec->create_time_ms / 1000);
    out["LastModified"] = core::FormatUtc(rec->last_modified_ms / 1000);
    return out;
  };

  table["ListLiveSnapshotTemplates"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto paging = ParsePaging(p);
    if (!paging) return paging.error();
    auto type = p.OneOf("Type", {"custom", "system"});
    if (!type) return type.error();
    auto keyword = p.Get("SearchKeyWord");
    if (keyword && core::Utf8Length(*keyword) > 128) {
      return core::Error::InvalidParameter("SearchKeyWord", "at most 128 characters.");
    }
    auto ids = p.Repeated("TemplateIds", 200);
    if (!ids) return ids.error();
    FamilyTemplateListQuery q;
    q.keyword = keyword;
    if (!keyword) q.template_ids = *ids;  // ignored when SearchKeyWord is set
    q.ascending = paging->ascending;
    q.page_no = paging->page_no;
    q.page_size = paging->page_size;
    Json list = Json::array();
    int64_t total = 0;
    if (type->value_or("custom") == "custom") {  // Floe has no system snapshot templates
      auto page = service.List(ctx.principal, q);
      if (!page) return page.error();
      total = page->total_count;
      for (const auto& rec : page->items) {
        list.push_back({{"TemplateId", rec.template_id},
                        {"TemplateName", rec.name},
                        {"Type", "custom"},
                        {"TimeInterval", StoredSnapshotSettings(rec.body_json).time_interval_s},
                        {"CreateTime", core::FormatUtc(rec.create_time_ms / 1000)}});
      }
    }
    return Json{{"PageNo", paging->page_no},
                {"PageSize", paging->page_size},
                {"SortBy", paging->ascending ? "asc" : "desc"},
                {"TotalCount", total},
                {"TemplateList", std::move(list)}};
  };

  table["UpdateLiveSnapshotTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    auto settings = Settings(ctx.params);
    if (!settings) return settings.error();
    if (auto r = service.Update(ctx.principal, *id, *ctx.params.Get("TemplateName"), *settings);
        !r) {
      return r.error();
    }
    return Json::object();
  };

  table["DeleteLiveSnapshotTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    if (auto r = service.Delete(ctx.principal, *id); !r) return r.error();
    return Json::object();
  };
}

}  // namespace floe::ice
