#include "runtime/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "core/time.h"
#include "runtime/child_env.h"
#include "runtime/protocol.h"

namespace floe::runtime {

namespace {

std::string ExitReason(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + (name ? name : "?") +
           ")";
  }
  return "ended";
}

// Jobs of one account with the same StreamInput share a process; two accounts never do (what
// one job may reach, the others of its process could).
std::string GroupKey(const store::JobRecord& job) {
  return job.account_id + "\n" + job.input_type + "\n" + job.input_url + "\n" +
         job.backup_input_url;
}

// What an event does to a job's state, and the name it is recorded under (empty: not
// recorded).
struct EventEffect {
  const char* state;  // nullptr: unchanged
  bool record;
};
EventEffect EffectOf(media::EventKind kind) {
  using K = media::EventKind;
  switch (kind) {
    case K::kStarted:
    case K::kInputReconnected:
    case K::kInputResumed:
      return {"running", true};
    case K::kInputLost:
      return {"input-lost", true};
    case K::kInputStalled:
      return {"input-stalled", true};
    case K::kInputWaiting:
      return {"waiting-input", true};
    case K::kOutputWaiting:
      return {"waiting-output", true};
    case K::kLockWait:
      return {nullptr, false};
    default:
      return {nullptr, true};
  }
}

}  // namespace

Supervisor::Supervisor(store::Store& store, SupervisorOptions options, Clock clock)
    : store_(store), opt_(std::move(options)), clock_(std::move(clock)) {
  if (!clock_) clock_ = core::NowMillis;
}

Supervisor::~Supervisor() {
  Shutdown();
}

void Supervisor::Start() {
  // Commands go to the children through pipes: a child that died is an error, not SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  loop_ = std::thread([this] { Loop(); });
}

void Supervisor::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
    claim_now_ = true;  // a job may have been submitted here: claim it without waiting
  }
  cv_.notify_all();
}

bool Supervisor::WaitStopped(const std::string& job_id, std::chrono::milliseconds limit) {
  Wake();
  std::unique_lock lock(mu_);
  return gone_cv_.wait_for(lock, limit, [&] {
    auto it = jobs_.find(job_id);
    return it == jobs_.end() || !it->second->added;
  });
}

std::optional<JobProcessView> Supervisor::View(const std::string& job_id) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return std::nullopt;
  return ViewLocked(*it->second);
}

JobProcessView Supervisor::ViewLocked(const Job& j) {
  pid_t pid = 0;
  bool stopping = j.removing || !j.wanted;
  if (auto g = groups_.find(j.group); g != groups_.end() && j.added) {
    pid = g->second->pid;
    stopping = stopping || g->second->stopping;
  }
  return JobProcessView{stopping && j.added ? "stopping" : j.state,
                        static_cast<int>(pid),
                        j.restarts,
                        j.added_ms,
                        j.last_error,
                        j.stats_json};
}

Supervisor::Sample Supervisor::Snapshot() {
  std::lock_guard lock(mu_);
  Sample s;
  for (const auto& [id, j] : jobs_) s.jobs.push_back({id, j->job.template_id, ViewLocked(*j)});
  for (const auto& [key, g] : groups_) {
    if (g->pid > 0) s.processes.push_back({g->name, static_cast<int>(g->pid)});
  }
  s.node_id = opt_.node_id;
  s.capacity_mc = opt_.capacity_mc;
  s.used_mc = UsedLocked();
  s.leases = static_cast<int>(leases_.size());
  if (last_beat_ok_ms_ > 0) s.heartbeat_age_ms = core::SteadyMillis() - last_beat_ok_ms_;
  return s;
}

