#include "ice/object_name.h"

#include "core/strings.h"

namespace floe::ice {

std::optional<std::string> ObjectNameProblem(
    const std::string& name, size_t max_bytes, const std::set<std::string>& allowed,
    const std::vector<std::vector<std::string>>& required) {
  if (name.size() > max_bytes) {
    return "is " + std::to_string(name.size()) + " bytes; at most " + std::to_string(max_bytes) +
           ".";
  }
  if (!core::IsValidUtf8(name)) return "is not valid UTF-8.";
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f || ch == '\\') {
      return "contains a control character or a backslash.";
    }
  }
  if (name.empty() || name.front() == '/') return "must be a relative name.";
  std::set<std::string> seen;
  for (size_t i = 0; i < name.size();) {
    if (name[i] == '{') {
      size_t end = name.find('}', i);
      if (end == std::string::npos) return "has a '{' without its '}'.";
      std::string p = name.substr(i, end - i + 1);
      if (!allowed.count(p)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : " ") + a;
        return "has the placeholder " + core::Excerpt(p) + "; allowed here: " + list + ".";
      }
      seen.insert(p);
      i = end + 1;
    } else if (name[i] == '}') {
      return "has a '}' without its '{'.";
    } else {
      ++i;
    }
  }
  for (size_t start = 0; start <= name.size();) {
    size_t slash = name.find('/', start);
    std::string segment =
        name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return "has an empty, \".\" or \"..\" path segment.";
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (const auto& group : required) {
    bool any = false;
    for (const auto& p : group) any = any || seen.count(p);
    if (!any) {
      std::string names;
      for (const auto& p : group) names += (names.empty() ? "" : " or ") + p;
      return "must contain " + names + ".";
    }
  }
  return std::nullopt;
}

std::string RenderObjectName(const std::string& pattern,
                             const std::map<std::string, std::string>& values) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    size_t end = pattern[i] == '{' ? pattern.find('}', i) : std::string::npos;
    auto it = end == std::string::npos ? values.end() : values.find(pattern.substr(i, end - i + 1));
    if (it == values.end()) {
      out += pattern[i++];
      continue;
    }
    out += it->second;
    i = end + 1;
  }
  return out;
}

}  // namespace floe::ice
