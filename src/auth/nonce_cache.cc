#include "auth/nonce_cache.h"

#include "auth/crypto.h"

namespace floe::auth {

core::Result<bool> StoreNonceCache::Use(const std::string& access_key_id, const std::string& nonce,
                                        int64_t now_ms, int64_t expires_ms) {
  std::string key = Hex(Sha256(access_key_id + '\n' + nonce)).substr(0, 32);
  return store_.UseNonce(key, now_ms, expires_ms);
}

}  // namespace floe::auth
