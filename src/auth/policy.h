// RAM policy documents: parsing with validation, and evaluation (explicit Deny wins, then an
// Allow is needed; anything else is an implicit deny).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace floe::auth {

struct Statement {
  bool allow = false;
  std::vector<std::string> actions;    // "ice:Get*", "*", ... (wildcards * and ?)
  std::vector<std::string> resources;  // "*" or "acs:ice:*:<accountId>:*", ...
};

struct Policy {
  std::vector<Statement> statements;
};

// Validates a document: JSON object, Version "1", a non-empty Statement list whose entries have
// Effect Allow|Deny and non-empty Action and Resource (string or list of strings). Anything
// else (e.g. a Condition, which Floe does not evaluate) is refused with a message saying why.
core::Result<Policy> ParsePolicy(const std::string& document);

// `*` matches any run of characters, `?` exactly one.
bool WildcardMatch(const std::string& pattern, const std::string& text, bool ignore_case);

enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };

// action: "ice:UpdateLiveTranscodeTemplate"; resource: the ARN the request touches.
Decision Evaluate(const std::vector<Policy>& policies, const std::string& action,
                  const std::string& resource);

}  // namespace floe::auth
