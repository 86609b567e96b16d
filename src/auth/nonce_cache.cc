#include "auth/nonce_cache.h"

#include <cstring>

#include "auth/crypto.h"

namespace floe::auth {

bool MemoryNonceCache::Use(const std::string& access_key_id, const std::string& nonce,
                           int64_t now_ms, int64_t expires_ms) {
  std::string digest = Sha256(access_key_id + '\n' + nonce);
  uint64_t key = 0;
  std::memcpy(&key, digest.data(), sizeof key);
  Shard& shard = shards_[key % shards_.size()];
  std::lock_guard lock(shard.mu);
  if (now_ms >= shard.next_sweep_ms) {
    for (auto it = shard.expiry.begin(); it != shard.expiry.end();) {
      it = it->second <= now_ms ? shard.expiry.erase(it) : std::next(it);
    }
    shard.next_sweep_ms = now_ms + 10'000;
  }
  auto [it, inserted] = shard.expiry.try_emplace(key, expires_ms);
  if (inserted) return true;
  if (it->second <= now_ms) {
    it->second = expires_ms;
    return true;
  }
  return false;
}

size_t MemoryNonceCache::Size() {
  size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.expiry.size();
  }
  return n;
}

}  // namespace floe::auth
