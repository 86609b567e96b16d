#include "ice/action.h"

#include "core/strings.h"

namespace floe::ice {

using core::Error;
using core::Result;

std::optional<std::string> Params::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<std::vector<std::string>> Params::Required(std::initializer_list<const char*> names) const {
  std::vector<std::string> values;
  for (const char* name : names) {
    auto v = Required(name);
    if (!v) return v.error();
    values.push_back(std::move(*v));
  }
  return values;
}

Result<std::string> Params::Required(const std::string& name) const {
  auto v = Get(name);
  if (!v) return Error::MissingParameter(name);
  return *v;
}

Result<std::optional<int>> Params::Int(const std::string& name, int min, int max) const {
  auto v = Get(name);
  if (!v) return std::optional<int>();
  auto n = core::ParsePlainInt(*v);
  std::string range = "allowed range " + std::to_string(min) + "-" + std::to_string(max) + ".";
  if (!n) {
    return Error::InvalidParameter(
        name, "\"" + core::Excerpt(*v) + "\" is not a plain base-10 integer; " + range);
  }
  if (*n < min || *n > max) {
    return Error::InvalidParameter(name, core::Excerpt(*v) + " is out of range; " + range);
  }
  return std::optional<int>(static_cast<int>(*n));
}

Result<std::optional<std::string>> Params::OneOf(const std::string& name,
                                                 const std::vector<std::string>& allowed) const {
  auto v = Get(name);
  if (!v) return std::optional<std::string>();
  std::string list;
  for (const auto& a : allowed) {
    if (*v == a) return v;
    list += (list.empty() ? "" : ", ") + a;
  }
  return Error::InvalidParameter(
      name, "\"" + core::Excerpt(*v) + "\" is not one of the allowed values: " + list + ".");
}

Result<std::vector<std::string>> Params::Repeated(const std::string& name, size_t max) const {
  std::vector<std::string> out;
  for (size_t i = 1;; ++i) {
    auto v = Get(name + "." + std::to_string(i));
    if (!v) break;
    if (out.size() == max) {
      return Error::InvalidParameter(name, "more than " + std::to_string(max) + " values.");
    }
    out.push_back(*v);
  }
  return out;
}

Result<Paging> ParsePaging(const Params& p) {
  auto sort = p.OneOf("SortBy", {"asc", "desc"});
  if (!sort) return sort.error();
  auto page_no = p.Int("PageNo", 1, 1'000'000);
  if (!page_no) return page_no.error();
  auto page_size = p.Int("PageSize", 1, 100);
  if (!page_size) return page_size.error();
  return Paging{sort->value_or("desc") == "asc", page_no->value_or(1), page_size->value_or(10)};
}

}  // namespace floe::ice
