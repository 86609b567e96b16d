// The five recording template actions (CreateLiveRecordTemplate, GetLiveRecordTemplate,
// ListLiveRecordTemplates, UpdateLiveRecordTemplate, DeleteLiveRecordTemplate) on
// AddFamilyTemplateActions (ice/family_template_actions.h): RecordFormat checked by
// ice/record_format.h; Get wraps the template in RecordTemplate.
#pragma once

#include "ice/action.h"
#include "ice/family_template_service.h"

namespace floe::ice {

// `service`: the "record" family's (RecordTemplates makes it).
void AddRecordTemplateActions(ActionTable& table, FamilyTemplateService& service);
FamilyTemplateService RecordTemplates(store::Store& store, int max_per_account,
                                      FamilyTemplateService::Clock clock = nullptr);

// RecordTemplate as Get and List answer it.
Json RecordTemplateContent(const store::FamilyTemplateRecord& rec);

}  // namespace floe::ice
