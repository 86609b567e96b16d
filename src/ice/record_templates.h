// The five recording template actions (CreateLiveRecordTemplate, GetLiveRecordTemplate,
// ListLiveRecordTemplates, UpdateLiveRecordTemplate, DeleteLiveRecordTemplate): decode the
// parameters (reads come as GET with everything in the query, writes as a form body, Delete in
// the query; the gateway merges them), validate them (ice/record_format.h), call the family's
// FamilyTemplateService, shape the answer as the
// SDK models it: Get wraps the template in RecordTemplate, List echoes PageNo, PageSize and
// SortBy.
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
