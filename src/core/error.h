// The one error type of Floe: an API error code, the HTTP status it maps to, and a message.
// Errors travel up as values (Result<T>) and only the HTTP layer renders them.
#pragma once

#include <string>
#include <utility>

namespace floe::core {

struct Error {
  std::string code;       // API error code, e.g. "InvalidParam.VideoParams.Height"
  int http_status = 400;  // HTTP status the API answers with
  std::string message;    // human-readable, names the field and the allowed values
  std::string recommend;  // short hint (optional)

  static Error MissingParameter(const std::string& field);
  static Error InvalidParameter(const std::string& field, const std::string& why);
  static Error Internal(const std::string& what);
  static Error Unavailable(const std::string& what);
};

}  // namespace floe::core