void Supervisor::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !loop_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  // Every process gets SIGTERM (it flushes and exits), then SIGKILL after the grace period.
  std::vector<std::shared_ptr<Group>> groups;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, g] : groups_) groups.push_back(g);
  }
  for (auto& g : groups) {
    if (g->pid > 0) kill(g->pid, SIGTERM);
  }
  int64_t deadline = core::SteadyMillis() + opt_.stop_grace_ms;
  for (auto& g : groups) {
    while (g->pid > 0) {
      int status = 0;
      pid_t r = waitpid(g->pid, &status, WNOHANG);
      if (r == g->pid || r < 0) {
        g->pid = 0;
        break;
      }
      if (core::SteadyMillis() >= deadline) kill(g->pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (g->reader.joinable()) g->reader.join();
    if (g->in_fd >= 0) close(g->in_fd);
    g->in_fd = -1;
  }
  {
    std::lock_guard lock(mu_);
    groups_.clear();
    jobs_.clear();
    leases_.clear();
  }
  // Every process is gone: the jobs are free for another node at once (a rolling restart).
  if (auto r = store_.ReleaseLeases(opt_.holder, {}); !r) {
    spdlog::warn("event=lease_release_failed error=\"{}\"", r.error().message);
  }
}

void Supervisor::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // While a process or a rendition is being stopped, look often: its SIGKILL is due at the
      // end of the grace period, and the API waits for it to be gone.
      // A timed job's StartTime or EndTime is met on time, not at the next tick.
      bool stopping = false;
      for (const auto& [key, g] : groups_) stopping = stopping || g->stopping;
      for (const auto& [id, j] : jobs_) stopping = stopping || j->removing;
      int64_t wait_ms = stopping ? std::min(20, opt_.tick_ms) : opt_.tick_ms;
      if (next_timed_ms_ > 0) {
        wait_ms = std::clamp<int64_t>(next_timed_ms_ - clock_(), 0, wait_ms);
      }
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return wake_ || stop_; });
      if (stop_) return;
      wake_ = false;
    }
    try {
      Tick();
    } catch (const std::exception& e) {
      spdlog::error("event=supervisor_error error=\"{}\"", e.what());
    }
  }
}

bool Supervisor::AdvanceTimedJobs(std::vector<store::JobRecord>& jobs, int64_t now) {
  bool changed = false;
  for (auto& job : jobs) {
    if (job.start_mode != store::StartMode::kTimed) continue;
    bool start = job.status == store::JobStatus::kNotStarted && job.start_time_ms <= now;
    bool end = job.end_time_ms > 0 && job.end_time_ms <= now;
    if (!start && !end) continue;
    store::JobStatus status = job.status;
    auto r = store_.UpdateJob(
        job.account_id, job.job_id,
        [&](const store::JobRecord& cur,
            std::vector<store::JobEvent>& events) -> core::Result<store::JobRecord> {
          store::JobRecord next = cur;
          status = cur.status;
          if (cur.status == store::JobStatus::kStopped) return next;  // it stays stopped
          if (end) {
            next.status = store::JobStatus::kStopped;
            events.push_back({"", now, "stopped", "EndTime reached"});
          } else if (cur.status == store::JobStatus::kNotStarted) {
            next.status = store::JobStatus::kRunning;
            events.push_back({"", now, "scheduled_start", "StartTime reached"});
          }
          status = next.status;
          return next;
        });
    if (!r) {
      spdlog::error("event=job_schedule_error job_id={} error=\"{}\"", job.job_id,
                    r.error().message);
      continue;
    }
    if (status == job.status) continue;
    job.status = status;
    changed = true;
    spdlog::info("event=job_{} job_id={}",
                 status == store::JobStatus::kStopped ? "ended" : "scheduled_start", job.job_id);
  }
  return changed;
}

std::vector<Supervisor::Job*> Supervisor::MembersLocked(const std::string& group) {
  std::vector<Job*> out;
  for (auto& [id, j] : jobs_) {
    if (j->group == group && j->added) out.push_back(j.get());
  }
  return out;
}

