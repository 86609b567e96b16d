#include "http/server.h"

#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace floe::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

Response PlainError(int status, const std::string& code, const std::string& message) {
  Response r;
  r.status = status;
  r.body = R"({"Code":")" + code + R"(","Message":")" + message + R"("})";
  return r;
}

}  // namespace

class Session;

class Server::Impl {
 public:
  Impl(ServerOptions o, Handler h)
      : opts(std::move(o)),
        handler(std::move(h)),
        ioc(opts.io_threads),
        acceptor(net::make_strand(ioc)),
        workers(static_cast<size_t>(opts.worker_threads)),
        signals(ioc),
        accept_timer(acceptor.get_executor()) {
    // Keep room below the process's fd limit for the store, job pipes and the listener.
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
        lim.rlim_cur > 128 && opts.max_connections > lim.rlim_cur - 128) {
      opts.max_connections = lim.rlim_cur - 128;
    }
  }

  void Accept();
  void OnAcceptError(const beast::error_code& ec);
  // Counts the connection in; false (nothing counted) when a cap is reached. key: what the
  // per-client cap counts by (ClientKey), "" for a trusted proxy (only the total cap).
  bool Admit(const std::string& key);
  void Track(const std::shared_ptr<Session>& s);
  void Untrack(Session* s);
  bool BeginStop();

  ServerOptions opts;
  Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::thread_pool workers;
  net::signal_set signals;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::set<std::shared_ptr<Session>> sessions;
  std::map<std::string, size_t> per_client;  // open connections by ClientKey (under mu)
  net::steady_timer accept_timer;            // backoff after an accept error
  std::chrono::milliseconds accept_backoff{0};
  std::chrono::steady_clock::time_point last_accept_log{};
  uint64_t accept_errors_unlogged = 0;
  uint64_t refused_unlogged = 0;
  std::chrono::steady_clock::time_point last_refused_log{};
  std::mutex drainer_mu;
  std::thread drainer;  // started by Stop, joined by Run (both under drainer_mu)
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server, std::string key, std::string peer,
          std::string remote)
      : stream_(std::move(socket)),
        server_(server),
        key_(std::move(key)),
        peer_(std::move(peer)),
        remote_(std::move(remote)) {}

  void Start() { WaitForRequest(); }
  const std::string& key() const { return key_; }

  // Called on Stop: closes the connection now unless a request is being handled.
  void CloseIfIdle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  // Idle phase: wait (idle_timeout) for the first bytes of the next request.
  void WaitForRequest() {
    if (buffer_.size() > 0) return ReadRequest();
    stream_.expires_after(served_ == 0 ? server_.opts.first_request_timeout
                                       : server_.opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadRequest();
                            });
  }

  // Read phase: the whole request must arrive within read_timeout.
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(server_.opts.body_limit);
    parser_->header_limit(static_cast<uint32_t>(server_.opts.header_limit));
    stream_.expires_after(server_.opts.read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return Reply(PlainError(413, "RequestEntityTooLarge", "The request body is too large."),
                   false);
    }
    if (ec == bhttp::error::header_limit) {
      return Reply(
          PlainError(431, "RequestHeaderFieldsTooLarge", "The request headers are too large."),
          false);
    }
    // A timeout has already closed the socket (tcp_stream does that): nothing to answer.
    if (ec) return Close();
    auto req = parser_->release();
    bool keep_alive = req.keep_alive();
    Request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.headers.reserve(16);
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    r.body = std::move(req.body());
    r.remote = remote_;
    r.client = peer_;
    if (key_.empty()) {  // a trusted proxy: its X-Forwarded-For names the client
      std::vector<std::string> forwarded;
      for (const auto& [k, v] : r.headers) {
        if (k == "x-forwarded-for") forwarded.push_back(v);
      }
      r.client = server_.opts.trusted_proxies.ClientOf(peer_, forwarded);
    }
    ++served_;
    busy_ = true;
    stream_.expires_never();
    net::post(server_.workers, [self = shared_from_this(), r = std::move(r), keep_alive]() {
      Response resp;
      try {
        resp = self->server_.handler(r);
      } catch (const std::exception& e) {
        spdlog::error("event=handler_exception what=\"{}\"", e.what());
        resp = PlainError(500, "InternalError", "The request processing has failed.");
      }
      net::post(self->stream_.get_executor(), [self, resp = std::move(resp), keep_alive]() mutable {
        self->Reply(std::move(resp), keep_alive);
      });
    });
  }

  void Reply(Response resp, bool keep_alive) {
    busy_ = true;
    keep_alive = keep_alive && !server_.stopping;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(resp.status), 11);
    res->set(bhttp::field::server, "floe");
    res->set(bhttp::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) res->set(k, v);
    res->body() = std::move(resp.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(server_.opts.read_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                         self->busy_ = false;
                         if (ec) return self->Close();
                         if (!keep_alive) return self->LingerClose();
                         // Stop may have come while this reply was being written (it skips
                         // busy sessions): an idle connection of a stopping server closes now.
                         if (self->server_.stopping) return self->Close();
                         self->WaitForRequest();
                       });
  }

  // Half-closes and drains what the client still sends (e.g. the rest of a refused body) for a
  // moment, so that it reads our answer instead of a connection reset.
  void LingerClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    Drain();
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
    server_.Untrack(this);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
  std::string key_;     // what the per-client cap counts ("": a trusted proxy, not counted)
  std::string peer_;    // the peer's address
  std::string remote_;  // address:port, for logs
  uint64_t served_ = 0;
  bool busy_ = false;
  bool closed_ = false;
};

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (ec) return OnAcceptError(ec);
    accept_backoff = std::chrono::milliseconds(0);
    beast::error_code ep_ec;
    auto ep = socket.remote_endpoint(ep_ec);
    std::string peer = ep_ec ? "" : ep.address().to_string();
    peer = CanonicalAddress(peer).value_or(peer);
    bool proxy = !ep_ec && opts.trusted_proxies.Trusts(peer);
    std::string key = proxy ? "" : ClientKey(peer.empty() ? "unknown" : peer);
    if (!Admit(key)) {
      // Over a cap: close at once, and say so at most once every 5 s.
      socket.close(ep_ec);
      ++refused_unlogged;
      auto now = std::chrono::steady_clock::now();
      if (now - last_refused_log > std::chrono::seconds(5)) {
        spdlog::warn("event=connection_refused why=\"connection cap reached\" count={}",
                     refused_unlogged);
        refused_unlogged = 0;
        last_refused_log = now;
      }
    } else {
      std::string remote = peer + ":" + std::to_string(ep_ec ? 0 : ep.port());
      auto s = std::make_shared<Session>(std::move(socket), *this, key, peer, remote);
      Track(s);
      s->Start();
    }
    Accept();
  });
}

