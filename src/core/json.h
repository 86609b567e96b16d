// JSON from untrusted text: nesting is bounded before nlohmann parses it, so no later recursive
// walk (dump, comparison) can exhaust the stack, and every dump replaces invalid UTF-8.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace floe::core {

inline constexpr int kMaxJsonDepth = 32;

enum class JsonProblem { kNone, kSyntax, kTooDeep };

// The deepest nesting of arrays and objects in `text` (strings and escapes skipped), counting
// only up to limit + 1.
int JsonDepth(std::string_view text, int limit = kMaxJsonDepth);

// The document, or nullopt with `why` set: kTooDeep beyond max_depth, kSyntax otherwise.
std::optional<nlohmann::json> ParseJson(std::string_view text, JsonProblem* why = nullptr,
                                        int max_depth = kMaxJsonDepth);

// dump() that never throws on invalid UTF-8 (it is replaced by U+FFFD).
template <class J>
std::string DumpJson(const J& j) {
  return j.dump(-1, ' ', false, J::error_handler_t::replace);
}

}  // namespace floe::core
