// What an action handler gets and gives: the caller, the decoded parameters, and a JSON body
// (without RequestId, which the gateway adds) or an Error.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"

namespace floe::ice {

using Json = nlohmann::ordered_json;

class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  // The value when present and non-empty.
  std::optional<std::string> Get(const std::string& name) const;
  // MissingParameter when absent or empty.
  core::Result<std::string> Required(const std::string& name) const;
  // Each of `names`, all required, in their order (the first one missing is the error).
  core::Result<std::vector<std::string>> Required(std::initializer_list<const char*> names) const;
  // An optional integer within min..max; InvalidParam.<name> otherwise.
  core::Result<std::optional<int>> Int(const std::string& name, int min, int max) const;
  // An optional value out of a fixed set; InvalidParam.<name> otherwise.
  core::Result<std::optional<std::string>> OneOf(const std::string& name,
                                                 const std::vector<std::string>& allowed) const;
  // A repeated string as the SDKs flatten it: name.1, name.2, … (InvalidParam.<name> past max).
  core::Result<std::vector<std::string>> Repeated(const std::string& name, size_t max) const;

 private:
  std::map<std::string, std::string> values_;
};

// SortBy (asc|desc by CreateTime, default desc), PageNo (1..) and PageSize (1..100, default 10).
struct Paging {
  bool ascending = false;
  int page_no = 1;
  int page_size = 10;
};
core::Result<Paging> ParsePaging(const Params& p);

struct ActionContext {
  auth::Principal principal;
  Params params;
  std::string request_id;
  // The Host the caller reached ("" when it is not a plain host[:port]): for links it can open.
  std::string host{};
};

using ActionHandler = std::function<core::Result<Json>(const ActionContext&)>;
using ActionTable = std::map<std::string, ActionHandler>;

}  // namespace floe::ice
