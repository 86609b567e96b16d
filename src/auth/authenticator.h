// Verifies that a request was signed by a known, active AccessKey (V1 or V3), within the
// timestamp window and with a fresh nonce, and says who signed it.
#pragma once

#include <functional>
#include <string>

#include "auth/identity_cache.h"
#include "auth/nonce_cache.h"
#include "auth/principal.h"
#include "auth/secret_box.h"
#include "auth/signature.h"
#include "core/result.h"
#include "store/store.h"

namespace floe::auth {

// What signing covers, taken off the wire by the API layer (names of headers lower-case).
struct SignedRequest {
  std::string method;
  std::string path;
  Pairs query;  // decoded pairs of the URL's query string
  Pairs form;   // decoded pairs of an x-www-form-urlencoded body (empty otherwise)
  Pairs headers;
  std::string body;
};

struct AuthOptions {
  int64_t timestamp_window_ms = 15 * 60 * 1000;  // ± around server time
};

class Authenticator {
 public:
  using Clock = std::function<int64_t()>;  // unix milliseconds
  Authenticator(store::Store& store, NonceCache& nonces, const SecretBox& box,
                AuthOptions options = {}, Clock clock = nullptr);

  core::Result<Principal> Authenticate(const SignedRequest& req);
  // AccessKeys are read through this cache (set before serving; nullptr: from the store).
  void UseCache(IdentityCache* cache) { cache_ = cache; }

 private:
  // The key with its secret opened.
  core::Result<store::AccessKey> LookUpKey(const std::string& access_key_id);
  core::Result<void> CheckTimestamp(int64_t signed_at_s, int64_t now_ms);
  core::Result<void> CheckNonce(const std::string& ak, const std::string& nonce,
                                int64_t signed_at_s, int64_t now_ms);
  core::Result<Principal> VerifyV1(const SignedRequest& req, int64_t now_ms);
  core::Result<Principal> VerifyV3(const SignedRequest& req, int64_t now_ms);

  store::Store& store_;
  NonceCache& nonces_;
  const SecretBox& box_;
  AuthOptions options_;
  Clock clock_;
  IdentityCache* cache_ = nullptr;
};

}  // namespace floe::auth
