#include "auth/policy.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/json.h"
#include "core/strings.h"

namespace floe::auth {

using core::Error;
using json = nlohmann::json;

namespace {

Error BadPolicy(const std::string& why) {
  return {
      "InvalidParameter.PolicyDocument", 400, "The policy document is invalid: " + why,
      R"(Use {"Version":"1","Statement":[{"Effect":"Allow","Action":["ice:*"],"Resource":["*"]}]}.)"};
}

// A string or a non-empty list of non-empty strings.
bool StringList(const json& v, std::vector<std::string>& out) {
  out.clear();
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_string()) return false;
      out.push_back(e.get<std::string>());
    }
  } else {
    return false;
  }
  if (out.empty()) return false;
  for (const auto& s : out) {
    if (s.empty()) return false;
  }
  return true;
}

// "*", or acs:<service>:<region>:<account>:<relative> with service ice (or a wildcard) and
// relative *, template/… or job/…, or a prefix of that ending in "*" (acs:ice:*): every form
// that the Authorizer's ARNs can match as meant. Anything else is refused when attached, so
// that no Deny silently never applies.
bool EvaluableResource(const std::string& r) {
  if (r == "*") return true;
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() < 4) {
    size_t colon = r.find(':', start);
    if (colon == std::string::npos) break;
    parts.push_back(r.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(r.substr(start));  // the relative part keeps any further ':'
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  if (parts.size() < 2 || lower(parts[0]) != "acs") return false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) return false;
  }
  if (parts.size() > 2 && lower(parts[1]) != "ice" && parts[1] != "*") return false;
  if (parts.size() < 5) return parts.back() == "*";
  std::string rel = lower(parts[4]);
  if (rel == "*") return true;
  for (std::string kind : {"template/", "job/"}) {
    if (rel.size() > kind.size() && rel.compare(0, kind.size(), kind) == 0) return true;
  }
  return false;
}

}  // namespace

core::Result<Policy> ParsePolicy(const std::string& document) {
  core::JsonProblem problem;
  auto parsed = core::ParseJson(document, &problem);
  if (problem == core::JsonProblem::kTooDeep) return BadPolicy("it nests too deeply.");
  if (!parsed) return BadPolicy("it is not valid JSON.");
  json doc = std::move(*parsed);
  if (!doc.is_object()) return BadPolicy("it must be a JSON object.");
  for (auto& [key, value] : doc.items()) {
    if (key != "Version" && key != "Statement") {
      return BadPolicy("unknown field \"" + core::Excerpt(key) + "\".");
    }
  }
  if (!doc.contains("Version") || doc["Version"] != "1") return BadPolicy("Version must be \"1\".");
  if (!doc.contains("Statement") || !doc["Statement"].is_array() || doc["Statement"].empty()) {
    return BadPolicy("Statement must be a non-empty list.");
  }
  Policy policy;
  int index = 0;
  for (const auto& st : doc["Statement"]) {
    std::string where = "Statement[" + std::to_string(index++) + "]";
    if (!st.is_object()) return BadPolicy(where + " must be an object.");
    for (auto& [key, value] : st.items()) {
      if (key != "Effect" && key != "Action" && key != "Resource") {
        return BadPolicy(where + " has \"" + core::Excerpt(key) +
                         "\", which Floe does not support; use Effect, Action and Resource.");
      }
    }
    Statement s;
    if (!st.contains("Effect") || !st["Effect"].is_string()) {
      return BadPolicy(where + ".Effect is missing; use Allow or Deny.");
    }
    std::string effect = st["Effect"];
    if (effect != "Allow" && effect != "Deny") {
      return BadPolicy(where + ".Effect \"" + core::Excerpt(effect) +
                       "\" is unknown; use Allow or Deny.");
    }
    s.allow = effect == "Allow";
    if (!st.contains("Action") || !StringList(st["Action"], s.actions)) {
      return BadPolicy(where +
                       ".Action must be an action or a list of actions, e.g. \"ice:Get*\".");
    }
    for (const auto& a : s.actions) {
      if (a != "*" && a.find(':') == std::string::npos) {
        return BadPolicy(where + ".Action \"" + core::Excerpt(a) +
                         "\" must be \"*\" or \"<service>:<action>\".");
      }
    }
    if (!st.contains("Resource") || !StringList(st["Resource"], s.resources)) {
      return BadPolicy(
          where + ".Resource must be \"*\" or a list of ARNs such as \"acs:ice:*:<accountId>:*\".");
    }
    for (const auto& r : s.resources) {
      if (!EvaluableResource(r)) {
        return BadPolicy(where + ".Resource \"" + core::Excerpt(r) +
                         "\" is not one Floe evaluates; use \"*\" or "
                         "acs:ice:<region>:<accountId>:<resource>, <resource> being *, "
                         "template/<TemplateId> or job/<JobId> (wildcards * and ? allowed).");
      }
    }
    policy.statements.push_back(std::move(s));
  }
  return policy;
}

bool WildcardMatch(const std::string& pattern, const std::string& text, bool ignore_case) {
  auto eq = [&](char a, char b) {
    return ignore_case ? std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b))
                       : a == b;
  };
  // Iterative matcher with backtracking to the last '*': linear in practice, no recursion.
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || (pattern[p] != '*' && eq(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Decision Evaluate(const std::vector<Policy>& policies, const std::string& action,
                  const std::string& resource) {
  bool allowed = false;
  for (const auto& policy : policies) {
    for (const auto& s : policy.statements) {
      bool action_hit = false, resource_hit = false;
      for (const auto& a : s.actions) action_hit = action_hit || WildcardMatch(a, action, true);
      // ARNs compare without case, so that a Deny written "Template/*" still applies.
      for (const auto& r : s.resources)
        resource_hit = resource_hit || WildcardMatch(r, resource, true);
      if (!action_hit || !resource_hit) continue;
      if (!s.allow) return Decision::kExplicitDeny;
      allowed = true;
    }
  }
  return allowed ? Decision::kAllow : Decision::kImplicitDeny;
}

}  // namespace floe::auth
