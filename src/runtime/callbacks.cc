#include "runtime/callbacks.h"

#include <netdb.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"

namespace floe::runtime {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using boost::asio::ip::tcp;
using core::Error;
using core::Result;

namespace {

Error Invalid(const std::string& field, const std::string& why) {
  return Error::InvalidParameter(field, why);
}

tcp::endpoint ToEndpoint(const core::IpAddress& a, uint16_t port) {
  if (!a.v6) {
    return {boost::asio::ip::make_address_v4(boost::asio::ip::address_v4::bytes_type{
                a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]}),
            port};
  }
  boost::asio::ip::address_v6::bytes_type b;
  std::copy(a.bytes.begin(), a.bytes.end(), b.begin());
  return {boost::asio::ip::make_address_v6(b), port};
}

template <class Stream>
Result<int> Exchange(Stream& stream, beast::tcp_stream& tcp, const CallbackUrl& url,
                     const std::string& body, std::chrono::steady_clock::time_point deadline) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, url.target, 11};
  bool default_port = url.port == (url.tls ? 443 : 80);
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  req.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(url.port));
  req.set(bhttp::field::user_agent, "floe-callbacks");
  req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  tcp.expires_at(deadline);
  bhttp::write(stream, req, ec);
  if (ec) return Error{"CallbackFailed", 502, "cannot send: " + ec.message(), ""};
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 10);  // what it says is not read past this
  tcp.expires_at(deadline);
  bhttp::read(stream, buffer, parser, ec);
  if (ec && ec != bhttp::error::body_limit) {
    return Error{"CallbackFailed", 502, "no answer: " + ec.message(), ""};
  }
  return static_cast<int>(parser.get().result_int());
}

}  // namespace

Result<CallbackUrl> ParseCallbackUrl(const std::string& field, const std::string& url) {
  const std::string rule =
      "an http:// or https:// URL with a host, of at most 1024 printable ASCII characters.";
  if (url.size() > 1024 ||
      !std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return Invalid(field, rule);
  }
  CallbackUrl u;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    u.port = 443;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return Invalid(field, rule);
  }
  size_t slash = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    u.target = rest.substr(slash);
    if (u.target[0] != '/') u.target = "/" + u.target;
    if (auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  }
  if (authority.find('@') != std::string::npos) {
    return Invalid(field, "a URL with user information is not taken.");
  }
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return Invalid(field, rule);
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Invalid(field, rule);
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    u.host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else {
    u.host = authority;
  }
  if (u.host.empty() || u.host.size() > 253) return Invalid(field, rule);
  if (!port.empty() || authority.back() == ':') {
    auto n = core::ParsePlainInt(port);
    if (!n || *n < 1 || *n > 65535) return Invalid(field, "the port is not 1-65535.");
    u.port = static_cast<uint16_t>(*n);
  }
  return u;
}

Result<std::vector<core::IpAddress>> ResolveAllowed(const std::string& field,
                                                    const CallbackUrl& url,
                                                    const core::NetPolicy& policy) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(url.host.c_str(), nullptr, &hints, &found) != 0 || !found) {
    return Invalid(field, "the host " + core::Excerpt(url.host) + " does not resolve.");
  }
  std::vector<core::IpAddress> out;
  std::string refused;
  for (addrinfo* a = found; a; a = a->ai_next) {
    auto ip = core::FromSockaddr(a->ai_addr, a->ai_addrlen);
    if (!ip) continue;
    if (!policy.Allows(*ip, url.port)) {
      refused = core::Excerpt(url.host);
      break;
    }
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const core::IpAddress& b) { return core::SameAddress(*ip, b); });
    if (!seen) out.push_back(*ip);
  }
  freeaddrinfo(found);
  if (!refused.empty()) {
    return Invalid(field, "the host " + refused +
                              " is an address this node may not reach (its network policy, "
                              "--allow-net).");
  }
  if (out.empty()) {
    return Invalid(field, "the host " + core::Excerpt(url.host) + " has no usable address.");
  }
  return out;
}

