#include "ice/record_templates.h"

#include "core/strings.h"
#include "core/time.h"
#include "ice/family_template_actions.h"
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
  // Stored as RenderRecordFormats wrote it: already the list the wire carries.
  Json formats = Json::parse(rec.body_json, nullptr, /*allow_exceptions=*/false);
  content["RecordFormatList"] = formats.is_array() ? std::move(formats) : Json::array();
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

// Without JobId (AddRecordJobActions answers the job's copy of the template).
Result<Json> Get(const ActionContext& ctx, FamilyTemplateService& service, const std::string& id) {
  auto rec = service.Get(ctx.principal, id);
  if (!rec) return rec.error();
  return Json{{"RecordTemplate", RecordTemplateContent(*rec)}};
}

}  // namespace

void AddRecordTemplateActions(ActionTable& table, FamilyTemplateService& service) {
  AddFamilyTemplateActions(table, service,
                           {.family = "Record",
                            .name_field = "Name",
                            .settings = Settings,
                            .get = Get,
                            .list_item = RecordTemplateContent,
                            .list_key = "RecordTemplateList",
                            .keyword_field = "Keyword",
                            .max_template_ids = 100,
                            .ids_ignored_with_keyword = false});
}

}  // namespace floe::ice
