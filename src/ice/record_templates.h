// The five recording template actions (CreateLiveRecordTemplate, GetLiveRecordTemplate,
// ListLiveRecordTemplates, UpdateLiveRecordTemplate, DeleteLiveRecordTemplate): decode the
// parameters (reads come as GET with everything in the query, writes as a form body, Delete in
// the query; the gateway merges them), call the RecordTemplateService, shape the answer as the
// SDK models it: Get wraps the template in RecordTemplate, List echoes PageNo, PageSize and
// SortBy.
#pragma once

#include "ice/action.h"
#include "ice/record_template_service.h"

namespace floe::ice {

void AddRecordTemplateActions(ActionTable& table, RecordTemplateService& service);

// RecordTemplate as Get and List answer it.
Json RecordTemplateContent(const store::FamilyTemplateRecord& rec);

}  // namespace floe::ice
