// Remembers each (AccessKeyId, SignatureNonce) until its timestamp leaves the accepted window,
// so that a captured request cannot be replayed, also across a restart.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace floe::auth {

class NonceCache {
 public:
  virtual ~NonceCache() = default;
  // Records the nonce up to and including expires_ms (the last moment a request signed with it
  // can be accepted); false if it is already recorded and not yet expired.
  virtual core::Result<bool> Use(const std::string& access_key_id, const std::string& nonce,
                                 int64_t now_ms, int64_t expires_ms) = 0;
};

// Durable: the nonce is committed to the store before the request goes on. Keys are
// hex(SHA-256(AccessKeyId, nonce)) truncated to 128 bits, so rows stay small whatever was sent.
class StoreNonceCache final : public NonceCache {
 public:
  explicit StoreNonceCache(store::Store& store) : store_(store) {}
  core::Result<bool> Use(const std::string& access_key_id, const std::string& nonce, int64_t now_ms,
                         int64_t expires_ms) override;

 private:
  store::Store& store_;
};

}  // namespace floe::auth
