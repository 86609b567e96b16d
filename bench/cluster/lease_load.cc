// floe_lease_load: the lease protocol of the PostgreSQL store driven as if from many workers.
// Each simulated worker does what a node's supervisor does (src/runtime/supervisor.cc), with the
// store's own calls: Heartbeat every --heartbeat-ms, ClaimJobs every --claim-ms (with its free
// room and the inputs it holds), and ReleaseLeases when it stops; no media processes. Phases:
//   fill     every job is leased (the time it takes);
//   steady   after --warmup seconds, for --seconds: heartbeats and claims per second, their
//            latency, how late the heartbeats run against their schedule (a store that cannot
//            keep up falls behind);
//   failover --kill workers stop dead: for each of their jobs, the time from its lease's expiry
//            (the dead worker's last heartbeat + --lease-ms) to its claim by another worker;
//   release  the others stop cleanly (ReleaseLeases of everything).
// Usage: floe_lease_load --store postgres://… [--workers 1000] [--jobs 10000] [--threads 32]
//        [--warmup 10] [--seconds 30] [--heartbeat-ms 1000] [--claim-ms 1000] [--lease-ms 3000]
//        [--kill 10]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "store/postgres/postgres_store.h"

namespace {

using floe::core::SteadyMillis;
namespace store = floe::store;

// A call's latency, in milliseconds with microseconds.
double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Options {
  std::string url;
  int workers = 1000, jobs = 10000, threads = 32, seconds = 30, kill = 10, warmup = 10;
  int64_t heartbeat_ms = 1000, claim_ms = 1000, lease_ms = 3000;
};

constexpr int64_t kCostMc = 100;  // every job alike: 12 fit in a worker (capacity 1.2 cores)
constexpr int64_t kCapacityMc = 1200;

struct Worker {
  std::string holder, node;
  std::map<std::string, std::string> held;  // job → input
  int64_t next_beat = 0, next_claim = 0, last_beat_sent = 0;
  bool dead = false;
};

// Latencies (ms) and counts of one kind of call, from every thread.
struct Series {
  std::mutex mu;
  std::vector<double> ms;
  long errors = 0;
  void Add(double v) {
    std::lock_guard l(mu);
    ms.push_back(v);
  }
  void Fail() {
    std::lock_guard l(mu);
    ++errors;
  }
  std::string Summary(double seconds) {
    std::lock_guard l(mu);
    std::vector<double> s = ms;
    std::sort(s.begin(), s.end());
    auto q = [&](double f) {
      return s.empty() ? 0.0 : s[std::min(s.size() - 1, size_t(f * s.size()))];
    };
    char buf[200];
    std::snprintf(buf, sizeof buf, "%8.0f/s  p50 %6.2f ms  p99 %7.2f ms  max %7.1f ms  errors %ld",
                  static_cast<double>(s.size()) / seconds, q(0.5), q(0.99),
                  s.empty() ? 0 : s.back(), errors);
    return buf;
  }
  void Clear() {
    std::lock_guard l(mu);
    ms.clear();
    errors = 0;
  }
};

class Load {
 public:
  explicit Load(const Options& o) : o_(o), store_(o.url, o.threads + 2) {
    for (int w = 0; w < o.workers; ++w) {
      char name[32];
      std::snprintf(name, sizeof name, "w%04d", w);
      workers_.push_back({std::string(name) + "/load", name, {}, 0, 0, 0, false});
    }
  }

  bool InsertJobs() {
    std::atomic<int> next{0}, failed{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < o_.threads; ++t) {
      ts.emplace_back([&] {
        for (int i; (i = next++) < o_.jobs;) {
          store::JobRecord j;
          char id[40];
          std::snprintf(id, sizeof id, "%032d", i);
          j.job_id = id;
          j.account_id = "1000000000000001";
          j.name = "load-" + std::to_string(i);
          j.template_id = "00000000000000000000000000000360";
          j.status = store::JobStatus::kRunning;
          j.input_type = j.output_type = "rtmp";
          j.input_url = "rtmp://127.0.0.1/live/in-" + std::to_string(i);
          j.output_url = "rtmp://127.0.0.1/live/out-" + std::to_string(i);
          j.create_time_ms = floe::core::NowMillis();
          if (!store_.InsertJob(j, {})) ++failed;
        }
      });
    }
    for (auto& t : ts) t.join();
    return failed == 0;
  }

  // Runs every worker's schedule on the threads until `until` says stop.
  template <class Until>
  void Run(Until until) {
    std::vector<std::thread> ts;
    for (int t = 0; t < o_.threads; ++t) ts.emplace_back([&, t] { Loop(t, until); });
    for (auto& t : ts) t.join();
  }

  void Start() {
    std::mt19937 rng(7);
    int64_t now = SteadyMillis();
    for (auto& w : workers_) {
      w.next_beat = now + static_cast<int64_t>(rng() % o_.heartbeat_ms);
      w.next_claim = now + static_cast<int64_t>(rng() % o_.claim_ms);
    }
  }

