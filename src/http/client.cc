#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace floe::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::asio::ip::tcp;
using core::Error;
using core::Result;

Result<Endpoint> ParseEndpoint(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return Error{"SDK.InvalidEndpoint", 0, "The endpoint \"" + url + "\" " + why,
                 "Give http://HOST:PORT, e.g. http://127.0.0.1:8080."};
  };
  std::string rest = url;
  if (rest.rfind("https://", 0) == 0) return bad("is https; floe ice speaks plain http.");
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  if (rest.find("://") != std::string::npos) return bad("has an unknown scheme.");
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) return bad("is not HOST:PORT.");
  Endpoint e;
  auto colon = rest.rfind(':');
  if (rest.front() == '[') {  // [::1]:8080
    auto close = rest.find(']');
    if (close == std::string::npos) return bad("has an unclosed [.");
    e.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return bad("is not [HOST]:PORT.");
      e.port = rest.substr(close + 2);
    }
  } else if (colon != std::string::npos) {
    e.host = rest.substr(0, colon);
    e.port = rest.substr(colon + 1);
  } else {
    e.host = rest;
  }
  if (e.host.empty()) return bad("has no host.");
  if (e.port.empty() || e.port.size() > 5 ||
      e.port.find_first_not_of("0123456789") != std::string::npos || std::stoi(e.port) < 1 ||
      std::stoi(e.port) > 65535) {
    return bad("has no valid port.");
  }
  return e;
}

Result<ClientResponse> Fetch(const Endpoint& endpoint, const ClientRequest& request,
                             std::chrono::milliseconds timeout) {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  auto where = endpoint.HostHeader();
  auto fail = [&](const std::string& what) {
    return Error{"SDK.ServerUnreachable", 0, what + " " + where + ": " + ec.message(),
                 "Check the endpoint and that floe serve runs there."};
  };
  tcp::resolver resolver(ioc);
  auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) return fail("Cannot resolve");
  // Each step gets what is left of the one deadline.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  stream.expires_at(deadline);
  stream.connect(addresses, ec);
  if (ec) return fail("Cannot connect to");

  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(bhttp::field::host, where);
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = request.body;
  req.prepare_payload();
  stream.expires_at(deadline);
  bhttp::write(stream, req, ec);
  if (ec) return fail("Cannot send to");

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  stream.expires_at(deadline);
  bhttp::read(stream, buffer, parser, ec);
  if (ec) return fail("No answer from");
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return ClientResponse{static_cast<int>(parser.get().result_int()), parser.get().body()};
}

}  // namespace floe::http
