// Decides whether a verified principal may call an action: the account must have ICE enabled,
// and (later: RAM policies) a RAM user needs a grant. Root keys may do everything.
#pragma once

#include <string>

#include "auth/principal.h"
#include "core/result.h"
#include "store/store.h"

namespace floe::auth {

class Authorizer {
 public:
  explicit Authorizer(store::Store& store) : store_(store) {}
  core::Result<void> Authorize(const Principal& who, const std::string& action);

 private:
  store::Store& store_;
};

}  // namespace floe::auth
