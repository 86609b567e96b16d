// A KeyWord as a LIKE pattern, for both stores: its wildcards (% _ \) escaped so that it
// matches literally, as a substring (ESCAPE '\').
#pragma once

#include <string>

namespace floe::store {

inline std::string LikePattern(const std::string& keyword) {
  std::string out = "%";
  for (char c : keyword) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "%";
}

}  // namespace floe::store
