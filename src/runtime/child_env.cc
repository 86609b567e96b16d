#include "runtime/child_env.h"

#include <string_view>

namespace floe::runtime {

namespace {

bool Kept(std::string_view name) {
  if (name == "PATH" || name == "LANG" || name == "TZ") return true;
  if (name.rfind("LC_", 0) == 0) return true;             // LC_ALL, LC_CTYPE, …
  constexpr std::string_view kSanitizer = "SAN_OPTIONS";  // ASAN_, LSAN_, UBSAN_, TSAN_OPTIONS
  return name.size() > kSanitizer.size() &&
         name.compare(name.size() - kSanitizer.size(), kSanitizer.size(), kSanitizer) == 0;
}

}  // namespace

std::vector<std::string> ChildEnvironment(const char* const* parent) {
  std::vector<std::string> env;
  bool path = false;
  for (const char* const* e = parent; e && *e; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos || !Kept(entry.substr(0, eq))) continue;
    path = path || entry.substr(0, eq) == "PATH";
    env.emplace_back(entry);
  }
  if (!path) env.emplace_back("PATH=/usr/local/bin:/usr/bin:/bin");
  return env;
}

}  // namespace floe::runtime
