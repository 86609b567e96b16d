// The HTTP server over real sockets: limits, timeouts, keep-alive and a clean stop.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>

namespace floe::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions opts = {}) {
    opts.port = 0;
    opts.worker_threads = 4;
    server_ = std::make_unique<Server>(opts, [](const Request& r) {
      Response resp;
      resp.body = r.method + " " + r.target + " " + std::to_string(r.body.size());
      return resp;
    });
    port_ = server_->Listen();
    thread_ = std::thread([this] { server_->Run(false); });
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      thread_.join();
    }
  }

  // Every read has a deadline, so that a regression fails in seconds, not at ctest's timeout.
  tcp::socket Connect() {
    tcp::socket s(ioc_);
    s.connect({net::ip::make_address("127.0.0.1"), port_});
    timeval tv{10, 0};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  }

  // Reads until the server closes the connection; the error says how it ended.
  static boost::system::error_code ReadUntilClosed(tcp::socket& s, std::string* got = nullptr) {
    char buf[4096];
    boost::system::error_code ec;
    for (;;) {
      size_t n = s.read_some(net::buffer(buf), ec);
      if (ec) return ec;
      if (got) got->append(buf, n);
    }
  }

  bhttp::response<bhttp::string_body> Send(tcp::socket& s, bhttp::request<bhttp::string_body> req) {
    req.set(bhttp::field::host, "127.0.0.1");
    req.prepare_payload();
    bhttp::write(s, req);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res);
    return res;
  }

  net::io_context ioc_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, ServesSeveralRequestsOnOneConnection) {
  Start();
  auto s = Connect();
  for (int i = 0; i < 3; ++i) {
    auto res = Send(s, {bhttp::verb::post, "/?a=" + std::to_string(i), 11, "body"});
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "POST /?a=" + std::to_string(i) + " 4");
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST_F(ServerTest, RefusesOversizedBodyAndHeaders) {
  ServerOptions o;
  o.body_limit = 1024;
  o.header_limit = 2048;
  Start(o);
  auto s = Connect();
  auto res = Send(s, {bhttp::verb::post, "/", 11, std::string(1025, 'x')});
  EXPECT_EQ(res.result_int(), 413);
  auto s2 = Connect();
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/", 11};
  req.set("x-big", std::string(4096, 'y'));
  EXPECT_EQ(Send(s2, req).result_int(), 431);
  auto s3 = Connect();
  EXPECT_EQ(Send(s3, {bhttp::verb::post, "/", 11, std::string(1024, 'x')}).result_int(), 200);
}

TEST_F(ServerTest, SlowRequestTimesOut) {
  ServerOptions o;
  o.read_timeout = std::chrono::milliseconds(300);
  Start(o);
  auto s = Connect();
  std::string partial = "GET / HTTP/1.1\r\nHost: x\r\n";  // headers never finish
  net::write(s, net::buffer(partial));
  auto start = std::chrono::steady_clock::now();
  char c;
  boost::system::error_code ec;
  s.read_some(net::buffer(&c, 1), ec);  // the server closes the connection
  EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout = std::chrono::milliseconds(300);
  Start(o);
  auto s = Connect();
  EXPECT_EQ(Send(s, {bhttp::verb::get, "/", 11}).result_int(), 200);
  EXPECT_EQ(ReadUntilClosed(s), net::error::eof);  // the idle keep-alive connection is closed
}

TEST_F(ServerTest, ConnectionThatSendsNothingIsClosedAfterTheFirstRequestTimeout) {
  ServerOptions o;
  o.first_request_timeout = std::chrono::milliseconds(300);
  o.idle_timeout = std::chrono::seconds(60);
  Start(o);
  auto s = Connect();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ReadUntilClosed(s), net::error::eof);
  // Closed by the short first-request timeout, not the 60 s keep-alive one (nor the read's 10 s).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
}

TEST_F(ServerTest, ConnectionsAreCappedPerClientAndInTotal) {
  ServerOptions o;
  o.max_connections_per_client = 2;
  Start(o);
  auto a = Connect();
  auto b = Connect();
  EXPECT_EQ(Send(a, {bhttp::verb::get, "/", 11}).result_int(), 200);
  EXPECT_EQ(Send(b, {bhttp::verb::get, "/", 11}).result_int(), 200);
  auto c = Connect();  // the third from 127.0.0.1 is closed without an answer
  std::string got;
  auto ec = ReadUntilClosed(c, &got);
  EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
  EXPECT_EQ(got, "");
  a.close();
  // Once one closes there is room again (the server notices the close asynchronously).
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    auto d = Connect();
    boost::system::error_code wec;
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(d, req, wec);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(d, buf, res, wec);
    served = !wec && res.result_int() == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(served);
}

