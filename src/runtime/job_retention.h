// Retention of stopped jobs: a thread of `floe serve` that, at start and then every interval,
// deletes the jobs stopped longer than the retention ago, with their events
// (Store::DeleteStoppedJobs), so that submit and stop cannot grow the store for ever.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "core/result.h"
#include "store/store.h"

namespace floe::runtime {

class JobRetention {
 public:
  using Clock = std::function<int64_t()>;
  // retention_ms 0: stopped jobs are kept for ever (Start does nothing). batch: jobs deleted per
  // transaction (short transactions: the API's writes wait less behind them).
  JobRetention(store::Store& store, int64_t retention_ms, std::chrono::milliseconds interval,
               Clock clock = nullptr, int batch = kBatch);
  ~JobRetention();
  JobRetention(const JobRetention&) = delete;
  JobRetention& operator=(const JobRetention&) = delete;

  void Start();
  void Stop();
  // One sweep: deletes the jobs stopped before now - retention, a batch per transaction, at
  // most kMaxBatches batches (the rest wait for the next sweep). Returns how many went.
  core::Result<int> SweepOnce();

  static constexpr int kBatch = 500;
  static constexpr int kMaxBatches = 100;

 private:
  void Loop();

  store::Store& store_;
  int64_t retention_ms_;
  std::chrono::milliseconds interval_;
  Clock clock_;
  int batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace floe::runtime
