// The five snapshot template actions (CreateLiveSnapshotTemplate, GetLiveSnapshotTemplate,
// ListLiveSnapshotTemplates, UpdateLiveSnapshotTemplate, DeleteLiveSnapshotTemplate): decode
// the parameters (reads as GET with the query, writes as a form body; the gateway merges them),
// validate them (ice/snapshot_format.h), call the "snapshot" family's FamilyTemplateService,
// shape the answer as the SDK models it: Get is flat (no wrapping object), the name is
// TemplateName, List items carry no formats.
#pragma once

#include "ice/action.h"
#include "ice/family_template_service.h"

namespace floe::ice {

void AddSnapshotTemplateActions(ActionTable& table, FamilyTemplateService& service);
FamilyTemplateService SnapshotTemplates(store::Store& store, int max_per_account,
                                        FamilyTemplateService::Clock clock = nullptr);

}  // namespace floe::ice
