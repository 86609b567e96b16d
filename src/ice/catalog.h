// The API's actions and their parameters, described for clients: `floe ice --help` lists them,
// `floe ice <Action> --help` shows one, and the CLI refuses a parameter an action does not take
// before it sends anything. A unit test keeps this list and the server's ActionTable equal.
#pragma once

#include <string_view>
#include <vector>

namespace floe::ice {

enum class ParamKind {
  kString,
  kInteger,
  kObject,  // a JSON object, sent as its text (TemplateConfig, StreamInput, ...)
  kArray,   // a JSON array, sent as its text (RecordFormat)
};

struct ParamSpec {
  std::string_view name;
  ParamKind kind = ParamKind::kString;
  bool required = false;
  std::string_view help;
};

struct ActionSpec {
  std::string_view name;
  std::string_view summary;
  std::vector<ParamSpec> params;
};

const std::vector<ActionSpec>& Catalog();
// The action of this name, or nullptr.
const ActionSpec* FindAction(std::string_view name);
std::string_view KindName(ParamKind kind);  // "String", "Integer", "Object (JSON)", …

// Whether `name` is a parameter of some action or of the RPC dialect itself (Action, Version,
// the signature's). Only those appear in an error code (InvalidParam.<Name>): any other name a
// client sends cannot mint a new code.
bool IsKnownParameter(std::string_view name);

}  // namespace floe::ice
