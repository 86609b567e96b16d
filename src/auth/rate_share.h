// Rate limits across the nodes of one store. Each node limits its own requests per AccessKey
// (RateLimiter); every interval, a RateShare hands the store what this node admitted and takes
// what the other nodes admitted out of this node's buckets, so that an AccessKey's rate holds
// for the whole cluster: a client spread over N nodes gets the rate once, not N times (give or
// take one interval's requests per node, and the burst).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "auth/rate_limiter.h"
#include "store/store.h"

namespace floe::auth {

class RateShare {
 public:
  RateShare(store::Store& store, RateLimiter& limiter, std::string holder,
            int64_t interval_ms = 250);
  RateShare(const RateShare&) = delete;
  RateShare& operator=(const RateShare&) = delete;
  ~RateShare();

  // Learns where the other nodes' totals stand now (what they admitted before this node started
  // is theirs alone), then shares every interval on a thread of its own, until destroyed.
  void Start();
  // One exchange (what the thread does; tests call it). False when the store failed: what this
  // node admitted is kept for the next one.
  bool ShareOnce(int64_t now_ms);

 private:
  store::Store& store_;
  RateLimiter& limiter_;
  std::string holder_;
  int64_t interval_ms_;
  std::map<std::string, int64_t> pending_;  // admitted here, not yet in the store
  // Each other holder's running total per key, as last seen, and when.
  struct Seen {
    int64_t total = 0;
    int64_t at_ms = 0;
  };
  std::map<std::pair<std::string, std::string>, Seen> seen_;
  bool primed_ = false;  // the first exchange only learns where the totals stand
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace floe::auth