std::string CallbackBody(const std::string& event, const std::string& job_id,
                         const std::string& job_name, const std::string& family, int64_t time_ms,
                         const nlohmann::json& data) {
  std::string when = core::FormatUtc(time_ms / 1000);
  char ms[6];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>(time_ms % 1000));
  return core::DumpJson(nlohmann::ordered_json{{"Event", event},
                                               {"JobId", job_id},
                                               {"JobName", job_name},
                                               {"Family", family},
                                               {"EventTime", when.substr(0, 19) + ms + "Z"},
                                               {"Data", data}});
}

Result<int> PostJson(const CallbackUrl& url, const std::vector<core::IpAddress>& addresses,
                     const std::string& body, int64_t timeout_ms) {
  boost::asio::io_context ioc;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  beast::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  for (const auto& a : addresses) endpoints.push_back(ToEndpoint(a, url.port));
  if (!url.tls) {
    beast::tcp_stream stream(ioc);
    stream.expires_at(deadline);
    stream.connect(endpoints, ec);
    if (ec) return Error{"CallbackFailed", 502, "cannot connect: " + ec.message(), ""};
    auto status = Exchange(stream, stream, url, body, deadline);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return status;
  }
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_default_verify_paths(ec);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  // The certificate must be the URL's host's, whatever address it was reached at.
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    return Error{"CallbackFailed", 502, "cannot set the TLS server name", ""};
  }
  beast::get_lowest_layer(stream).expires_at(deadline);
  beast::get_lowest_layer(stream).connect(endpoints, ec);
  if (ec) return Error{"CallbackFailed", 502, "cannot connect: " + ec.message(), ""};
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) return Error{"CallbackFailed", 502, "TLS: " + ec.message(), ""};
  auto status = Exchange(stream, beast::get_lowest_layer(stream), url, body, deadline);
  stream.shutdown(ec);
  return status;
}

Notifier::Notifier(Options options) : opt_(std::move(options)) {
  worker_ = std::thread([this] { Loop(); });
}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Notifier::Post(const std::string& job_id, const std::string& url, std::string body) {
  Pending p{job_id, url, std::move(body), 0, core::SteadyMillis()};
  {
    std::lock_guard lock(mu_);
    if (queue_.size() < opt_.max_pending) {
      queue_.push_back(std::move(p));
      cv_.notify_all();
      return;
    }
  }
  Failed(p, "dropped: " + std::to_string(opt_.max_pending) + " callbacks are waiting already");
}

int64_t Notifier::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

void Notifier::Failed(const Pending& p, const std::string& why) {
  spdlog::warn("event=callback_failed job_id={} attempts={} reason=\"{}\"", p.job_id, p.attempt,
               why);
  if (opt_.on_failed) opt_.on_failed(p.job_id, why);
}

void Notifier::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // The one due first (retries wait for their time; new ones are due at once).
    auto next =
        std::min_element(queue_.begin(), queue_.end(),
                         [](const Pending& a, const Pending& b) { return a.due_ms < b.due_ms; });
    if (next == queue_.end()) {
      cv_.wait(lock);
      continue;
    }
    int64_t wait = next->due_ms - core::SteadyMillis();
    if (wait > 0) {
      cv_.wait_for(lock, std::chrono::milliseconds(wait));
      continue;
    }
    Pending p = std::move(*next);
    queue_.erase(next);
    lock.unlock();
    ++p.attempt;
    std::string why;
    auto url = ParseCallbackUrl("CallbackUrl", p.url);
    if (!url) {
      why = url.error().message;
    } else if (auto addresses = ResolveAllowed("CallbackUrl", *url, opt_.policy); !addresses) {
      why = addresses.error().message;
    } else if (auto status = PostJson(*url, *addresses, p.body, opt_.timeout_ms); !status) {
      why = status.error().message;
    } else if (*status < 200 || *status > 299) {
      why = "answered HTTP " + std::to_string(*status);
    }
    lock.lock();
    if (why.empty()) {
      ++delivered_;
      continue;
    }
    if (p.attempt < opt_.attempts && !stop_) {
      p.due_ms = core::SteadyMillis() + (opt_.first_retry_ms << (p.attempt - 1));
      queue_.push_back(std::move(p));
      continue;
    }
    lock.unlock();
    Failed(p, why + " (" + std::to_string(p.attempt) + " attempts)");
    lock.lock();
  }
}

}  // namespace floe::runtime
