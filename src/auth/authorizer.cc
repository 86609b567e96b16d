#include "auth/authorizer.h"

#include "auth/policy.h"

namespace floe::auth {

using core::Error;

std::string ResourceArn(const std::string& account_id, const std::string& relative) {
  return "acs:ice:local:" + account_id + ":" + relative;
}

core::Result<void> Authorizer::Authorize(const Principal& who, const std::string& action,
                                         const std::string& relative) {
  auto account = cache_ ? cache_->GetAccount(who.account_id) : store_.GetAccount(who.account_id);
  if (!account) return account.error();
  if (!account->has_value() || !(*account)->ice_enabled) {
    return Error{"OperationDenied", 403, "Your account has not enabled the ICE service.",
                 "Enable ICE for the account (floe admin account enable-ice)."};
  }
  if (who.IsRoot()) return {};
  auto docs = cache_ ? cache_->ListPolicies(who.account_id, who.user_name)
                     : store_.ListPolicies(who.account_id, who.user_name);
  if (!docs) return docs.error();
  std::vector<Policy> policies;
  for (const auto& d : *docs) {
    auto p = ParsePolicy(d);  // validated when attached; a bad one grants nothing
    if (p) policies.push_back(std::move(*p));
  }
  Decision d = Evaluate(policies, "ice:" + action, ResourceArn(who.account_id, relative));
  if (d == Decision::kAllow) return {};
  std::string why = d == Decision::kExplicitDeny ? "an explicit Deny in a policy of user "
                                                 : "no policy allows it for user ";
  return Error{"Forbidden.RAM", 403,
               "User not authorized to operate on the specified resource: ice:" + action + " (" +
                   why + who.user_name + ").",
               "Attach a RAM policy that allows ice:" + action + " and no Deny for it."};
}

}  // namespace floe::auth
