#include "auth/rate_share.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "core/time.h"

namespace floe::auth {

namespace {
constexpr int64_t kForgetMs = 120'000;  // twice as long as the store keeps an idle count
}  // namespace

RateShare::RateShare(store::Store& store, RateLimiter& limiter, std::string holder,
                     int64_t interval_ms)
    : store_(store), limiter_(limiter), holder_(std::move(holder)), interval_ms_(interval_ms) {
  limiter_.ShareCounts();
}

RateShare::~RateShare() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RateShare::Start() {
  ShareOnce(core::NowMillis());  // where the totals stand as this node starts
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [&] { return stop_; })) {
      lock.unlock();
      ShareOnce(core::NowMillis());
      lock.lock();
    }
  });
}

bool RateShare::ShareOnce(int64_t now_ms) {
  for (const auto& [key, n] : limiter_.TakeUnshared()) pending_[key] += n;
  std::vector<store::RateCount> mine;
  for (const auto& [key, n] : pending_) mine.push_back({holder_, key, n});
  // Others' totals that changed within a few intervals: older ones were counted already.
  auto others = store_.ShareRateCounts(holder_, mine, 20 * interval_ms_ + 5'000);
  if (!others) {
    spdlog::warn("event=rate_share_failed error=\"{}\"", others.error().message);
    return false;
  }
  pending_.clear();
  for (const auto& o : *others) {
    Seen& seen = seen_[{o.holder, o.access_key_id}];
    // A total below what was seen: the store forgot the row (idle a minute) and began again.
    int64_t used = o.count >= seen.total ? o.count - seen.total : o.count;
    seen = {o.count, now_ms};
    if (primed_ && used > 0) limiter_.Drain(o.access_key_id, static_cast<double>(used), now_ms);
  }
  std::erase_if(seen_, [&](const auto& kv) { return kv.second.at_ms < now_ms - kForgetMs; });
  primed_ = true;
  return true;
}

}  // namespace floe::auth
