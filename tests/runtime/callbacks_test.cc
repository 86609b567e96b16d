// Callbacks of the bucket families against a real HTTP server on 127.0.0.1 (Floe's own): the
// URL rules, the network policy checked on every address before a connection (a refused one
// is never connected to), retries until a 2xx with the body as sent, a failure said once after
// the last attempt, and https spoken as TLS (a plain-http peer fails the handshake).
#include "runtime/callbacks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/json.h"
#include "http/server.h"

namespace floe::runtime {
namespace {

core::NetPolicy Loopback() {
  core::NetPolicy p;
  p.Allow(*core::ParseCidr("127.0.0.0/8"));
  return p;
}

// An HTTP server that answers each POST with statuses[n] (the last one again past the end).
class Receiver {
 public:
  explicit Receiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    http::ServerOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.worker_threads = 2;
    server_ = std::make_unique<http::Server>(o, [this](const http::Request& r) {
      std::lock_guard lock(mu_);
      bodies_.push_back(r.body);
      types_.push_back(r.Header("content-type"));
      http::Response resp;
      resp.status = statuses_[std::min(bodies_.size(), statuses_.size()) - 1];
      return resp;
    });
    port_ = server_->Listen();
    thread_ = std::thread([this] { server_->Run(false); });
  }
  ~Receiver() {
    server_->Stop();
    thread_.join();
  }
  std::string Url(const std::string& path = "/hook?a=1") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> types() {
    std::lock_guard lock(mu_);
    return types_;
  }
  uint16_t port() const { return port_; }

 private:
  std::vector<int> statuses_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_, types_;
};

template <class F>
bool Eventually(F done, int ms = 10'000) {
  for (int waited = 0; waited < ms; waited += 10) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(CallbackUrlTest, TheFormsTakenAndRefused) {
  auto u = ParseCallbackUrl("CallbackUrl", "https://hooks.example.com:8443/a/b?c=d#frag");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/a/b?c=d");
  auto plain = ParseCallbackUrl("NotifyUrl", "http://[::1]");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "::1");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  EXPECT_EQ(ParseCallbackUrl("NotifyUrl", "https://h?x=1")->target, "/?x=1");
  for (const char* bad :
       {"ftp://h/x", "http://", "http://:80/", "http://u:p@h/", "http://h:0/", "http://h:65536/",
        "http://h:/", "http://h/ x", "javascript:alert(1)", "http://[::1/"}) {
    auto r = ParseCallbackUrl("NotifyUrl", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "InvalidParam.NotifyUrl") << bad;
  }
  EXPECT_FALSE(ParseCallbackUrl("NotifyUrl", "http://h/" + std::string(1100, 'x')));
}

TEST(CallbackUrlTest, EveryAddressOfTheHostMustBeAllowed) {
  auto local = *ParseCallbackUrl("CallbackUrl", "http://127.0.0.1:9/x");
  auto refused = ResolveAllowed("CallbackUrl", local, core::NetPolicy{});
  ASSERT_FALSE(refused);  // loopback: never by default
  EXPECT_EQ(refused.error().code, "InvalidParam.CallbackUrl");
  EXPECT_NE(refused.error().message.find("may not reach"), std::string::npos);
  auto allowed = ResolveAllowed("CallbackUrl", local, Loopback());
  ASSERT_TRUE(allowed) << allowed.error().message;
  ASSERT_EQ(allowed->size(), 1u);
  EXPECT_TRUE(core::SameAddress(allowed->front(), *core::ParseIp("127.0.0.1")));
  for (const char* host : {"http://10.0.0.7/", "http://169.254.169.254/latest", "http://[::1]/"}) {
    EXPECT_FALSE(ResolveAllowed("CallbackUrl", *ParseCallbackUrl("CallbackUrl", host), Loopback()))
        << host;
  }
  // An IPv4-mapped IPv6 address is the IPv4 address it maps.
  auto mapped = ResolveAllowed(
      "CallbackUrl", *ParseCallbackUrl("CallbackUrl", "http://[::ffff:127.0.0.1]/"), Loopback());
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_FALSE(mapped->front().v6);
}

TEST(CallbackBodyTest, SaysWhatHappenedToWhichJob) {
  auto body = CallbackBody("snapshot", "j1", "cam 1", "snapshot", 1'796'601'599'999,
                           {{"OssObject", "s/j1.jpg"}});
  auto j = core::ParseJson(body);
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["Event"], "snapshot");
  EXPECT_EQ((*j)["JobId"], "j1");
  EXPECT_EQ((*j)["JobName"], "cam 1");
  EXPECT_EQ((*j)["Family"], "snapshot");
  EXPECT_EQ((*j)["EventTime"], "2026-12-06T23:59:59.999Z");
  EXPECT_EQ((*j)["Data"]["OssObject"], "s/j1.jpg");
}

TEST(NotifierTest, ACallbackIsRetriedUntilItsEndpointTakesIt) {
  Receiver receiver({503, 200});
  std::atomic<int> failed{0};
  Notifier::Options o;
  o.policy = Loopback();
  o.first_retry_ms = 50;
  o.on_failed = [&](const std::string&, const std::string&) { ++failed; };
  Notifier n(o);
  n.Post("j1", receiver.Url(), R"({"Event":"stopped"})");
  ASSERT_TRUE(Eventually([&] { return n.delivered() == 1; }));
  EXPECT_EQ(receiver.bodies(),
            (std::vector<std::string>{R"({"Event":"stopped"})", R"({"Event":"stopped"})"}));
  EXPECT_EQ(receiver.types().back(), "application/json");
  EXPECT_EQ(failed, 0);
}

TEST(NotifierTest, AnEndpointThatNeverTakesItIsAFailureAfterTheLastAttempt) {
  Receiver receiver({500});
  std::mutex mu;
  std::vector<std::string> why;
  Notifier::Options o;
  o.policy = Loopback();
  o.attempts = 3;
  o.first_retry_ms = 20;
  o.on_failed = [&](const std::string& job, const std::string& w) {
    std::lock_guard lock(mu);
    why.push_back(job + ": " + w);
  };
  Notifier n(o);
  n.Post("j2", receiver.Url(), "{}");
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return !why.empty();
  }));
  EXPECT_EQ(receiver.bodies().size(), 3u);
  std::lock_guard lock(mu);
  ASSERT_EQ(why.size(), 1u);
  EXPECT_EQ(why[0], "j2: answered HTTP 500 (3 attempts)");
}

TEST(NotifierTest, AnAddressThePolicyRefusesIsNeverConnectedTo) {
  Receiver receiver({200});
  std::atomic<int> failed{0};
  Notifier::Options o;  // the default policy: no loopback
  o.attempts = 2;
  o.first_retry_ms = 20;
  o.on_failed = [&](const std::string&, const std::string&) { ++failed; };
  Notifier n(o);
  n.Post("j3", receiver.Url(), "{}");
  ASSERT_TRUE(Eventually([&] { return failed == 1; }));
  EXPECT_TRUE(receiver.bodies().empty());
  EXPECT_EQ(n.delivered(), 0);
}

TEST(NotifierTest, HttpsIsSpokenAsTls) {
  Receiver receiver({200});  // plain http: the TLS handshake cannot succeed
  auto url = *ParseCallbackUrl("CallbackUrl",
                               "https://127.0.0.1:" + std::to_string(receiver.port()) + "/x");
  auto r = PostJson(url, {*core::ParseIp("127.0.0.1")}, "{}", 3000);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("TLS"), std::string::npos) << r.error().message;
  EXPECT_TRUE(receiver.bodies().empty());
}

}  // namespace
}  // namespace floe::runtime
