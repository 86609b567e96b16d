// Token buckets per key (AccessKey, client address): `rate` requests a second on average, bursts up
// to `burst`.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace floe::auth {

class RateLimiter {
 public:
  // rate <= 0 disables limiting.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // Takes one token for the key; false when its bucket is empty.
  bool Allow(const std::string& access_key_id, int64_t now_ms);
  // Whether the key's bucket has a token now, without taking it.
  bool Check(const std::string& key, int64_t now_ms);

 private:
  struct Bucket {
    double tokens;
    int64_t updated_ms;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    int64_t purged_ms = 0;  // last sweep of full buckets
  };
  // Refills the key's bucket to now; creates it full. Caller holds the shard's lock.
  Bucket& Refill(Shard& shard, const std::string& key, int64_t now_ms);

  double rate_, burst_;
  std::array<Shard, 16> shards_;
};

}  // namespace floe::auth
