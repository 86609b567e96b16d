#include "ice/api_metrics.h"

namespace floe::ice {

namespace {
// Seconds: a Get answers in well under a millisecond, a durable write in a few, a Delete waits
// for its job's process to stop.
const std::vector<double> kLatencyBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,    0.25,  0.5,    1,     2.5,  5,     10};
}  // namespace

void ApiMetrics::Observe(const std::string& action, const std::string& code, double seconds) {
  std::string name = action.empty() ? "unknown" : action;
  core::Histogram* h = nullptr;
  {
    std::lock_guard lock(mu_);
    requests_[{name, code}] += 1;
    auto& slot = latency_[name];
    if (!slot) slot = std::make_unique<core::Histogram>(kLatencyBounds);
    h = slot.get();
  }
  h->Observe(seconds);  // histograms are never removed, so h stays valid
}

void ApiMetrics::Write(core::PromText& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, n] : requests_) {
    out.Add("floe_api_requests_total", core::MetricType::kCounter,
            "API requests answered, by action and API code (OK for success)",
            {{"action", key.first}, {"code", key.second}}, n);
  }
  for (const auto& [action, h] : latency_) {
    h->Write(out, "floe_api_request_duration_seconds",
             "Time from a request's arrival to its answer, by action", {{"action", action}});
  }
}

}  // namespace floe::ice
