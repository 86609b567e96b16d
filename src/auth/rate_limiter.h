// Token buckets per key (AccessKey, client address): `rate` requests a second on average, bursts up
// to `burst`.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace floe::auth {

class RateLimiter {
 public:
  // rate <= 0 disables limiting.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // Takes one token for the key; false when its bucket is empty.
  bool Allow(const std::string& access_key_id, int64_t now_ms);
  // Whether the key's bucket has a token now, without taking it.
  bool Check(const std::string& key, int64_t now_ms);

  // Sharing with other nodes (auth/rate_share.h), off until turned on (unshared counts keep a
  // bucket from being swept). The tokens taken per key since the last call, forgotten here.
  void ShareCounts() { sharing_ = true; }
  std::vector<std::pair<std::string, int64_t>> TakeUnshared();
  // Takes `tokens` that other nodes used for the key from its bucket: it may go below zero,
  // down to -burst (refilling from there at the rate), so that the cluster's use is paid back.
  void Drain(const std::string& key, double tokens, int64_t now_ms);

 private:
  struct Bucket {
    double tokens;
    int64_t updated_ms;
    int64_t unshared = 0;  // tokens taken here that TakeUnshared has not handed out yet
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    int64_t purged_ms = 0;  // last sweep of full buckets
  };
  // Refills the key's bucket to now; creates it full. Caller holds the shard's lock.
  Bucket& Refill(Shard& shard, const std::string& key, int64_t now_ms);

  double rate_, burst_;
  std::atomic<bool> sharing_{false};
  std::array<Shard, 16> shards_;
};

}  // namespace floe::auth
