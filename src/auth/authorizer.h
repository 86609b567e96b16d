// Decides whether a verified principal may call an action: the account must have ICE enabled;
// root keys may then do everything; a RAM user needs an Allow in an attached policy and no
// Deny (explicit Deny wins).
#pragma once

#include <string>

#include "auth/principal.h"
#include "core/result.h"
#include "store/store.h"

namespace floe::auth {

// The ARN a request of this account touches: acs:ice:<region>:<accountId>:*. Policies match it
// with Resource "*" or e.g. "acs:ice:*:<accountId>:*".
std::string ResourceArn(const std::string& account_id);

class Authorizer {
 public:
  explicit Authorizer(store::Store& store) : store_(store) {}
  core::Result<void> Authorize(const Principal& who, const std::string& action);

 private:
  store::Store& store_;
};

}  // namespace floe::auth