bool Supervisor::Send(Group& g, const std::string& line) {
  std::string text = line + "\n";
  for (size_t done = 0; done < text.size();) {
    ssize_t n = write(g.in_fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // the process is going: its exit is seen by the loop
    done += static_cast<size_t>(n);
  }
  return true;
}

void Supervisor::Tick() {
  // First: a node cut off from the database must learn it (and cut its outputs) even when the
  // rest of this tick cannot reach the store.
  bool claim_now = TendPresence();
  auto live = store_.ListLiveJobs();
  if (!live) return;  // the store logged why; try again next tick
  int64_t now = clock_();
  claim_now = AdvanceTimedJobs(*live, now) || claim_now;
  {
    std::lock_guard lock(mu_);
    claim_now = claim_now || claim_now_;
    claim_now_ = false;
  }
  KeepLeases(*live, claim_now);
  int64_t next_timed = 0;
  for (const auto& job : *live) {
    for (int64_t t :
         {job.status == store::JobStatus::kNotStarted ? job.start_time_ms : 0, job.end_time_ms}) {
      if (job.start_mode == store::StartMode::kTimed && t > now &&
          (next_timed == 0 || t < next_timed))
        next_timed = t;
    }
  }
  std::vector<std::shared_ptr<Group>> exited;
  {
    std::lock_guard lock(mu_);
    // What runs here: the running jobs this node holds a lease on.
    std::map<std::string, const store::JobRecord*> wanted;
    for (const auto& job : *live) {
      if (job.status == store::JobStatus::kRunning && leases_.count(job.job_id)) {
        wanted[job.job_id] = &job;
      }
    }
    next_timed_ms_ = next_timed;
    for (auto& [id, job] : wanted) {
      auto& j = jobs_[id];
      if (!j) {
        j = std::make_shared<Job>();
        j->job = *job;
        j->backoff = core::Backoff(opt_.min_backoff_ms, opt_.max_backoff_ms);
        j->group = GroupKey(*job);
        j->next_add_ms = now;
      }
    }
    for (auto& [id, j] : jobs_) j->wanted = wanted.count(id) > 0;
    // Jobs that should not run any more: out of their process, or the process ends with them.
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      Job& j = *it->second;
      if (j.wanted) {
        ++it;
        continue;
      }
      if (!j.added) {  // no process has it (e.g. waiting to be added again)
        it = jobs_.erase(it);
        continue;
      }
      auto found = groups_.find(j.group);
      if (found == groups_.end()) {
        ++it;
        continue;
      }
      auto& g = found->second;
      bool others = false;
      for (const auto& [oid, o] : jobs_) others = others || (o->group == j.group && o->wanted);
      if (others && !j.removing && g->pid > 0 && !g->stopping) {
        Command c;
        c.kind = CommandKind::kRemove;
        c.job_id = j.job.job_id;
        Send(*g, Encode(c));
        j.removing = true;
        j.remove_by_ms = now + opt_.rendition_stop_ms;
      }
      if (j.removing && now >= j.remove_by_ms && g->pid > 0 && !g->stopping) {
        // Its rendition did not finish in time: the process goes (its other jobs restart).
        spdlog::warn("event=rendition_stop_timeout job_id={}", j.job.job_id);
        kill(g->pid, SIGKILL);
      }
      ++it;
    }
    for (auto& [key, g] : groups_) {
      std::vector<Job*> add;
      bool any_wanted = false;
      for (auto& [id, j] : jobs_) {
        if (j->group != key || !j->wanted) continue;
        any_wanted = true;
        if (!j->added && now >= j->next_add_ms) add.push_back(j.get());
      }
      if (!any_wanted && g->pid > 0 && !g->stopping) {
        kill(g->pid, SIGTERM);  // none of its jobs runs any more
        g->stopping = true;
        g->kill_at_ms = now + opt_.stop_grace_ms;
      }
      if (g->stopping && g->pid > 0 && now >= g->kill_at_ms) kill(g->pid, SIGKILL);
      if (!add.empty() && g->pid == 0 && now >= g->next_start_ms) {
        Spawn(*g, add, now);
      } else if (!add.empty() && g->pid > 0 && !g->stopping) {
        for (Job* j : add) {
          Command c;
          c.kind = CommandKind::kAdd;
          c.renditions.push_back(RenditionOf(j->job));
          if (!Send(*g, Encode(c))) break;
          j->added = true;
          j->added_ms = now;
          j->state = "starting";
        }
      }
      if (g->pid > 0) {
        int status = 0;
        if (waitpid(g->pid, &status, WNOHANG) == g->pid) {
          g->exit_reason = ExitReason(status);  // joined with its last words once all is read
          g->pid = 0;
          exited.push_back(g);
        }
      }
    }
    // Groups of new jobs get their entry (and their process at the next tick).
    for (auto& [id, j] : jobs_) {
      auto& g = groups_[j->group];
      if (!g) {
        g = std::make_shared<Group>();
        g->key = j->group;
        g->backoff = core::Backoff(opt_.min_backoff_ms, opt_.max_backoff_ms);
        g->next_start_ms = now;
        wake_ = true;
      }
    }
  }
  Reap(exited, now);
}

