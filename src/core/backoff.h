// Exponential backoff between retries: min, 2×min, 4×min … capped at max; Reset after a success.
// One helper for every retry loop (input reconnect, output reconnect, job restart, run-job).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace floe::core {

class Backoff {
 public:
  Backoff(int min_ms, int max_ms) : min_ms_(min_ms), max_ms_(std::max(min_ms, max_ms)) {}

  // The wait before the next attempt; each call doubles the one after.
  int Next() {
    int wait = next_ms_ == 0 ? min_ms_ : next_ms_;
    next_ms_ = std::min(wait * 2, max_ms_);
    return wait;
  }
  void Reset() { next_ms_ = 0; }

 private:
  int min_ms_, max_ms_;
  int next_ms_ = 0;
};

// Waits `ms` between two attempts, or less when `stop` is requested: false when stopped.
inline bool SleepUnlessStopped(std::stop_token stop, int ms) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, std::chrono::milliseconds(ms), [] { return false; });
  return !stop.stop_requested();
}

}  // namespace floe::core
