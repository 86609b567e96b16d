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
#include <vector>

#include "core/time.h"

namespace floe::runtime {

namespace {

// The value of key="..." or key=word in a log line; empty when absent.
std::string Field(const std::string& line, const std::string& key) {
  auto at = line.find(" " + key + "=");
  if (at == std::string::npos) return {};
  at += key.size() + 2;
  if (at < line.size() && line[at] == '"') {
    auto end = line.find('"', at + 1);
    return line.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
  }
  auto end = line.find(' ', at);
  return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::string ExitReason(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + (name ? name : "?") +
           ")";
  }
  return "ended";
}

}  // namespace

std::string RunJobSpec(const store::JobRecord& job) {
  nlohmann::json spec{{"JobId", job.job_id},
                      {"InputUrl", job.input_url},
                      {"BackupInputUrl", job.backup_input_url},
                      {"OutputUrl", job.output_url},
                      {"Type", job.template_type},
                      // The operator's LiveCenter push base: reachable whatever --allow-net says.
                      {"TrustedOutput", job.output_type == "LiveCenter"},
                      {"TemplateConfig", nlohmann::json::parse(job.template_config)}};
  return spec.dump();
}

Supervisor::Supervisor(store::Store& store, SupervisorOptions options, Clock clock)
    : store_(store), opt_(std::move(options)), clock_(std::move(clock)) {
  if (!clock_) clock_ = core::NowMillis;
}

Supervisor::~Supervisor() {
  Shutdown();
}

void Supervisor::Start() {
  loop_ = std::thread([this] { Loop(); });
}

void Supervisor::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

bool Supervisor::WaitStopped(const std::string& job_id, std::chrono::milliseconds limit) {
  Wake();
  std::unique_lock lock(mu_);
  return gone_cv_.wait_for(lock, limit, [&] {
    auto it = procs_.find(job_id);
    return it == procs_.end() || it->second->pid == 0;
  });
}

std::optional<JobProcessView> Supervisor::View(const std::string& job_id) {
  std::lock_guard lock(mu_);
  auto it = procs_.find(job_id);
  if (it == procs_.end()) return std::nullopt;
  const Proc& p = *it->second;
  return JobProcessView{p.stopping ? "stopping" : p.state,
                        static_cast<int>(p.pid),
                        p.restarts,
                        p.started_ms,
                        p.last_error,
                        p.stats_json};
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
  std::vector<std::shared_ptr<Proc>> procs;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, p] : procs_) procs.push_back(p);
  }
  for (auto& p : procs) {
    if (p->pid > 0) kill(p->pid, SIGTERM);
  }
  int64_t deadline = core::SteadyMillis() + opt_.stop_grace_ms;
  for (auto& p : procs) {
    while (p->pid > 0) {
      int status = 0;
      pid_t r = waitpid(p->pid, &status, WNOHANG);
      if (r == p->pid || r < 0) {
        p->pid = 0;
        break;
      }
      if (core::SteadyMillis() >= deadline) kill(p->pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (p->reader.joinable()) p->reader.join();
  }
  std::lock_guard lock(mu_);
  procs_.clear();
}

void Supervisor::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // While a process is being stopped, look often: its SIGKILL is due at the end of the grace
      // period, and the API waits for it to be gone.
      // A timed job's StartTime or EndTime is met on time, not at the next tick.
      bool stopping = false;
      for (const auto& [id, p] : procs_) stopping = stopping || p->stopping;
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

void Supervisor::AdvanceTimedJobs(std::vector<store::JobRecord>& jobs, int64_t now) {
  for (auto& job : jobs) {
    if (job.start_mode != 1) continue;
    bool start = job.status == 0 && job.start_time_ms <= now;
    bool end = job.end_time_ms > 0 && job.end_time_ms <= now;
    if (!start && !end) continue;
    int status = job.status;
    auto r = store_.UpdateJob(
        job.account_id, job.job_id,
        [&](const store::JobRecord& cur,
            std::vector<store::JobEvent>& events) -> core::Result<store::JobRecord> {
          store::JobRecord next = cur;
          status = cur.status;
          if (cur.status == 2) return next;  // stopped meanwhile: it stays stopped
          if (end) {
            next.status = 2;
            events.push_back({"", now, "stopped", "EndTime reached"});
          } else if (cur.status == 0) {
            next.status = 1;
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
    spdlog::info("event=job_{} job_id={}", status == 2 ? "ended" : "scheduled_start", job.job_id);
  }
}

void Supervisor::Tick() {
  auto live = store_.ListLiveJobs();
  if (!live) return;  // the store logged why; try again next tick
  int64_t now = clock_();
  AdvanceTimedJobs(*live, now);
  int64_t next_timed = 0;
  for (const auto& job : *live) {
    for (int64_t t : {job.status == 0 ? job.start_time_ms : 0, job.end_time_ms}) {
      if (job.start_mode == 1 && t > now && (next_timed == 0 || t < next_timed)) next_timed = t;
    }
  }
  std::map<std::string, const store::JobRecord*> wanted;
  for (const auto& job : *live) {
    if (job.status == 1) wanted[job.job_id] = &job;
  }

  std::vector<std::shared_ptr<Proc>> exited;
  {
    std::lock_guard lock(mu_);
    next_timed_ms_ = next_timed;
    for (auto& [id, job] : wanted) {
      auto& p = procs_[id];
      if (!p) {
        p = std::make_shared<Proc>();
        p->job = *job;
        p->next_start_ms = now;
      }
      p->wanted = true;
    }
    for (auto it = procs_.begin(); it != procs_.end();) {
      auto& p = it->second;
      if (wanted.count(it->first)) {
        ++it;
        continue;
      }
      p->wanted = false;
      if (p->pid == 0) {  // no process (e.g. waiting to restart): nothing to stop
        it = procs_.erase(it);
        continue;
      }
      if (!p->stopping) {
        kill(p->pid, SIGTERM);
        p->stopping = true;
        p->kill_at_ms = now + opt_.stop_grace_ms;
      }
      ++it;
    }
    for (auto& [id, p] : procs_) {
      if (p->stopping && p->pid > 0 && now >= p->kill_at_ms) kill(p->pid, SIGKILL);
      if (p->wanted && p->pid == 0 && now >= p->next_start_ms) Spawn(*p, now);
      if (p->pid > 0) {
        int status = 0;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
          p->exit_reason = ExitReason(status);  // joined with its last words once all is read
          p->pid = 0;
          exited.push_back(p);
        }
      }
    }
  }
  // Readers end at EOF once their process is gone; join them without holding the lock.
  for (auto& p : exited) {
    if (p->reader.joinable()) p->reader.join();
  }
  std::vector<store::JobEvent> failures;
  std::unique_lock lock(mu_);
  for (auto& p : exited) {
    const std::string& id = p->job.job_id;
    // The reader has read everything the process said: its reason goes after the exit status.
    p->last_error = p->last_error.empty() ? p->exit_reason : p->exit_reason + ": " + p->last_error;
    if (!p->wanted) {
      spdlog::info("event=job_process_stopped job_id={}", id);
      procs_.erase(id);
      continue;
    }
    // It died while its job should run: a failure. Restart with backoff.
    bool stable = now - p->started_ms >= opt_.stable_after_ms;
    p->backoff_ms = stable || p->backoff_ms == 0 ? opt_.min_backoff_ms
                                                 : std::min(p->backoff_ms * 2, opt_.max_backoff_ms);
    p->next_start_ms = now + p->backoff_ms;
    p->restarts++;
    p->state = "restarting";
    std::string detail = p->last_error + "; restarting in " + std::to_string(p->backoff_ms) + " ms";
    spdlog::warn("event=job_failed job_id={} reason=\"{}\"", id, detail);
    failures.push_back({id, now, "failed", detail});
  }
  lock.unlock();
  gone_cv_.notify_all();
  for (const auto& e : failures) Event(e.job_id, e.event, e.detail);
}

void Supervisor::Spawn(Proc& p, int64_t now) {
  int out[2], in[2];
  if (pipe2(out, O_CLOEXEC) != 0) return;
  if (pipe2(in, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return;
  }
  std::vector<std::string> args = {opt_.floe_binary, "--log-level", opt_.log_level, "run-job",
                                   "--job-id",       p.job.job_id,  "--lock-dir",   opt_.lock_dir};
  for (const auto& cidr : opt_.allow_net) args.insert(args.end(), {"--allow-net", cidr});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the server died: stop (and flush) too
    if (getppid() != parent) _exit(0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    syscall(SYS_close_range, 3U, ~0U, 0U);  // no listening socket or database handle leaks
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    p.last_error = "cannot start a process";
    p.next_start_ms = now + opt_.min_backoff_ms;
    return;
  }
  std::string spec = RunJobSpec(p.job);
  for (size_t done = 0; done < spec.size();) {
    ssize_t n = write(in[1], spec.data() + done, spec.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(in[1]);
  p.pid = pid;
  p.started_ms = now;
  p.stopping = false;
  p.state = "starting";
  p.last_error.clear();
  p.reader = std::thread([this, id = p.job.job_id, fd = out[0]] { ReadOutput(id, fd); });
  spdlog::info("event=job_process_started job_id={} pid={}", p.job.job_id, pid);
}

void Supervisor::ReadOutput(std::string job_id, int fd) {
  FILE* f = fdopen(fd, "r");
  if (!f) {
    close(fd);
    return;
  }
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, f)) > 0) {
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    OnLine(job_id, line);
  }
  free(buf);
  fclose(f);
}

void Supervisor::OnLine(const std::string& job_id, const std::string& line) {
  if (!line.empty() && line.front() == '{') {  // a stats line
    std::lock_guard lock(mu_);
    if (auto it = procs_.find(job_id); it != procs_.end()) it->second->stats_json = line;
    return;
  }
  std::fprintf(stderr, "%s job_id=%s\n", line.c_str(), job_id.c_str());
  std::string event = Field(line, "event");
  std::string reason = Field(line, "reason");
  std::string state, record;
  if (event == "pipeline_started") {
    state = "running";
    record = "started";
  } else if (event == "input_lost") {
    state = "input-lost";
    record = "input_lost";
  } else if (event == "input_reconnected") {
    state = "running";
    record = "reconnected";
  } else if (event == "input_stalled") {
    state = "input-stalled";
    record = event;
  } else if (event == "input_resumed") {
    state = "running";
    record = event;
  } else if (event == "output_lost" || event == "output_reconnected" || event == "input_ended" ||
             event == "copy_stopped" || event == "input_discontinuity" ||
             event == "input_switched" || event == "input_connected") {
    record = event;
  } else if (event == "input_waiting" || event == "output_waiting") {
    state = event == "input_waiting" ? "waiting-input" : "waiting-output";
    record = event;
  } else if (event == "job_failed") {
    std::lock_guard lock(mu_);
    if (auto it = procs_.find(job_id); it != procs_.end()) it->second->last_error = reason;
    return;
  } else {
    return;
  }
  {
    std::lock_guard lock(mu_);
    auto it = procs_.find(job_id);
    if (it == procs_.end()) return;
    // Waiting is said once per streak, not at every retry.
    if (!state.empty() && state.rfind("waiting", 0) == 0 && it->second->state == state) return;
    if (!state.empty()) it->second->state = state;
  }
  Event(job_id, record, reason);
}

void Supervisor::Event(const std::string& job_id, const std::string& event,
                       const std::string& detail) {
  if (auto r = store_.AddJobEvent({job_id, clock_(), event, detail}); !r) {
    spdlog::error("event=job_event_lost job_id={} event={}", job_id, event);
  }
}

}  // namespace floe::runtime
