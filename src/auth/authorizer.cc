#include "auth/authorizer.h"

namespace floe::auth {

using core::Error;

core::Result<void> Authorizer::Authorize(const Principal& who, const std::string& action) {
  auto account = store_.GetAccount(who.account_id);
  if (!account) return account.error();
  if (!account->has_value() || !(*account)->ice_enabled) {
    return Error{"OperationDenied", 403, "Your account has not enabled the ICE service.",
                 "Enable ICE for the account (floe admin)."};
  }
  if (who.IsRoot()) return {};
  // RAM users get only what a policy grants; policies arrive with the identity issue, so until
  // then a RAM user is granted nothing.
  return Error{"Forbidden.RAM", 403,
               "User not authorized to operate on the specified resource: ice:" + action + ".",
               "Attach a RAM policy that allows ice:" + action + "."};
}

}  // namespace floe::auth
