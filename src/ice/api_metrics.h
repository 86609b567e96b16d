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

// The labels come from fixed sets, so that no request can add a series: an action of the
// catalog or "unknown"; a code the API answers, InvalidParam.<Name> for a parameter it knows,
// "InvalidParam" for another parameter's error, "Other" for anything else.
std::string ActionLabel(const std::string& action);
std::string CodeLabel(const std::string& code);

class ApiMetrics {
 public:
  // action and code as answered; they are written as ActionLabel and CodeLabel.
  void Observe(const std::string& action, const std::string& code, double seconds);
  void Write(core::PromText& out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, double> requests_;
  std::map<std::string, std::unique_ptr<core::Histogram>> latency_;
};

}  // namespace floe::ice
