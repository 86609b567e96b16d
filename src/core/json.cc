#include "core/json.h"

namespace floe::core {

int JsonDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::optional<nlohmann::json> ParseJson(std::string_view text, JsonProblem* why, int max_depth) {
  auto set = [&](JsonProblem p) {
    if (why) *why = p;
  };
  if (JsonDepth(text, max_depth) > max_depth) {
    set(JsonProblem::kTooDeep);
    return std::nullopt;
  }
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    set(JsonProblem::kSyntax);
    return std::nullopt;
  }
  set(JsonProblem::kNone);
  return doc;
}

}  // namespace floe::core
