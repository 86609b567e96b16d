#include "runtime/job_retention.h"

#include <spdlog/spdlog.h>

#include "core/time.h"

namespace floe::runtime {

JobRetention::JobRetention(store::Store& store, int64_t retention_ms,
                           std::chrono::milliseconds interval, Clock clock, int batch)
    : store_(store),
      retention_ms_(retention_ms),
      interval_(interval),
      clock_(clock ? std::move(clock) : Clock(core::NowMillis)),
      batch_(batch) {}

JobRetention::~JobRetention() {
  Stop();
}

void JobRetention::Start() {
  if (retention_ms_ <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void JobRetention::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

core::Result<int> JobRetention::SweepOnce() {
  int64_t before = clock_() - retention_ms_;
  int total = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    auto n = store_.DeleteStoppedJobs(before, batch_);
    if (!n) return n.error();
    total += *n;
    if (*n < batch_) break;
  }
  return total;
}

void JobRetention::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto n = SweepOnce();
    if (!n) {
      spdlog::error("event=job_retention_error error=\"{}\"", n.error().message);
    } else if (*n > 0) {
      spdlog::info("event=stopped_jobs_expired count={} retention_ms={}", *n, retention_ms_);
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace floe::runtime
