// The HTTP server over real sockets: limits, timeouts, keep-alive and a clean stop.
#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

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

  tcp::socket Connect() {
    tcp::socket s(ioc_);
    s.connect({net::ip::make_address("127.0.0.1"), port_});
    return s;
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
  char c;
  boost::system::error_code ec;
  s.read_some(net::buffer(&c, 1), ec);  // blocks until the server closes it
  EXPECT_EQ(ec, net::error::eof);
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
