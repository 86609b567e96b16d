// Load generator for the API: a fixed number of keep-alive connections, each sending signed V1
// requests back to back for a fixed time. Prints requests/s and p50/p99 latency per phase, and
// the ratio of each phase to a reference phase (unsigned GET /healthz at the same concurrency,
// the server's bare HTTP ceiling on this machine).
#include <utility>  // boost 1.74 asio needs std::exchange declared first

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "auth/signature.h"
#include "core/strings.h"
#include "core/time.h"

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::vector<std::string> ports;  // connection w goes to ports[w % size]: several nodes
  std::string access_key_id, secret;
  int concurrency = 32;
  int seconds = 10;
  bool timeline = false;  // --timeline 1: each phase's requests and p99 second by second
};

struct PhaseResult {
  double rps = 0, p50_ms = 0, p99_ms = 0;
  long ok = 0, errors = 0;
};

// Builds the target of a signed V1 GET.
std::string SignedTarget(const Options& o, floe::auth::Pairs params, long nonce) {
  params.insert(params.end(), {{"Version", "2020-11-09"},
                               {"AccessKeyId", o.access_key_id},
                               {"SignatureMethod", "HMAC-SHA1"},
                               {"SignatureVersion", "1.0"},
                               {"SignatureNonce", "bench-" + std::to_string(nonce) + "-" +
                                                      std::to_string(floe::core::NowMillis())},
                               {"Timestamp", floe::core::FormatUtc(floe::core::NowMillis() / 1000)},
                               {"Format", "JSON"}});
  params.emplace_back("Signature",
                      floe::auth::V1Signature(o.secret, floe::auth::V1StringToSign("GET", params)));
  std::string q;
  for (const auto& [k, v] : params) {
    q += (q.empty() ? "" : "&") + floe::core::PercentEncode(k) + "=" + floe::core::PercentEncode(v);
  }
  return "/?" + q;
}

class Conn {
 public:
  Conn(const Options& o, int w) : socket_(ioc_) {
    tcp::resolver resolver(ioc_);
    net::connect(socket_, resolver.resolve(o.host, o.ports[w % o.ports.size()]));
    socket_.set_option(tcp::no_delay(true));
  }
  int Get(const std::string& target, std::string* body = nullptr) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(socket_, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket_, buffer_, res);
    if (body) *body = res.body();
    return res.result_int();
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// Runs `next(worker, i)` → target on every connection for the phase's duration.
template <class Next>
PhaseResult RunPhase(const Options& o, Next next) {
  std::vector<std::vector<double>> lat(o.concurrency);
  std::vector<std::vector<std::pair<double, double>>> when(o.concurrency);  // (s, latency ms)
  const auto begin = Clock::now();
  std::atomic<long> errors{0};
  std::vector<std::thread> threads;
  auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
  for (int w = 0; w < o.concurrency; ++w) {
    threads.emplace_back([&, w] {
      Conn c(o, w);
      for (long i = 0; Clock::now() < deadline; ++i) {
        std::string target = next(w, i);
        auto t0 = Clock::now();
        int status = c.Get(target);
        auto t1 = Clock::now();
        if (status == 200) {
          lat[w].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
          if (o.timeline) {
            when[w].emplace_back(std::chrono::duration<double>(t1 - begin).count(), lat[w].back());
          }
        } else {
          ++errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (o.timeline) {  // where the tail comes from: spread out, or stalls at moments
    std::vector<std::vector<double>> second(o.seconds + 1);
    for (const auto& w : when) {
      for (const auto& [at, ms] : w) second[std::min<size_t>(o.seconds, at)].push_back(ms);
    }
    for (size_t i = 0; i < second.size(); ++i) {
      auto& v = second[i];
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      std::printf("  second %2zu: %6zu req  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms\n", i,
                  v.size(), v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)],
                  v.back());
    }
  }
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  PhaseResult r;
  r.ok = static_cast<long>(all.size());
  r.errors = errors;
  r.rps = static_cast<double>(all.size()) / o.seconds;
  if (!all.empty()) {
    r.p50_ms = all[all.size() / 2];
    r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

void Print(const std::string& name, const PhaseResult& r, const PhaseResult& ref, double target) {
  std::printf(
      "%-28s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %ld  vs healthz %.2f  vs target "
      "%.2f\n",
      name.c_str(), r.rps, r.p50_ms, r.p99_ms, r.errors, r.rps / ref.rps,
      target > 0 ? r.rps / target : 0.0);
}

int main(int argc, char** argv) {
  Options o;
  std::string creds_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") {
      for (size_t at = 0; at <= v.size();) {
        size_t comma = std::min(v.find(',', at), v.size());
        o.ports.push_back(v.substr(at, comma - at));
        at = comma + 1;
      }
    } else if (k == "--credentials")
      creds_path = v;
    else if (k == "--concurrency")
      o.concurrency = std::stoi(v);
    else if (k == "--seconds")
      o.seconds = std::stoi(v);
    else if (k == "--timeline")
      o.timeline = v == "1";
  }
  if (o.ports.empty() || creds_path.empty()) {
    std::cerr << "usage: floe_api_bench --port P[,P2,...] --credentials FILE [--concurrency 32] "
                 "[--seconds 10] [--timeline 1]\n";
    return 2;
  }
  auto creds = nlohmann::json::parse(std::ifstream(creds_path));
  o.access_key_id = creds["AccessKeyId"];
  o.secret = creds["AccessKeySecret"];

  // One template per connection, so updates measure the store, not one row's lock.
  std::vector<std::string> ids;
  {
    Conn c(o, 0);
    for (int w = 0; w < o.concurrency; ++w) {
      std::string body;
      int st =
          c.Get(SignedTarget(o,
                             {{"Action", "CreateLiveTranscodeTemplate"},
                              {"Name", "bench-" + std::to_string(w)},
                              {"Type", "normal"},
                              {"TemplateConfig",
                               R"({"VideoParams":{"Height":"720","Fps":"30","Bitrate":"2500"}})"}},
                             -w - 1),
                &body);
      if (st != 200) {
        std::cerr << "create failed: " << body << "\n";
        return 1;
      }
      ids.push_back(nlohmann::json::parse(body)["TemplateId"]);
    }
  }
  std::printf("floe api bench: concurrency %d over %zu node(s), %d s per phase, %u cores\n",
              o.concurrency, o.ports.size(), o.seconds, std::thread::hardware_concurrency());
  std::atomic<long> nonce{0};
  auto ref = RunPhase(o, [](int, long) { return std::string("/healthz"); });
  Print("reference GET /healthz", ref, ref, 0);
  auto get = RunPhase(o, [&](int w, long) {
    return SignedTarget(o, {{"Action", "GetLiveTranscodeTemplate"}, {"TemplateId", ids[w]}},
                        ++nonce);
  });
  Print("GetLiveTranscodeTemplate", get, ref, 5000);
  auto upd = RunPhase(o, [&](int w, long i) {
    std::string cfg = R"({"VideoParams":{"Bitrate":")" + std::to_string(1000 + i % 5000) + R"("}})";
    return SignedTarget(o,
                        {{"Action", "UpdateLiveTranscodeTemplate"},
                         {"TemplateId", ids[w]},
                         {"TemplateConfig", cfg}},
                        ++nonce);
  });
  Print("UpdateLiveTranscodeTemplate", upd, ref, 2000);
  return (get.errors || upd.errors) ? 1 : 0;
}
