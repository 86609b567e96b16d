// The API's front door: the RPC wire format (Action/Version from query, form body or x-acs-*
// headers), authentication, authorisation, dispatch to an action, the error body, and one
// access-log line per request.
#pragma once

#include <functional>

#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/rate_limiter.h"
#include "http/message.h"
#include "ice/action.h"
#include "ice/api_metrics.h"

namespace floe::ice {

inline constexpr char kApiVersion[] = "2020-11-09";

class Gateway {
 public:
  // limiter: requests per AccessKey; auth_failure_rate/burst: failed authentications per client
  // address (past them, that address is refused before its signatures are checked).
  Gateway(auth::Authenticator& authn, auth::Authorizer& authz, auth::RateLimiter& limiter,
          ActionTable actions, double auth_failure_rate = 50, double auth_failure_burst = 200)
      : authn_(authn),
        authz_(authz),
        limiter_(limiter),
        actions_(std::move(actions)),
        auth_failures_(auth_failure_rate, auth_failure_burst) {}

  http::Response Handle(const http::Request& req);
  // Every answered request is counted there (set before serving).
  void SetMetrics(ApiMetrics* metrics) { metrics_ = metrics; }
  // What /healthz checks besides this process answering (the store): 503 when it fails.
  void SetHealthCheck(std::function<core::Result<void>()> check) { health_ = std::move(check); }

 private:
  core::Result<Json> Dispatch(const http::Request& req, const std::string& request_id,
                              std::string& action, std::string& access_key_id);

  auth::Authenticator& authn_;
  auth::Authorizer& authz_;
  auth::RateLimiter& limiter_;
  ActionTable actions_;
  auth::RateLimiter auth_failures_;
  ApiMetrics* metrics_ = nullptr;
  std::function<core::Result<void>()> health_;
};

}  // namespace floe::ice
