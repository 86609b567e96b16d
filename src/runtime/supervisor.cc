#include "runtime/supervisor.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "core/time.h"
#include "runtime/protocol.h"
#include "runtime/timed_jobs.h"

namespace floe::runtime {

namespace {

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
    : store_(store),
      opt_(std::move(options)),
      clock_(clock ? std::move(clock) : Clock(core::NowMillis)),
      leases_(store_, opt_),
      catalogue_(
          store_, clock_,
          [this](const std::string& id, const std::string& event, const std::string& detail) {
            Event(id, event, detail);
          },
          opt_.callback) {}

Supervisor::~Supervisor() {
  Shutdown();
}

void Supervisor::Start() {
  loop_ = std::thread([this] { Loop(); });
  // Jobs freed or submitted anywhere in the cluster are claimed at once, not at the next tick.
  store_.WatchClaims([this] { WakeForClaims(); });
}

void Supervisor::WakeForClaims() {
  {
    std::lock_guard lock(mu_);
    claims_wake_ = true;
    claim_now_ = true;
  }
  cv_.notify_all();
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
    pid = g->second->proc.pid();
    stopping = stopping || g->second->stopping;
  }
  return JobProcessView{stopping && j.added ? "stopping" : j.state,
                        static_cast<int>(pid),
                        j.restarts,
                        j.added_ms,
                        j.last_error,
                        j.stats_json,
                        j.files,
                        j.file_bytes};
}

Supervisor::Sample Supervisor::Snapshot() {
  std::lock_guard lock(mu_);
  Sample s;
  for (const auto& [id, j] : jobs_) {
    s.jobs.push_back({id, j->job.template_id, ViewLocked(*j), j->job.family});
  }
  for (const auto& [key, g] : groups_) {
    if (g->proc.pid() > 0) s.processes.push_back({g->name, static_cast<int>(g->proc.pid())});
  }
  s.node_id = opt_.node_id;
  s.capacity_mc = opt_.capacity_mc;
  s.used_mc = leases_.used_mc();
  s.leases = leases_.count();
  s.heartbeat_age_ms = leases_.heartbeat_age_ms();
  s.record_files = record_files_;
  s.record_file_bytes = record_file_bytes_;
  s.snapshots = snapshots_;
  s.snapshot_bytes = snapshot_bytes_;
  return s;
}

void Supervisor::Shutdown() {
  store_.WatchClaims(nullptr);
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
  for (auto& g : groups) g->proc.Signal(SIGTERM);
  int64_t deadline = core::SteadyMillis() + opt_.stop_grace_ms;
  for (auto& g : groups) {
    while (g->proc.pid() > 0 && !g->proc.Reaped()) {
      if (core::SteadyMillis() >= deadline) g->proc.Signal(SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    g->proc.Finish();
  }
  {
    std::lock_guard lock(mu_);
    groups_.clear();
    jobs_.clear();
  }
  leases_.Clear();
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
      // The watcher's look when a lease runs out or a gone node's grace ends, not a tick later.
      if (next_look_ms_ > 0) {
        wait_ms = std::clamp<int64_t>(next_look_ms_ - core::SteadyMillis(), 0, wait_ms);
      }
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                   [&] { return wake_ || stop_ || claims_wake_; });
      if (stop_) return;
      if (claims_wake_ && !wake_) {  // a burst of notifications: a tick every kClaimWakeGapMs
        const int64_t early = last_tick_ms_ + kClaimWakeGapMs - core::SteadyMillis();
        if (early > 0) {
          cv_.wait_for(lock, std::chrono::milliseconds(early), [&] { return wake_ || stop_; });
        }
        if (stop_) return;
      }
      wake_ = false;
      claims_wake_ = false;
      last_tick_ms_ = core::SteadyMillis();
    }
    try {
      Tick();
    } catch (const std::exception& e) {
      spdlog::error("event=supervisor_error error=\"{}\"", e.what());
    }
  }
}

std::vector<Supervisor::Job*> Supervisor::MembersLocked(const std::string& group) {
  std::vector<Job*> out;
  for (auto& [id, j] : jobs_) {
    if (j->group == group && j->added) out.push_back(j.get());
  }
  return out;
}

