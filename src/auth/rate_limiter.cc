#include "auth/rate_limiter.h"

#include <algorithm>
#include <functional>

namespace floe::auth {

RateLimiter::Bucket& RateLimiter::Refill(Shard& shard, const std::string& key, int64_t now_ms) {
  // Full buckets carry no state: drop them when a shard grows large (many keys or addresses),
  // at most once a second, so that a large shard is not swept on every call.
  if (shard.buckets.size() > 4096 && now_ms - shard.purged_ms >= 1000) {
    shard.purged_ms = now_ms;
    std::erase_if(shard.buckets, [&](const auto& kv) {
      return kv.second.unshared == 0 &&
             kv.second.tokens +
                     rate_ * static_cast<double>(now_ms - kv.second.updated_ms) / 1000.0 >=
                 burst_;
    });
  }
  auto [it, inserted] = shard.buckets.try_emplace(key, Bucket{burst_, now_ms, 0});
  Bucket& b = it->second;
  b.tokens =
      std::min(burst_, b.tokens + rate_ * static_cast<double>(now_ms - b.updated_ms) / 1000.0);
  b.updated_ms = std::max(b.updated_ms, now_ms);
  return b;
}

bool RateLimiter::Allow(const std::string& access_key_id, int64_t now_ms) {
  if (rate_ <= 0) return true;
  Shard& shard = shards_[std::hash<std::string>{}(access_key_id) % shards_.size()];
  std::lock_guard lock(shard.mu);
  Bucket& b = Refill(shard, access_key_id, now_ms);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  if (sharing_.load(std::memory_order_relaxed)) ++b.unshared;
  return true;
}

std::vector<std::pair<std::string, int64_t>> RateLimiter::TakeUnshared() {
  std::vector<std::pair<std::string, int64_t>> taken;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (auto& [key, b] : shard.buckets) {
      if (b.unshared == 0) continue;
      taken.emplace_back(key, b.unshared);
      b.unshared = 0;
    }
  }
  return taken;
}

void RateLimiter::Drain(const std::string& key, double tokens, int64_t now_ms) {
  if (rate_ <= 0 || tokens <= 0) return;
  Shard& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard lock(shard.mu);
  Bucket& b = Refill(shard, key, now_ms);
  b.tokens = std::max(-burst_, b.tokens - tokens);
}

bool RateLimiter::Check(const std::string& key, int64_t now_ms) {
  if (rate_ <= 0) return true;
  Shard& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard lock(shard.mu);
  return Refill(shard, key, now_ms).tokens >= 1.0;
}

}  // namespace floe::auth
