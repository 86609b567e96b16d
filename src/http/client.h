// A blocking HTTP/1.1 client for one request at a time (Boost.Beast), for `floe ice`: plain
// http:// endpoints only (Floe serves plain HTTP; put TLS in front of it, and in front of this).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace floe::http {

struct Endpoint {
  std::string host;
  std::string port = "80";
  std::string HostHeader() const { return port == "80" ? host : host + ":" + port; }
};
// "http://HOST[:PORT][/]" or "HOST[:PORT]"; an https:// or malformed one is an error.
core::Result<Endpoint> ParseEndpoint(const std::string& url);

struct ClientRequest {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // host is added from the endpoint
  std::string body;
};

struct ClientResponse {
  int status = 0;
  std::string body;
};

// Connects, sends, reads the whole answer; everything within `timeout`.
core::Result<ClientResponse> Fetch(const Endpoint& endpoint, const ClientRequest& request,
                                   std::chrono::milliseconds timeout);

}  // namespace floe::http