  long Leased() {
    std::lock_guard l(mu_);
    long n = 0;
    for (const auto& w : workers_) n += static_cast<long>(w.held.size());
    return n;
  }

  // Stops `n` workers dead; returns their jobs' lease expiries (steady ms), by job.
  std::map<std::string, int64_t> Kill(int n) {
    std::lock_guard l(mu_);
    std::map<std::string, int64_t> expiry;
    for (int i = 0; i < n && i < static_cast<int>(workers_.size()); ++i) {
      Worker& w = workers_[i * (workers_.size() / n)];
      w.dead = true;
      for (const auto& [job, input] : w.held) expiry[job] = w.last_beat_sent + o_.lease_ms;
    }
    watch_ = expiry;
    return expiry;
  }
  std::map<std::string, int64_t> Reclaimed() {
    std::lock_guard l(mu_);
    return reclaimed_;
  }

  void ReleaseAll() {
    std::atomic<size_t> next{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < o_.threads; ++t) {
      ts.emplace_back([&] {
        for (size_t i; (i = next++) < workers_.size();) {
          if (workers_[i].dead) continue;
          auto t0 = std::chrono::steady_clock::now();
          if (store_.ReleaseLeases(workers_[i].holder, {}))
            release_.Add(MsSince(t0));
          else
            release_.Fail();
        }
      });
    }
    for (auto& t : ts) t.join();
  }

  Series beat_, claim_, lag_, release_;

