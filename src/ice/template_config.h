// TemplateConfig: parsed from the API's JSON string, merged leaf by leaf on update, and
// validated once into a typed TemplateSpec that the rest of Floe trusts.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/template_spec.h"

namespace floe::ice {

// Leaf path ("VideoParams.Height") → value as the API spells it ("720"). Absent leaves are unset.
using ConfigLeaves = std::map<std::string, std::string>;

// A TemplateConfig sent by a client: leaves to set, and leaves sent as "" to clear.
struct ConfigPatch {
  ConfigLeaves set;
  std::map<std::string, bool> cleared;
};

using core::AudioParams;
using core::TemplateSpec;
using core::VideoParams;

// Parses the JSON string of a TemplateConfig parameter. Rejects bad JSON, unknown fields and
// values that are neither strings nor non-negative integers.
core::Result<ConfigPatch> ParseTemplateConfig(const std::string& json_text);
ConfigLeaves ApplyPatch(ConfigLeaves base, const ConfigPatch& patch);
// Validates a whole template (every rule of the API) into typed values.
core::Result<TemplateSpec> ValidateTemplate(const std::string& type, const ConfigLeaves& leaves);
// A template as a job runs it ({"Type": ..., "TemplateConfig": {...}}: a stored template's, or a
// template file of `floe transcode`) → typed values, validated as the API validates.
core::Result<TemplateSpec> TemplateSpecOf(const std::string& type, const std::string& config_json);
// Validates a template name: 1..128 characters.
core::Result<void> ValidateName(const std::string& name, const std::string& field = "Name");

// Canonical JSON text of the leaves (nested objects, string values), as stored and returned.
std::string RenderConfig(const ConfigLeaves& leaves);
// Reads back what RenderConfig wrote.
ConfigLeaves LeavesFromStored(const std::string& json_text);

}  // namespace floe::ice