void Supervisor::Reap(std::vector<std::shared_ptr<Group>>& exited, int64_t now) {
  // Readers end at EOF once their process is gone; join them without holding the lock.
  for (auto& g : exited) {
    if (g->reader.joinable()) g->reader.join();
  }
  std::vector<Record> records;
  {
    std::lock_guard lock(mu_);
    for (auto& g : exited) {
      if (g->in_fd >= 0) close(g->in_fd);
      g->in_fd = -1;
      g->stopping = false;
      // The reader has read everything the process said: its reason goes after the exit status.
      std::string reason = g->fatal.empty() ? g->exit_reason : g->exit_reason + ": " + g->fatal;
      g->fatal.clear();
      bool stable = now - g->started_ms >= opt_.stable_after_ms;
      if (stable) g->backoff.Reset();  // a process up long enough starts the backoff afresh
      int wait_ms = -1;                // taken from the backoff at the first failure
      bool failed = false;
      for (auto it = jobs_.begin(); it != jobs_.end();) {
        Job& j = *it->second;
        if (j.group != g->key || !j.added) {
          ++it;
          continue;
        }
        j.added = false;
        j.removing = false;
        if (!j.wanted) {
          spdlog::info("event=job_process_stopped job_id={}", j.job.job_id);
          it = jobs_.erase(it);
          continue;
        }
        // It died while its jobs should run: a failure of each. Restart with backoff.
        failed = true;
        if (wait_ms < 0) wait_ms = g->backoff.Next();
        j.restarts++;
        j.state = "restarting";
        j.last_error = reason;
        j.next_add_ms = now + wait_ms;
        std::string detail = reason + "; restarting in " + std::to_string(wait_ms) + " ms";
        spdlog::warn("event=job_failed job_id={} reason=\"{}\"", j.job.job_id, detail);
        records.push_back({j.job.job_id, "failed", detail});
        ++it;
      }
      g->next_start_ms = failed ? now + wait_ms : now;
    }
    // A group without jobs and without a process is forgotten.
    for (auto it = groups_.begin(); it != groups_.end();) {
      bool used = false;
      for (const auto& [id, j] : jobs_) used = used || j->group == it->first;
      if (!used && it->second->pid == 0 && !it->second->reader.joinable()) {
        it = groups_.erase(it);
      } else {
        ++it;
      }
    }
  }
  gone_cv_.notify_all();
  for (const auto& r : records) Event(r.job_id, r.event, r.detail);
}

int64_t Supervisor::UsedLocked() const {
  int64_t used = 0;
  for (const auto& [id, h] : leases_) used += h.cost_mc;
  return used;
}

int64_t Supervisor::LeaseLeftLocked(const std::vector<Job*>& jobs, int64_t steady) const {
  // Only the jobs it still holds count: one being removed (stopped) has let its lease go.
  int64_t until = 0;
  for (const Job* j : jobs) {
    auto it = leases_.find(j->job.job_id);
    if (it == leases_.end()) continue;
    until = until == 0 ? it->second.valid_until : std::min(until, it->second.valid_until);
  }
  return until == 0 ? 0 : std::max<int64_t>(until - steady, 1);
}

void Supervisor::SendLeasesLocked(int64_t steady) {
  for (auto& [key, g] : groups_) {
    if (g->pid <= 0 || g->stopping || g->in_fd < 0) continue;
    auto members = MembersLocked(key);
    if (members.empty()) continue;
    Command c;
    c.kind = CommandKind::kLease;
    c.lease_ms = LeaseLeftLocked(members, steady);
    if (c.lease_ms > 0) Send(*g, Encode(c));  // none held: it is being stopped
  }
}

bool Supervisor::TendPresence() {
  auto p = store_.TendPresence(opt_.holder);
  if (!p) return false;
  present_ = p->held;
  if (p->lost) {
    // The watcher may hand these jobs to other nodes within kPresenceGraceMs: cut now.
    std::lock_guard lock(mu_);
    const int64_t steady = core::SteadyMillis();
    for (auto& [id, h] : leases_) h.valid_until = steady;
    for (auto& [key, g] : groups_) {
      if (g->pid <= 0 || g->stopping || g->in_fd < 0) continue;
      Command c;
      c.kind = CommandKind::kLease;
      c.lease_ms = 1;  // its fence cuts every output and ends the process
      Send(*g, Encode(c));
    }
    spdlog::warn("event=presence_lost node={} leases={} action=cut_outputs", opt_.node_id,
                 leases_.size());
  }
  return p->claim_now;
}

