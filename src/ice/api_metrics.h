// What the API answered: requests by action and code, and their latency by action. The gateway
// observes every request; /metrics writes them out.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "core/prometheus.h"

namespace floe::ice {

class ApiMetrics {
 public:
  // action: an action the server has ("" for none or an unknown one: labels stay bounded).
  void Observe(const std::string& action, const std::string& code, double seconds);
  void Write(core::PromText& out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, double> requests_;
  std::map<std::string, std::unique_ptr<core::Histogram>> latency_;
};

}  // namespace floe::ice