void Supervisor::Tick() {
  // First: a node cut off from the database must learn it (and cut its outputs) even when the
  // rest of this tick cannot reach the store.
  auto presence = leases_.TendPresence();
  if (presence.lost) CutOutputs();
  {
    std::lock_guard lock(mu_);
    next_look_ms_ = presence.look_in_ms >= 0 && presence.look_in_ms < opt_.tick_ms
                        ? core::SteadyMillis() + presence.look_in_ms
                        : 0;
  }
  bool claim_now = presence.claim_now;
  auto live = store_.ListLiveJobs();
  if (!live) return;  // the store logged why; try again next tick
  int64_t now = clock_();
  claim_now = AdvanceTimedJobs(store_, *live, now) || claim_now;
  {
    std::lock_guard lock(mu_);
    claim_now = claim_now || claim_now_;
    claim_now_ = false;
  }
  if (leases_.Keep(*live, claim_now)) {
    std::lock_guard lock(mu_);
    SendLeasesLocked(core::SteadyMillis());  // renewed: every process is told how long
  }
  const int64_t next_timed = NextTimedMs(*live, now);
  std::vector<std::shared_ptr<Group>> exited;
  std::vector<store::JobRecord> input_gone;
  {
    std::lock_guard lock(mu_);
    // What runs here: the running jobs this node holds a lease on.
    std::map<std::string, const store::JobRecord*> wanted;
    for (const auto& job : *live) {
      if (job.status == store::JobStatus::kRunning && leases_.Holds(job.job_id)) {
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
        j->input_seen_ms = now;
      }
    }
    for (auto& [id, j] : jobs_) j->wanted = wanted.count(id) > 0;
    input_gone = InputGoneLocked(now);
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
      if (others && !j.removing && g->proc.pid() > 0 && !g->stopping) {
        Command c;
        c.kind = CommandKind::kRemove;
        c.job_id = j.job.job_id;
        g->proc.Send(Encode(c));
        j.removing = true;
        j.remove_by_ms = now + opt_.rendition_stop_ms;
      }
      if (j.removing && now >= j.remove_by_ms && g->proc.pid() > 0 && !g->stopping) {
        // Its rendition did not finish in time: the process goes (its other jobs restart).
        spdlog::warn("event=rendition_stop_timeout job_id={}", j.job.job_id);
        g->proc.Signal(SIGKILL);
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
      if (!any_wanted && g->proc.pid() > 0 && !g->stopping) {
        g->proc.Signal(SIGTERM);  // none of its jobs runs any more
        g->stopping = true;
        g->kill_at_ms = now + opt_.stop_grace_ms;
      }
      if (g->stopping && now >= g->kill_at_ms) g->proc.Signal(SIGKILL);
      if (!add.empty() && g->proc.pid() == 0 && now >= g->next_start_ms) {
        Spawn(*g, add, now);
      } else if (!add.empty() && g->proc.pid() > 0 && !g->stopping) {
        for (Job* j : add) {
          Command c;
          c.kind = CommandKind::kAdd;
          c.renditions.push_back(RenditionOf(j->job));
          if (!g->proc.Send(Encode(c))) break;
          j->added = true;
          j->added_ms = now;
          j->filed = false;
          j->state = "starting";
        }
      }
      if (auto reason = g->proc.Reaped()) {
        g->exit_reason = *reason;  // joined with its last words once all is read
        exited.push_back(g);
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
  EndInputGone(input_gone, now);
}

std::vector<store::JobRecord> Supervisor::InputGoneLocked(int64_t now) {
  std::vector<store::JobRecord> gone;
  for (auto& [id, j] : jobs_) {
    if (!j->wanted || j->job.family == "transcode") continue;
    if (j->state == "running") {
      j->input_seen_ms = now;  // there until now (a process that dies leaves it "running" last)
      continue;
    }
    if (now - j->input_seen_ms >= opt_.record_input_wait_ms) gone.push_back(j->job);
  }
  return gone;
}

void Supervisor::EndInputGone(const std::vector<store::JobRecord>& jobs, int64_t now) {
  for (const auto& job : jobs) {
    std::string why =
        "no input for " + std::to_string(opt_.record_input_wait_ms / 1000) +
        (job.family == "snapshot" ? " s: the snapshots stop" : " s: the recording ends");
    auto r = store_.UpdateJob(
        job.account_id, job.job_id,
        [&](const store::JobRecord& cur,
            std::vector<store::JobEvent>& events) -> core::Result<store::JobRecord> {
          store::JobRecord next = cur;
          if (cur.status == store::JobStatus::kRunning) {
            next.status = store::JobStatus::kStopped;
            events.push_back({"", now, "stopped", why});
          }
          return next;
        });
    if (!r) {
      spdlog::error("event=job_end_error job_id={} error=\"{}\"", job.job_id, r.error().message);
      continue;
    }
    spdlog::info("event=record_job_ended job_id={} reason=\"{}\"", job.job_id, why);
    catalogue_.Notify(job, "stopped", {{"Reason", why}});
  }
  if (!jobs.empty()) Wake();
}

void Supervisor::CountFile(const store::JobRecord& job, int64_t bytes) {
  std::lock_guard lock(mu_);
  if (job.family == "snapshot") {
    ++snapshots_;
    snapshot_bytes_ += bytes;
  } else {
    ++record_files_;
    record_file_bytes_ += bytes;
  }
  if (auto it = jobs_.find(job.job_id); it != jobs_.end()) {
    it->second->files++;
    it->second->file_bytes += bytes;
  }
}

void Supervisor::Reap(std::vector<std::shared_ptr<Group>>& exited, int64_t now) {
  // Readers end at EOF once their process is gone; wait for them without holding the lock
  // (they take it to pass each line on).
  for (auto& g : exited) g->proc.Finish();
  std::vector<Record> records;
  {
    std::lock_guard lock(mu_);
    for (auto& g : exited) {
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
      if (!used && it->second->proc.idle()) {
        it = groups_.erase(it);
      } else {
        ++it;
      }
    }
  }
  gone_cv_.notify_all();
  for (const auto& r : records) Event(r.job_id, r.event, r.detail);
}

int64_t Supervisor::LeaseLeftLocked(const std::vector<Job*>& jobs, int64_t steady) const {
  return leases_.LeftFor(
      jobs, [](const Job* j) -> const std::string& { return j->job.job_id; }, steady);
}

void Supervisor::SendLeasesLocked(int64_t steady) {
  for (auto& [key, g] : groups_) {
    if (g->proc.pid() <= 0 || g->stopping) continue;
    auto members = MembersLocked(key);
    if (members.empty()) continue;
    Command c;
    c.kind = CommandKind::kLease;
    c.lease_ms = LeaseLeftLocked(members, steady);
    if (c.lease_ms > 0) g->proc.Send(Encode(c));  // none held: it is being stopped
  }
}

void Supervisor::CutOutputs() {
  // The watcher may hand these jobs to other nodes within kPresenceGraceMs: cut now.
  std::lock_guard lock(mu_);
  for (auto& [key, g] : groups_) {
    if (g->proc.pid() <= 0 || g->stopping) continue;
    Command c;
    c.kind = CommandKind::kLease;
    c.lease_ms = 1;  // its fence cuts every output and ends the process
    g->proc.Send(Encode(c));
  }
}

void Supervisor::Spawn(Group& g, const std::vector<Job*>& first, int64_t now) {
  std::string name = first.front()->job.job_id;  // for ps: the group's first job
  g.name = name;
  std::vector<std::string> args = {opt_.floe_binary, "--log-level", opt_.log_level, "run-job",
                                   "--group",        name,          "--lock-dir",   opt_.lock_dir};
  for (const auto& cidr : opt_.allow_net) args.insert(args.end(), {"--allow-net", cidr});
  if (!opt_.preview_dir.empty()) args.insert(args.end(), {"--preview-dir", opt_.preview_dir});
  if (!g.proc.Start(args, [this, key = g.key](const std::string& line) { OnLine(key, line); })) {
    g.backoff.Reset();
    g.next_start_ms = now + opt_.min_backoff_ms;
    for (Job* j : first) j->last_error = "cannot start a process";
    return;
  }
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
    j->filed = false;
    j->state = "starting";
  }
  g.proc.Send(Encode(start));
  spdlog::info("event=job_process_started job_id={} jobs={} pid={}", name, first.size(),
               g.proc.pid());
}

void Supervisor::OnLine(const std::string& group, const std::string& line) {
  auto report = ParseReport(line);
  if (!report) {
    spdlog::warn("event=bad_report reason=\"{}\"", report.error().message);
    return;
  }
  std::vector<Record> records;
  std::optional<store::JobRecord> file_of;  // kFile: the job whose file it is
  bool first_file = false;                  // … and its first since it was added
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
      case ReportKind::kFile:
        // Whatever the job's state now (a file closes as its job is removed or stopped).
        if (auto it = jobs_.find(report->job_id); it != jobs_.end() && it->second->group == group) {
          file_of = it->second->job;
          first_file = !it->second->filed;
          it->second->filed = true;
        } else {
          spdlog::error("event=record_file_uncatalogued job_id={} reason=\"no such job here\"",
                        report->job_id);
        }
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
  if (file_of) {
    if (auto bytes = catalogue_.Add(*file_of, report->file, first_file))
      CountFile(*file_of, *bytes);
  }
}

void Supervisor::Event(const std::string& job_id, const std::string& event,
                       const std::string& detail) {
  if (auto r = store_.AddJobEvent({job_id, clock_(), event, detail}); !r) {
    spdlog::error("event=job_event_lost job_id={} event={}", job_id, event);
  }
}

}  // namespace floe::runtime
