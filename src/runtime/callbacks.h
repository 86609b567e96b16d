// The callbacks of the bucket families: a record job's NotifyUrl and a snapshot job's
// CallbackUrl get a JSON POST for what happens to the job (README, "Callbacks"). A callback
// leaves the server process, to an address a tenant chose: the host is resolved and every one
// of its addresses checked against the node's network policy (core/net_policy.h, --allow-net)
// before a connection is made to that very address (no second resolution a name server could
// answer differently). http, or https with the peer's certificate verified against the
// system's CA store for the URL's host name.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/net_policy.h"
#include "core/result.h"

namespace floe::runtime {

struct CallbackUrl {
  bool tls = false;
  std::string host;  // a name, or an address (IPv6 without its brackets)
  uint16_t port = 80;
  std::string target = "/";  // path and query
};
// http:// or https://, a host, an optional port, a path; at most 1024 printable ASCII
// characters, no user information. InvalidParameter(field) otherwise.
core::Result<CallbackUrl> ParseCallbackUrl(const std::string& field, const std::string& url);

// The addresses url's host resolves to, each one allowed by the policy; InvalidParameter(field)
// naming the host when it does not resolve or when any of its addresses is not allowed (a name
// that points anywhere forbidden is refused whole).
core::Result<std::vector<core::IpAddress>> ResolveAllowed(const std::string& field,
                                                          const CallbackUrl& url,
                                                          const core::NetPolicy& policy);

// What a callback says: {"Event", "JobId", "JobName", "Family" (record | snapshot), "EventTime"
// (UTC with ms), "Data": what the event is about}.
std::string CallbackBody(const std::string& event, const std::string& job_id,
                         const std::string& job_name, const std::string& family, int64_t time_ms,
                         const nlohmann::json& data);

// One POST of a JSON body to the first of `addresses` that answers; the answer's status.
core::Result<int> PostJson(const CallbackUrl& url, const std::vector<core::IpAddress>& addresses,
                           const std::string& body, int64_t timeout_ms);

// Delivers callbacks in the background, one at a time, each tried up to `attempts` times with
// a doubling wait (a 2xx answer is delivered); a callback waiting for its retry never holds up
// the others. What could not be delivered is said to on_failed (the job's events).
class Notifier {
 public:
  struct Options {
    core::NetPolicy policy;
    int attempts = 4;
    int64_t first_retry_ms = 1000;
    int64_t timeout_ms = 5000;
    size_t max_pending = 1000;  // past it a callback is dropped (and said failed)
    std::function<void(const std::string& job_id, const std::string& why)> on_failed;
  };
  explicit Notifier(Options options);
  ~Notifier();  // stops at once: what is still pending is dropped
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void Post(const std::string& job_id, const std::string& url, std::string body);
  int64_t delivered() const;

 private:
  struct Pending {
    std::string job_id, url, body;
    int attempt = 0;
    int64_t due_ms = 0;
  };
  void Loop();
  void Failed(const Pending& p, const std::string& why);

  Options opt_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stop_ = false;
  int64_t delivered_ = 0;
  std::thread worker_;
};

}  // namespace floe::runtime
