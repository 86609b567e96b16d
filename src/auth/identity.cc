#include "auth/identity.h"

#include "auth/policy.h"
#include "core/ids.h"
#include "core/time.h"

namespace floe::auth {

using core::Error;
using core::Result;

namespace {
Error NotFound(const std::string& what, const std::string& id) {
  return {"EntityNotExist." + what, 404, what + " " + id + " does not exist.", "Check the id."};
}
}  // namespace

Result<std::string> Identity::RootAccountId() {
  auto root = store_.GetRootAccount();
  if (!root) return root.error();
  if (!root->has_value()) return NotFound("Account", "(root)");
  return (*root)->account_id;
}

Result<std::string> Identity::CreateAccount(const std::string& name, bool ice_enabled,
                                            const std::optional<NewKey>& root_key,
                                            const std::optional<std::string>& account_id) {
  if (name.empty() || name.size() > 64) {
    return Error::InvalidParameter("Name", "an account name has 1-64 characters.");
  }
  store::Account a{account_id.value_or(core::NewAccountId()), name, ice_enabled, core::NowMillis()};
  std::optional<store::AccessKey> key;
  if (root_key) {
    key = store::AccessKey{root_key->access_key_id,
                           box_.Seal(root_key->secret),
                           a.account_id,
                           "",
                           true,
                           a.create_time_ms,
                           true};
  }
  if (auto r = store_.CreateAccount(a, key); !r) return r.error();
  return a.account_id;
}

Result<void> Identity::RequireAccount(const std::string& account_id) {
  auto a = store_.GetAccount(account_id);
  if (!a) return a.error();
  if (!a->has_value()) return NotFound("Account", account_id);
  return {};
}

Result<void> Identity::SetIceEnabled(const std::string& account_id, bool enabled) {
  auto found = store_.SetIceEnabled(account_id, enabled);
  if (!found) return found.error();
  if (!*found) return NotFound("Account", account_id);
  return {};
}

Result<void> Identity::CreateUser(const std::string& account_id, const std::string& user_name) {
  if (user_name.empty() || user_name.size() > 64 ||
      user_name.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_@") !=
          std::string::npos) {
    return Error::InvalidParameter("UserName", "use 1-64 characters of A-Z a-z 0-9 . - _ @.");
  }
  if (auto r = RequireAccount(account_id); !r) return r;
  auto created = store_.CreateRamUser({account_id, user_name, core::NowMillis()});
  if (!created) return created.error();
  if (!*created) {
    return Error{"EntityAlreadyExists.User", 409, "User " + user_name + " already exists.",
                 "Pick another name."};
  }
  return {};
}

Result<void> Identity::AttachPolicy(const std::string& account_id, const std::string& user_name,
                                    const std::string& document) {
  auto policy = ParsePolicy(document);
  if (!policy) return policy.error();
  auto user = store_.GetRamUser(account_id, user_name);
  if (!user) return user.error();
  if (!user->has_value()) return NotFound("User", user_name);
  return store_.AttachPolicy(account_id, user_name, document);
}

NewKey Identity::GenerateKey() {
  return {core::NewAccessKeyId(), core::NewAccessKeySecret()};
}

Result<NewKey> Identity::CreateKey(const std::string& account_id,
                                   const std::optional<std::string>& user_name) {
  NewKey key = GenerateKey();
  if (auto r = StoreKey(account_id, user_name, key); !r) return r.error();
  return key;
}

Result<void> Identity::StoreKey(const std::string& account_id,
                                const std::optional<std::string>& user_name, const NewKey& key) {
  if (auto r = RequireAccount(account_id); !r) return r;
  if (user_name) {
    auto user = store_.GetRamUser(account_id, *user_name);
    if (!user) return user.error();
    if (!user->has_value()) return NotFound("User", *user_name);
  }
  store::AccessKey rec{key.access_key_id,
                       box_.Seal(key.secret),
                       account_id,
                       user_name.value_or(""),
                       true,
                       core::NowMillis(),
                       true};
  return store_.CreateAccessKey(rec);
}

Result<void> Identity::DisableKey(const std::string& access_key_id) {
  auto found = store_.SetAccessKeyActive(access_key_id, false);
  if (!found) return found.error();
  if (!*found) return NotFound("AccessKey", access_key_id);
  return {};
}

Result<void> Identity::DeleteKey(const std::string& access_key_id) {
  auto found = store_.DeleteAccessKey(access_key_id);
  if (!found) return found.error();
  if (!*found) return NotFound("AccessKey", access_key_id);
  return {};
}

Result<int> Identity::SealLegacySecrets() {
  return store_.SealPlaintextSecrets([this](const std::string& s) { return box_.Seal(s); });
}

}  // namespace floe::auth
