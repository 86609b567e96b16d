// Transport-neutral HTTP request/response values, so that layers above http/ never see Beast.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace floe::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/?Action=...&..."
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, wire order
  std::string body;
  std::string remote;  // peer address:port, for logs
  // The client's address: the peer's, or the one X-Forwarded-For names when the peer is a
  // trusted proxy (ServerOptions::trusted_proxies). "" when not served by http::Server.
  std::string client{};

  std::string Path() const;      // target up to '?'
  std::string RawQuery() const;  // target after '?', without it
  // First header with this (lower-case) name, or "" if absent.
  const std::string& Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json;charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// A text/plain answer: `text` and a newline (file serving, the metrics port, preview links).
Response PlainText(int status, const std::string& text);

// Parses "a=1&b=2" into ordered pairs. Returns false on a malformed escape.
bool ParseQuery(const std::string& q, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace floe::http
