#include "ice/api_metrics.h"

#include <set>

#include "ice/catalog.h"

namespace floe::ice {

namespace {
// Seconds: a Get answers in well under a millisecond, a durable write in a few, a Delete waits
// for its job's process to stop.
const std::vector<double> kLatencyBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,    0.25,  0.5,    1,     2.5,  5,     10};
// Every code the API answers (beside InvalidParam.<Name> of a known parameter).
const std::set<std::string, std::less<>> kCodes = {
    "OK",
    "InternalError",
    "ServiceUnavailable",
    "MissingParameter",
    "InvalidParameter",
    "InvalidUri",
    "UnsupportedHTTPMethod",
    "InvalidVersion",
    "InvalidAction.NotFound",
    "Throttling",
    "Throttling.User",
    "IncompleteSignature",
    "SignatureDoesNotMatch",
    "SignatureNonceUsed",
    "InvalidTimeStamp.Expired",
    "InvalidTimeStamp.Format",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "Forbidden.RAM",
    "OperationDenied",
    "ResourceNotFound",
    "QuotaExceeded.Jobs",
    "QuotaExceeded.NodeJobs",
    "QuotaExceeded.Templates",
    "QuotaExceeded.StoredJobs",
    "PushBaseInUse",
    "InvalidConfig",
    "InvalidParam.TemplateIdInuse",
    "InvalidParam.TemplateReadOnly",
    "InvalidParam.JobStatus",
    "InvalidParam.QueryString",
    "InvalidParam.Body",
    "InvalidParam.Header",
};

constexpr std::string_view kInvalidParam = "InvalidParam.";

}  // namespace

std::string ActionLabel(const std::string& action) {
  return FindAction(action) ? action : "unknown";
}

std::string CodeLabel(const std::string& code) {
  if (kCodes.count(code)) return code;
  if (code.rfind(kInvalidParam, 0) == 0) {
    return IsKnownParameter(std::string_view(code).substr(kInvalidParam.size())) ? code
                                                                                 : "InvalidParam";
  }
  return "Other";
}

void ApiMetrics::Observe(const std::string& action, const std::string& code, double seconds) {
  std::string name = ActionLabel(action);
  core::Histogram* h = nullptr;
  {
    std::lock_guard lock(mu_);
    requests_[{name, CodeLabel(code)}] += 1;
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
