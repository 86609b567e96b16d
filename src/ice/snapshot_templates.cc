#include "ice/snapshot_templates.h"

#include "core/time.h"
#include "ice/family_template_actions.h"
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

Result<Json> Get(const ActionContext& ctx, FamilyTemplateService& service, const std::string& id) {
  auto rec = service.Get(ctx.principal, id);
  if (!rec) return rec.error();
  SnapshotSettings s = StoredSnapshotSettings(rec->body_json);
  Json out{{"TemplateId", rec->template_id}, {"TemplateName", rec->name}, {"Type", "custom"}};
  if (!s.overwrite_format.empty()) out["OverwriteFormat"] = s.overwrite_format;
  if (!s.sequence_format.empty()) out["SequenceFormat"] = s.sequence_format;
  out["TimeInterval"] = s.time_interval_s;
  out["CreateTime"] = core::FormatUtc(rec->create_time_ms / 1000);
  out["LastModified"] = core::FormatUtc(rec->last_modified_ms / 1000);
  return out;
}

// List items carry no formats.
Json ListItem(const store::FamilyTemplateRecord& rec) {
  return {{"TemplateId", rec.template_id},
          {"TemplateName", rec.name},
          {"Type", "custom"},
          {"TimeInterval", StoredSnapshotSettings(rec.body_json).time_interval_s},
          {"CreateTime", core::FormatUtc(rec.create_time_ms / 1000)}};
}

}  // namespace

void AddSnapshotTemplateActions(ActionTable& table, FamilyTemplateService& service) {
  AddFamilyTemplateActions(table, service,
                           {.family = "Snapshot",
                            .name_field = "TemplateName",
                            .settings = Settings,
                            .get = Get,
                            .list_item = ListItem,
                            .list_key = "TemplateList",
                            .keyword_field = "SearchKeyWord",
                            .max_template_ids = 200,
                            .ids_ignored_with_keyword = true});
}

}  // namespace floe::ice
