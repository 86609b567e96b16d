// The five template actions of the live recording and live snapshot families
// (Create/Get/List/Update/Delete Live<Family>Template) built once: each family says only how its
// settings are read, how Get and List items are shaped, and how its parameters are named
// (ice/record_templates.h, ice/snapshot_templates.h). Reads come as GET with everything in the
// query, writes as a form body, Delete in the query: the gateway merges them.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "ice/action.h"
#include "ice/family_template_service.h"

namespace floe::ice {

struct FamilyTemplateActions {
  std::string family;      // "Record" | "Snapshot": CreateLive<family>Template, …
  std::string name_field;  // "Name" | "TemplateName"
  // Create's and Update's settings, checked, as FamilyTemplateService stores them.
  std::function<core::Result<std::string>(const Params&)> settings;
  // Get's answer for the template TemplateId names.
  std::function<core::Result<Json>(const ActionContext&, FamilyTemplateService&,
                                   const std::string& template_id)>
      get;
  std::function<Json(const store::FamilyTemplateRecord&)> list_item;
  std::string list_key;       // "RecordTemplateList" | "TemplateList"
  std::string keyword_field;  // "Keyword" | "SearchKeyWord"
  size_t max_template_ids = 100;
  bool ids_ignored_with_keyword = false;
};

void AddFamilyTemplateActions(ActionTable& table, FamilyTemplateService& service,
                              FamilyTemplateActions family);

}  // namespace floe::ice