// Behind a trusted proxy the request's client is the one X-Forwarded-For names, and the proxy's
// connections (every client's behind it) are not capped as one client's; from any other peer
// the header is not believed.
TEST(ServerTrustedProxy, TheClientComesFromXForwardedForOnlyWhenThePeerIsTrusted) {
  auto serve = [](ServerOptions opts, auto&& body) {
    opts.port = 0;
    opts.max_connections_per_client = 1;
    Server server(std::move(opts), [](const Request& r) {
      Response resp;
      resp.body = r.client;
      return resp;
    });
    uint16_t port = server.Listen();
    std::thread t([&] { server.Run(false); });
    body(port);
    server.Stop();
    t.join();
  };
  auto ask = [](uint16_t port, tcp::socket& s, const std::string& xff) {
    s.connect({net::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set("X-Forwarded-For", xff);
    req.prepare_payload();
    boost::system::error_code ec;
    bhttp::write(s, req, ec);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res, ec);
    return ec ? std::string("closed") : res.body();
  };
  net::io_context ioc;
  ServerOptions trusting;
  trusting.trusted_proxies = *TrustedProxies::Parse({"127.0.0.0/8"});
  serve(trusting, [&](uint16_t port) {
    tcp::socket a(ioc), b(ioc);
    EXPECT_EQ(ask(port, a, "198.51.100.1, 203.0.113.9"), "203.0.113.9");
    EXPECT_EQ(ask(port, b, "2001:db8::7"), "2001:db8::7");  // a second connection: no cap
  });
  serve(ServerOptions{}, [&](uint16_t port) {
    tcp::socket a(ioc), b(ioc);
    EXPECT_EQ(ask(port, a, "203.0.113.9"), "127.0.0.1");
    EXPECT_EQ(ask(port, b, "203.0.113.9"), "closed");  // capped at one per client
  });
}

TEST_F(ServerTest, TotalConnectionCapAppliesAcrossClients) {
  ServerOptions o;
  o.max_connections = 1;
  Start(o);
  auto a = Connect();
  EXPECT_EQ(Send(a, {bhttp::verb::get, "/", 11}).result_int(), 200);
  auto b = Connect();
  std::string got;
  ReadUntilClosed(b, &got);
  EXPECT_EQ(got, "");
}

// Counts the log lines that contain a marker.
class CountingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit CountingSink(std::string marker) : marker_(std::move(marker)) {}
  size_t count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (std::string_view(msg.payload.data(), msg.payload.size()).find(marker_) !=
        std::string_view::npos) {
      ++count_;
    }
  }
  void flush_() override {}

 private:
  std::string marker_;
  size_t count_ = 0;
};

TEST_F(ServerTest, OutOfFileDescriptorsBacksOffInsteadOfSpinning) {
  auto sink = std::make_shared<CountingSink>("event=accept_error");
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  Start();
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  size_t open_fds = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++open_fds;
  rlimit tight = saved;
  tight.rlim_cur = open_fds + 6;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  // Clients until no fd is left: the server can no longer accept the pending ones.
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 10; ++i) {
    tcp::socket c(ioc_);
    boost::system::error_code ec;
    c.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    if (ec) break;
    clients.push_back(std::move(c));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  size_t lines = sink->count();
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  clients.clear();
  // A spinning accept loop logs thousands of lines a second; backoff logs at most one per 5 s.
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 2u);
  // And it serves again once fds are free.
  auto s = Connect();
  EXPECT_EQ(Send(s, {bhttp::verb::get, "/", 11}).result_int(), 200);
  spdlog::set_default_logger(previous);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  auto s = Connect();
  std::string two =
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
  net::write(s, net::buffer(two));
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> a, b;
  bhttp::read(s, buf, a);
  bhttp::read(s, buf, b);
  EXPECT_EQ(a.body(), "GET /first 0");
  EXPECT_EQ(b.body(), "POST /second 3");
}

TEST(ServerHandler, AnExceptionIsA500AndTheServerGoesOn) {
  ServerOptions o;
  o.port = 0;
  o.worker_threads = 2;
  Server server(o, [](const Request& r) -> Response {
    if (r.target == "/throw") throw std::runtime_error("boom");
    return Response{};
  });
  uint16_t port = server.Listen();
  std::thread t([&] { server.Run(false); });
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  timeval tv{10, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (const char* target : {"/throw", "/ok"}) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "x");
    bhttp::write(s, req);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res);
    EXPECT_EQ(res.result_int(), std::string(target) == "/throw" ? 500 : 200) << target;
    if (std::string(target) == "/throw") {
      EXPECT_NE(res.body().find("InternalError"), std::string::npos);
    }
  }
  server.Stop();
  t.join();
}

TEST(ServerStop, ARequestInFlightIsAnsweredWithConnectionCloseAndSlowOnesAreCutAtTheDrain) {
  std::atomic<bool> release{false};
  ServerOptions o;
  o.port = 0;
  o.worker_threads = 2;
  o.drain_timeout = std::chrono::milliseconds(1500);
  auto server = std::make_unique<Server>(o, [&](const Request& r) -> Response {
    // /slow waits until released; /stuck never finishes within the drain.
    while (r.target == "/slow" && !release)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (r.target == "/stuck") std::this_thread::sleep_for(std::chrono::seconds(4));
    Response resp;
    resp.body = r.target;
    return resp;
  });
  uint16_t port = server->Listen();
  std::thread t([&] { server->Run(false); });
  net::io_context ioc;
  auto send = [&](tcp::socket& s, const char* target) {
    s.connect({net::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "x");
    bhttp::write(s, req);
  };
  tcp::socket slow(ioc), stuck(ioc);
  send(slow, "/slow");
  send(stuck, "/stuck");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both are being handled
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  release = true;
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  boost::system::error_code ec;
  bhttp::read(slow, buf, res, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.body(), "/slow");
  EXPECT_FALSE(res.keep_alive());  // Connection: close while stopping
  stopper.join();
  t.join();
  // The stuck one was cut off at the drain timeout, not waited for.
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(3500));
  server.reset();  // waits for the stuck handler, then closes what is left
  beast::flat_buffer buf2;
  bhttp::response<bhttp::string_body> res2;
  bhttp::read(stuck, buf2, res2, ec);
  EXPECT_TRUE(ec) << "the stuck request got an answer after the drain";
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndReturns) {
  Start();
  auto s = Connect();
  EXPECT_EQ(Send(s, {bhttp::verb::get, "/", 11}).result_int(), 200);
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  thread_.join();
  server_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

}  // namespace
}  // namespace floe::http
