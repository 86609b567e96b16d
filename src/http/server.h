// The HTTP/1.1 server (Boost.Beast/Asio): accepts connections, enforces size limits and timeouts,
// hands each request to a Handler on a worker pool, and stops cleanly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/client_address.h"
#include "http/message.h"

namespace floe::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;            // 0 picks a free port
  int io_threads = 2;              // threads running the network event loop
  int worker_threads = 64;         // threads running handlers (which may block on the store)
  size_t body_limit = 1 << 20;     // bytes; larger bodies get 413
  size_t header_limit = 16 << 10;  // bytes; larger headers get 431
  std::chrono::milliseconds read_timeout{10'000};  // a started request must arrive within this
  std::chrono::milliseconds idle_timeout{60'000};  // a keep-alive connection may idle this long
  std::chrono::milliseconds drain_timeout{5'000};  // on Stop, in-flight requests get this long
  // A new connection must send its first bytes within this (slow or silent clients hold fds).
  std::chrono::milliseconds first_request_timeout{5'000};
  size_t max_connections = 4096;            // open at once; more are closed on accept
  size_t max_connections_per_client = 256;  // open at once from one client (ClientKey: IPv6 /64)
  // Peers whose X-Forwarded-For names the client (Request::client). They are exempt from the
  // per-client cap: every client behind them shares their connections.
  TrustedProxies trusted_proxies;
};

using Handler = std::function<Response(const Request&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port. Throws std::system_error if it cannot bind.
  uint16_t Listen();
  // Serves until Stop() (or SIGTERM/SIGINT when handle_signals) and the drain complete.
  void Run(bool handle_signals);
  // Stops accepting, lets in-flight requests finish (up to drain_timeout), then returns from Run.
  void Stop();

  class Impl;  // defined in server.cc

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::http
