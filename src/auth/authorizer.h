// Decides whether a verified principal may call an action: the account must have ICE enabled;
// root keys may then do everything; a RAM user needs an Allow in an attached policy and no
// Deny (explicit Deny wins).
#pragma once

#include <string>

#include "auth/identity_cache.h"
#include "auth/principal.h"
#include "core/result.h"
#include "store/store.h"

namespace floe::auth {

// The ARN of a resource of this account, as the cloud names them:
// acs:ice:<region>:<accountId>:<relative>, relative being "template/<id>", "job/<id>", or
// "template/*" and "job/*" for the actions on a whole kind (Create, List, Submit).
std::string ResourceArn(const std::string& account_id, const std::string& relative);

class Authorizer {
 public:
  explicit Authorizer(store::Store& store) : store_(store) {}
  // `relative`: the resource the request touches (see ResourceArn).
  core::Result<void> Authorize(const Principal& who, const std::string& action,
                               const std::string& relative);
  // Accounts and policies are read through this cache (set before serving; nullptr: the store).
  void UseCache(IdentityCache* cache) { cache_ = cache; }

 private:
  store::Store& store_;
  IdentityCache* cache_ = nullptr;
};

}  // namespace floe::auth