void Supervisor::KeepLeases(const std::vector<store::JobRecord>& live, bool claim_now) {
  int64_t steady = core::SteadyMillis();
  std::vector<std::string> release;
  {
    std::lock_guard lock(mu_);
    std::set<std::string> running;
    for (const auto& job : live) {
      if (job.status == store::JobStatus::kRunning) running.insert(job.job_id);
    }
    for (auto it = leases_.begin(); it != leases_.end();) {
      if (!running.count(it->first)) {  // stopped or deleted: its room is free at once
        release.push_back(it->first);
        it = leases_.erase(it);
      } else if (it->second.valid_until <= steady) {
        // Not renewed in time (the store was out of reach): its process has cut its output.
        spdlog::warn("event=lease_expired job_id={} node={}", it->first, opt_.node_id);
        it = leases_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!release.empty()) (void)store_.ReleaseLeases(opt_.holder, release);
  release.clear();
  if (steady >= next_beat_ms_) {
    store::NodeState node{opt_.holder, opt_.node_id, opt_.capacity_mc, 0, 0, 0, 0};
    node.present = present_;
    {
      std::lock_guard lock(mu_);
      node.used_mc = UsedLocked();
      node.jobs = static_cast<int>(leases_.size());
    }
    int64_t sent = core::SteadyMillis();
    auto held = store_.Heartbeat(node, opt_.lease_ms);
    std::lock_guard lock(mu_);
    if (!held) {
      next_beat_ms_ = sent + std::min(500, opt_.heartbeat_ms);  // try again soon
    } else {
      std::map<std::string, Held> kept;
      for (const auto& l : *held) {
        auto it = leases_.find(l.job_id);
        if (it == leases_.end() || it->second.epoch != l.epoch) {
          release.push_back(l.job_id);  // not one this run claimed: let it go
          continue;
        }
        Held h = it->second;
        h.valid_until = sent + opt_.lease_ms - opt_.lease_margin_ms;
        kept[l.job_id] = h;
      }
      for (const auto& [id, h] : leases_) {
        if (!kept.count(id)) spdlog::warn("event=lease_lost job_id={} node={}", id, opt_.node_id);
      }
      leases_ = std::move(kept);
      last_beat_ok_ms_ = sent;
      SendLeasesLocked(core::SteadyMillis());
      next_beat_ms_ = sent + opt_.heartbeat_ms;
    }
  }
  if (!release.empty()) (void)store_.ReleaseLeases(opt_.holder, release);
  if (!claim_now && steady < next_claim_ms_) return;
  store::ClaimRequest req;
  req.holder = opt_.holder;
  req.lease_ms = opt_.lease_ms;
  req.capacity_mc = opt_.capacity_mc;
  req.cost = opt_.cost;
  req.defer_ms = opt_.prefer_decoder_ms;
  req.wait_after_ms = opt_.wait_after_ms;
  // A peer is live while its heartbeats come (one missed, plus the time a heartbeat takes).
  req.peer_window_ms = opt_.heartbeat_ms + opt_.heartbeat_ms / 2;
  {
    std::lock_guard lock(mu_);
    req.free_mc = opt_.capacity_mc - UsedLocked();
    std::set<std::string> inputs;
    for (const auto& [id, h] : leases_) inputs.insert(h.input_url);
    req.preferred_inputs.assign(inputs.begin(), inputs.end());
  }
  int64_t sent = core::SteadyMillis();
  next_claim_ms_ = sent + opt_.claim_ms;
  auto got = store_.ClaimJobs(req);
  if (!got || got->empty()) return;
  std::lock_guard lock(mu_);
  for (const auto& l : *got) {
    leases_[l.job_id] =
        Held{l.epoch, sent + opt_.lease_ms - opt_.lease_margin_ms, l.cost_mc, l.input_url};
    spdlog::info("event=lease_claimed job_id={} node={} epoch={} cost_mc={}", l.job_id,
                 opt_.node_id, l.epoch, l.cost_mc);
  }
}

void Supervisor::Spawn(Group& g, const std::vector<Job*>& first, int64_t now) {
  int out[2], in[2];
  if (pipe2(out, O_CLOEXEC) != 0) return;
  if (pipe2(in, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return;
  }
  std::string name = first.front()->job.job_id;  // for ps: the group's first job
  g.name = name;
  std::vector<std::string> args = {opt_.floe_binary, "--log-level", opt_.log_level, "run-job",
                                   "--group",        name,          "--lock-dir",   opt_.lock_dir};
  for (const auto& cidr : opt_.allow_net) args.insert(args.end(), {"--allow-net", cidr});
  if (!opt_.preview_dir.empty()) args.insert(args.end(), {"--preview-dir", opt_.preview_dir});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Its own small environment, built before fork (nothing allocates after it).
  std::vector<std::string> env = ChildEnvironment(environ);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the server died: stop (and flush) too
    if (getppid() != parent) _exit(0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    syscall(SYS_close_range, 3U, ~0U, 0U);  // no listening socket or database handle leaks
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    g.backoff.Reset();
    g.next_start_ms = now + opt_.min_backoff_ms;
    for (Job* j : first) j->last_error = "cannot start a process";
    return;
  }
  g.in_fd = in[1];
  g.pid = pid;
  g.started_ms = now;
  g.stopping = false;
  Command start;
  start.kind = CommandKind::kStart;
  start.input = InputOf(first.front()->job);
  start.lease_ms = LeaseLeftLocked(first, core::SteadyMillis());
  for (Job* j : first) {
    start.renditions.push_back(RenditionOf(j->job));
    j->added = true;
    j->added_ms = now;
    j->state = "starting";
  }
  Send(g, Encode(start));
  g.reader = std::thread([this, key = g.key, fd = out[0]] { ReadOutput(key, fd); });
  spdlog::info("event=job_process_started job_id={} jobs={} pid={}", name, first.size(), pid);
}

void Supervisor::ReadOutput(std::string group, int fd) {
  FILE* f = fdopen(fd, "r");
  if (!f) {
    close(fd);
    return;
  }
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, f)) > 0) {
    std::string_view line(buf, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    OnLine(group, std::string(line));
  }
  free(buf);
  fclose(f);
}

void Supervisor::OnLine(const std::string& group, const std::string& line) {
  auto report = ParseReport(line);
  if (!report) {
    spdlog::warn("event=bad_report reason=\"{}\"", report.error().message);
    return;
  }
  std::vector<Record> records;
  {
    std::lock_guard lock(mu_);
    auto g = groups_.find(group);
    if (g == groups_.end()) return;
    // The jobs it concerns: one, or (job_id empty) every job the process has.
    std::vector<Job*> targets;
    if (report->job_id.empty()) {
      targets = MembersLocked(group);
    } else if (auto it = jobs_.find(report->job_id);
               it != jobs_.end() && it->second->group == group && it->second->added) {
      targets.push_back(it->second.get());
    }
    int64_t now = clock_();
    switch (report->kind) {
      case ReportKind::kStats:
        for (Job* j : targets) j->stats_json = report->stats;
        break;
      case ReportKind::kEvent: {
        EventEffect effect = EffectOf(report->event);
        for (Job* j : targets) {
          // Waiting is said once per streak, not at every retry.
          if (effect.state && std::string_view(effect.state).rfind("waiting", 0) == 0 &&
              j->state == effect.state) {
            continue;
          }
          if (effect.state) j->state = effect.state;
          if (effect.record) {
            records.push_back({j->job.job_id, media::EventName(report->event), report->detail});
          }
        }
        break;
      }
      case ReportKind::kFailed:
        if (report->job_id.empty()) {  // the whole process: it is about to end
          g->second->fatal = report->detail;
          break;
        }
        for (Job* j : targets) {
          // Its rendition is out of the process; the others go on. It comes back after a
          // backoff of its own (an output not accepting it yet is waited for, not a failure).
          j->added = false;
          if (report->code == "OutputUnavailable") {
            j->next_add_ms = now + opt_.min_backoff_ms;
            if (j->state != "waiting-output") {
              j->state = "waiting-output";
              records.push_back({j->job.job_id, "output_waiting", report->detail});
            }
            continue;
          }
          if (now - j->added_ms >= opt_.stable_after_ms) j->backoff.Reset();
          int wait_ms = j->backoff.Next();
          j->next_add_ms = now + wait_ms;
          j->restarts++;
          j->state = "restarting";
          j->last_error = report->code + ": " + report->detail;
          std::string detail = j->last_error + "; restarting in " + std::to_string(wait_ms) + " ms";
          spdlog::warn("event=job_failed job_id={} reason=\"{}\"", j->job.job_id, detail);
          records.push_back({j->job.job_id, "failed", detail});
        }
        break;
      case ReportKind::kRemoved:
        for (Job* j : targets) {
          j->added = false;
          j->removing = false;
          if (!j->wanted) {
            spdlog::info("event=job_process_stopped job_id={}", j->job.job_id);
            jobs_.erase(j->job.job_id);
          }
        }
        break;
    }
  }
  if (report->kind == ReportKind::kRemoved || report->kind == ReportKind::kFailed) {
    gone_cv_.notify_all();
    Wake();
  }
  for (const auto& r : records) Event(r.job_id, r.event, r.detail);
}

void Supervisor::Event(const std::string& job_id, const std::string& event,
                       const std::string& detail) {
  if (auto r = store_.AddJobEvent({job_id, clock_(), event, detail}); !r) {
    spdlog::error("event=job_event_lost job_id={} event={}", job_id, event);
  }
}

}  // namespace floe::runtime
