#include "auth/rate_limiter.h"

#include <algorithm>
#include <functional>

namespace floe::auth {

bool RateLimiter::Allow(const std::string& access_key_id, int64_t now_ms) {
  if (rate_ <= 0) return true;
  Shard& shard = shards_[std::hash<std::string>{}(access_key_id) % shards_.size()];
  std::lock_guard lock(shard.mu);
  auto [it, inserted] = shard.buckets.try_emplace(access_key_id, Bucket{burst_, now_ms});
  Bucket& b = it->second;
  b.tokens =
      std::min(burst_, b.tokens + rate_ * static_cast<double>(now_ms - b.updated_ms) / 1000.0);
  b.updated_ms = std::max(b.updated_ms, now_ms);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace floe::auth