// Out of fds (EMFILE/ENFILE) or another accept failure: retrying at once would spin, so wait
// (10 ms doubling to 1 s) and log at most one line every 5 s with the count.
void Server::Impl::OnAcceptError(const beast::error_code& ec) {
  ++accept_errors_unlogged;
  auto now = std::chrono::steady_clock::now();
  if (now - last_accept_log > std::chrono::seconds(5)) {
    spdlog::warn("event=accept_error error=\"{}\" count={} backoff_ms={}", ec.message(),
                 accept_errors_unlogged, accept_backoff.count());
    accept_errors_unlogged = 0;
    last_accept_log = now;
  }
  accept_backoff = std::clamp(accept_backoff * 2, std::chrono::milliseconds(10),
                              std::chrono::milliseconds(1000));
  accept_timer.expires_after(accept_backoff);
  accept_timer.async_wait([this](beast::error_code timer_ec) {
    if (timer_ec || stopping) return;
    Accept();
  });
}

bool Server::Impl::Admit(const std::string& key) {
  std::lock_guard lock(mu);
  if (sessions.size() >= opts.max_connections) return false;
  if (key.empty()) return true;
  size_t& n = per_client[key];
  if (n >= opts.max_connections_per_client) {
    if (n == 0) per_client.erase(key);
    return false;
  }
  ++n;
  return true;
}

void Server::Impl::Track(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mu);
  sessions.insert(s);
}

void Server::Impl::Untrack(Session* s) {
  std::lock_guard lock(mu);
  for (auto it = sessions.begin(); it != sessions.end(); ++it) {
    if (it->get() == s) {
      sessions.erase(it);
      auto c = per_client.find(s->key());
      if (c != per_client.end() && --c->second == 0) per_client.erase(c);
      break;
    }
  }
}

bool Server::Impl::BeginStop() {
  if (stopping.exchange(true)) return false;
  net::post(acceptor.get_executor(), [this] {
    beast::error_code ec;
    acceptor.close(ec);
    accept_timer.cancel();
  });
  signals.cancel();
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mu);
    open.assign(sessions.begin(), sessions.end());
  }
  for (auto& s : open) s->CloseIfIdle();
  return true;
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  {
    std::lock_guard lock(impl_->drainer_mu);
    if (impl_->drainer.joinable()) impl_->drainer.join();
  }
  impl_->workers.join();
}

uint16_t Server::Listen() {
  auto& a = impl_->acceptor;
  tcp::endpoint ep(net::ip::make_address(impl_->opts.address), impl_->opts.port);
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(net::socket_base::max_listen_connections);
  return a.local_endpoint().port();
}

void Server::Run(bool handle_signals) {
  auto& im = *impl_;
  if (handle_signals) {
    im.signals.add(SIGTERM);
    im.signals.add(SIGINT);
    im.signals.async_wait([this](beast::error_code ec, int sig) {
      if (ec) return;
      spdlog::info("event=signal signal={} action=stop", sig);
      Stop();
    });
  }
  im.Accept();
  // Only Stop's drainer ends the loop, never running out of work.
  auto guard = net::make_work_guard(im.ioc);
  std::vector<std::thread> threads;
  for (int i = 1; i < im.opts.io_threads; ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  std::lock_guard lock(im.drainer_mu);
  if (im.drainer.joinable()) im.drainer.join();
}

void Server::Stop() {
  auto& im = *impl_;
  std::lock_guard drainer_lock(im.drainer_mu);
  if (im.stopping) return;
  // The drainer exists before anything stops, so Run always finds it to join. Whatever has
  // not drained by the deadline is cut off.
  im.drainer = std::thread([&im] {
    auto deadline = std::chrono::steady_clock::now() + im.opts.drain_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(im.mu);
        if (im.sessions.empty()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    im.ioc.stop();
  });
  im.BeginStop();
}

}  // namespace floe::http
