// Managing identities: accounts and their ICE enablement, RAM users, policies and AccessKeys.
// Used by `floe admin` and by the first-start bootstrap; every answer is JSON-ready.
#pragma once

#include <optional>
#include <string>

#include "auth/secret_box.h"
#include "core/result.h"
#include "store/store.h"

namespace floe::auth {

struct NewKey {
  std::string access_key_id;
  std::string secret;  // plaintext, shown once to whoever created it
};

class Identity {
 public:
  Identity(store::Store& store, const SecretBox& box) : store_(store), box_(box) {}

  // The data directory's master key, whose derived keys also sign links (auth/link_signer.h).
  const SecretBox& box() const { return box_; }

  core::Result<std::string> RootAccountId();
  // A new account, and atomically with it its root key when one is given. The id is
  // generated unless given.
  core::Result<std::string> CreateAccount(const std::string& name, bool ice_enabled,
                                          const std::optional<NewKey>& root_key = {},
                                          const std::optional<std::string>& account_id = {});
  core::Result<void> SetIceEnabled(const std::string& account_id, bool enabled);
  core::Result<void> CreateUser(const std::string& account_id, const std::string& user_name);
  core::Result<void> AttachPolicy(const std::string& account_id, const std::string& user_name,
                                  const std::string& document);
  // A key of the account's root (no user) or of one of its RAM users.
  core::Result<NewKey> CreateKey(const std::string& account_id,
                                 const std::optional<std::string>& user_name);
  static NewKey GenerateKey();
  // Stores a generated key (sealed) for the account's root or one of its RAM users.
  core::Result<void> StoreKey(const std::string& account_id,
                              const std::optional<std::string>& user_name, const NewKey& key);
  core::Result<void> DisableKey(const std::string& access_key_id);
  core::Result<void> DeleteKey(const std::string& access_key_id);
  // Seals secrets stored before they were sealed. Returns how many.
  core::Result<int> SealLegacySecrets();

 private:
  core::Result<void> RequireAccount(const std::string& account_id);

  store::Store& store_;
  const SecretBox& box_;
};

}  // namespace floe::auth
