// Remembers each (AccessKeyId, SignatureNonce) until its timestamp leaves the accepted window,
// so that a captured request cannot be replayed.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace floe::auth {

class NonceCache {
 public:
  virtual ~NonceCache() = default;
  // Records the nonce until expires_ms; false if it was already recorded and not yet expired.
  virtual bool Use(const std::string& access_key_id, const std::string& nonce, int64_t now_ms,
                   int64_t expires_ms) = 0;
};

// In-process cache, sharded to keep lock contention low. Keys are 64 bits of
// SHA-256(AccessKeyId, nonce), so memory stays small at thousands of requests a second.
class MemoryNonceCache final : public NonceCache {
 public:
  bool Use(const std::string& access_key_id, const std::string& nonce, int64_t now_ms,
           int64_t expires_ms) override;
  size_t Size();

 private:
  struct Shard {
    std::mutex mu;
    std::unordered_map<uint64_t, int64_t> expiry;
    int64_t next_sweep_ms = 0;
  };
  std::array<Shard, 16> shards_;
};

}  // namespace floe::auth
