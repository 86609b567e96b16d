// The five snapshot template actions (CreateLiveSnapshotTemplate, GetLiveSnapshotTemplate,
// ListLiveSnapshotTemplates, UpdateLiveSnapshotTemplate, DeleteLiveSnapshotTemplate) on
// AddFamilyTemplateActions (ice/family_template_actions.h): settings checked by
// ice/snapshot_format.h; Get is flat (no wrapping object), the name is TemplateName, List
// items carry no formats.
#pragma once

#include "ice/action.h"
#include "ice/family_template_service.h"

namespace floe::ice {

void AddSnapshotTemplateActions(ActionTable& table, FamilyTemplateService& service);
FamilyTemplateService SnapshotTemplates(store::Store& store, int max_per_account,
                                        FamilyTemplateService::Clock clock = nullptr);

}  // namespace floe::ice
