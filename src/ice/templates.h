// The five template actions: decode parameters, call the TemplateService, shape the answer.
#pragma once

#include "ice/action.h"
#include "ice/template_service.h"

namespace floe::ice {

void AddTemplateActions(ActionTable& table, TemplateService& service);

// TemplateContent as Get and List answer it.
Json TemplateContent(const store::TemplateRecord& rec);

}  // namespace floe::ice
