#include "core/error.h"

namespace floe::core {

Error Error::MissingParameter(const std::string& field) {
  return {"MissingParameter", 400,
          "The input parameter \"" + field +
              "\" that is mandatory for processing this request is not supplied.",
          "Supply " + field + "."};
}

Error Error::InvalidParameter(const std::string& field, const std::string& why) {
  return {"InvalidParam." + field, 400, "The parameter " + field + " is invalid: " + why,
          "Correct " + field + " and retry."};
}

Error Error::Internal(const std::string& what) {
  return {"InternalError", 500,
          "The request processing has failed due to some unknown error: " + what,
          "Retry later; nothing was changed."};
}

Error Error::Unavailable(const std::string& what) {
  return {"ServiceUnavailable", 503, "The service is temporarily unavailable: " + what,
          "Retry later."};
}

}  // namespace floe::core