 private:
  template <class Until>
  void Loop(int t, Until until) {
    while (!until()) {
      // The worker of this thread whose next step is due first.
      Worker* due = nullptr;
      int64_t at = 0;
      bool beat = false;
      {
        std::lock_guard l(mu_);
        for (size_t i = t; i < workers_.size(); i += o_.threads) {
          Worker& w = workers_[i];
          if (w.dead) continue;
          int64_t first = std::min(w.next_beat, w.next_claim);
          if (!due || first < at) {
            due = &w;
            at = first;
            beat = w.next_beat <= w.next_claim;
          }
        }
      }
      if (!due) return;
      int64_t now = SteadyMillis();
      if (at > now) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(at - now, 50)));
        continue;
      }
      if (beat)
        Beat(*due, now - at);
      else
        Claim(*due);
    }
  }

  void Beat(Worker& w, int64_t late_ms) {
    store::NodeState node{w.holder, w.node, kCapacityMc, 0, 0, 0, 0};
    {
      std::lock_guard l(mu_);
      node.jobs = static_cast<int>(w.held.size());
      node.used_mc = node.jobs * kCostMc;
    }
    int64_t sent = SteadyMillis();
    auto t0 = std::chrono::steady_clock::now();
    auto held = store_.Heartbeat(node, o_.lease_ms);
    double took = MsSince(t0);
    std::lock_guard l(mu_);
    if (!held) {
      beat_.Fail();
      w.next_beat = sent + 500;
      return;
    }
    beat_.Add(took);
    lag_.Add(static_cast<double>(late_ms));
    std::map<std::string, std::string> kept;
    for (const auto& lease : *held) {
      auto it = w.held.find(lease.job_id);
      if (it != w.held.end()) kept.insert(*it);
    }
    w.held = std::move(kept);
    w.last_beat_sent = sent;
    w.next_beat = sent + o_.heartbeat_ms;
  }

  void Claim(Worker& w) {
    store::ClaimRequest req;
    req.holder = w.holder;
    req.lease_ms = o_.lease_ms;
    req.capacity_mc = kCapacityMc;
    req.cost = [](const store::JobRecord&) { return kCostMc; };
    req.defer_ms = 2000;
    req.wait_after_ms = 3000;
    req.peer_window_ms = o_.heartbeat_ms + o_.heartbeat_ms / 2;  // as the supervisor's claims
    {
      std::lock_guard l(mu_);
      req.free_mc = kCapacityMc - static_cast<int64_t>(w.held.size()) * kCostMc;
      std::set<std::string> inputs;
      for (const auto& [job, input] : w.held) inputs.insert(input);
      req.preferred_inputs.assign(inputs.begin(), inputs.end());
    }
    int64_t sent = SteadyMillis();
    auto t0 = std::chrono::steady_clock::now();
    auto got = store_.ClaimJobs(req);
    double took = MsSince(t0);
    int64_t done = SteadyMillis();
    std::lock_guard l(mu_);
    w.next_claim = sent + o_.claim_ms;
    if (!got) {
      claim_.Fail();
      return;
    }
    claim_.Add(took);
    for (const auto& lease : *got) {
      w.held[lease.job_id] = lease.input_url;
      if (watch_.count(lease.job_id) && !reclaimed_.count(lease.job_id)) {
        reclaimed_[lease.job_id] = done;
      }
    }
  }

  Options o_;
  store::postgres::PostgresStore store_;
  std::mutex mu_;
  std::vector<Worker> workers_;
  std::map<std::string, int64_t> watch_, reclaimed_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--store")
      o.url = v;
    else if (k == "--workers")
      o.workers = std::stoi(v);
    else if (k == "--jobs")
      o.jobs = std::stoi(v);
    else if (k == "--threads")
      o.threads = std::stoi(v);
    else if (k == "--seconds")
      o.seconds = std::stoi(v);
    else if (k == "--kill")
      o.kill = std::stoi(v);
    else if (k == "--warmup")
      o.warmup = std::stoi(v);
    else if (k == "--heartbeat-ms")
      o.heartbeat_ms = std::stoll(v);
    else if (k == "--claim-ms")
      o.claim_ms = std::stoll(v);
    else if (k == "--lease-ms")
      o.lease_ms = std::stoll(v);
  }
  if (o.url.empty() || o.workers < 1 || o.threads < 1 || o.kill >= o.workers) {
    std::fprintf(stderr,
                 "usage: floe_lease_load --store postgres://… [--workers 1000] [--jobs 10000] "
                 "[--threads 32] [--seconds 30] [--kill 10]\n");
    return 2;
  }
  Load load(o);
  std::printf(
      "floe lease load: %d workers, %d jobs, heartbeat %lld ms, claim %lld ms, lease %lld "
      "ms, %d threads, %u cores\n",
      o.workers, o.jobs, static_cast<long long>(o.heartbeat_ms), static_cast<long long>(o.claim_ms),
      static_cast<long long>(o.lease_ms), o.threads, std::thread::hardware_concurrency());
  int64_t t0 = SteadyMillis();
  if (!load.InsertJobs()) {
    std::fprintf(stderr, "inserting the jobs failed\n");
    return 1;
  }
  std::printf("insert   %d jobs in %.1f s\n", o.jobs, (SteadyMillis() - t0) / 1000.0);

  load.Start();
  t0 = SteadyMillis();
  int64_t filled = 0;
  load.Run([&] {
    if (!filled && load.Leased() >= o.jobs) filled = SteadyMillis();
    return filled || SteadyMillis() - t0 > 120'000;
  });
  if (!filled) {
    std::printf("fill     only %ld of %d jobs leased in 120 s\n", load.Leased(), o.jobs);
    return 1;
  }
  std::printf("fill     %d jobs leased by %d workers in %.1f s\n", o.jobs, o.workers,
              (filled - t0) / 1000.0);

  // What the fill left behind (heartbeats it delayed) settles before the steady window.
  t0 = SteadyMillis();
  load.Run([&] { return SteadyMillis() - t0 >= o.warmup * 1000; });
  load.beat_.Clear();
  load.claim_.Clear();
  load.lag_.Clear();
  t0 = SteadyMillis();
  load.Run([&] { return SteadyMillis() - t0 >= o.seconds * 1000; });
  double secs = (SteadyMillis() - t0) / 1000.0;
  std::printf(
      "steady   %.0f s after %d s of warm-up, %ld jobs leased (target: %.0f heartbeats/s, %.0f "
      "claims/s)\n",
      secs, o.warmup, load.Leased(), o.workers * 1000.0 / o.heartbeat_ms,
      o.workers * 1000.0 / o.claim_ms);
  std::printf("  heartbeat %s\n", load.beat_.Summary(secs).c_str());
  std::printf("  claim     %s\n", load.claim_.Summary(secs).c_str());
  std::printf("  lateness of heartbeats against their schedule: %s\n",
              load.lag_.Summary(secs).c_str());

  auto expiry = load.Kill(o.kill);
  t0 = SteadyMillis();
  load.Run(
      [&] { return load.Reclaimed().size() >= expiry.size() || SteadyMillis() - t0 > 60'000; });
  auto got = load.Reclaimed();
  std::vector<double> waits;
  for (const auto& [job, at] : got) waits.push_back(static_cast<double>(at - expiry[job]));
  std::sort(waits.begin(), waits.end());
  auto q = [&](double f) {
    return waits.empty() ? 0.0 : waits[std::min(waits.size() - 1, size_t(f * waits.size()))];
  };
  std::printf(
      "failover %d workers stopped dead: %zu of %zu jobs claimed again; lease expiry → claim "
      "p50 %.0f ms  p99 %.0f ms  max %.0f ms (kill → claim at most %.1f s)\n",
      o.kill, got.size(), expiry.size(), q(0.5), q(0.99), waits.empty() ? 0 : waits.back(),
      (got.empty() ? 0
                   : std::max_element(
                         got.begin(), got.end(),
                         [](auto& a, auto& b) {
                           return a.second < b.second;
                         })->second -
                         t0) /
          1000.0);
  t0 = SteadyMillis();
  load.ReleaseAll();
  std::printf("release  %d workers in %.1f s: %s\n", o.workers - o.kill,
              (SteadyMillis() - t0) / 1000.0,
              load.release_.Summary((SteadyMillis() - t0) / 1000.0).c_str());
  return got.size() == expiry.size() ? 0 : 1;
}
