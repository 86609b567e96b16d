#include "cli/run_job.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "cli/record.h"
#include "cli/transcode.h"
#include "core/backoff.h"
#include "core/json.h"
#include "core/time.h"
#include "core/writable_dir.h"
#include "ice/record_format.h"
#include "ice/snapshot_format.h"
#include "media/mux.h"
#include "media/net_guard.h"
#include "media/pipeline.h"
#include "runtime/protocol.h"

namespace floe::cli {

namespace {

using runtime::Report;
using runtime::ReportKind;

// The input preview's rendition: a copy of the input into HLS. Not a job id (those are
// [A-Za-z0-9_-]), so it never names one.
constexpr char kInputPreview[] = "#input";

// A record job's files close when its input has been away this long (and the job ends soon
// after: runtime/supervisor.h); a shorter gap continues them.
constexpr int64_t kRecordGapCloseMs = 180'000;

// A job's lock file, DIR/ID.lock, held with flock while its rendition runs here. The fd, or
// -1 while another process holds it. Whoever is done with a lock removes the file while still
// holding it: a lock on a removed file excludes nobody, so only the file that is there counts.
int TryLock(const std::string& path) {
  int fd = open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  struct stat held {
  }, now{};
  if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &held) != 0 || stat(path.c_str(), &now) != 0 ||
      held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
    close(fd);
    return -1;
  }
  return fd;
}

void Unlock(const std::string& path, int fd) {
  unlink(path.c_str());
  close(fd);
}

// The reports, one line each on standard output, from any thread.
class Reporter {
 public:
  void Send(const Report& r) {
    std::string line = runtime::Encode(r);
    std::lock_guard lock(mu_);
    std::cout << line << '\n' << std::flush;
  }
  void Event(const std::string& job_id, media::EventKind kind, std::string detail = "") {
    Send(Report{ReportKind::kEvent, job_id, kind, "", std::move(detail), ""});
  }
  void Failed(const std::string& job_id, const core::Error& e) {
    Send(Report{ReportKind::kFailed, job_id, media::EventKind::kStarted, e.code, e.message, ""});
  }

 private:
  std::mutex mu_;
};

// The jobs of one input and the pipeline that runs them; a new pipeline (with every job that
// holds its lock) after the input ends or cannot be reached.
class Group {
 public:
  Group(const RunJobArgs& args, runtime::InputSpec input, Reporter& out)
      : args_(args), input_(std::move(input)), out_(out) {}

  // A job joins: its rendition starts once its lock is free, the others never wait on it.
  void Add(const runtime::RenditionSpec& spec);
  // A job leaves: its rendition is flushed and finished, then its lock is let go.
  void Remove(const std::string& job_id);
  // Runs pipelines until Stop; an error is fatal for every job.
  core::Result<void> Run();
  void Stop();
  // The process is done: every lock it holds is let go (the file removed while still held),
  // and its previews are removed.
  void ReleaseLocks();

 private:
  struct Job {
    runtime::RenditionSpec spec;
    media::RenditionConfig rendition;
    int lock_fd = -1;  // -1: waiting for its lock
    bool in_pipeline = false;
    bool recovered = false;  // a record job: what a former process left was looked at
  };
  std::string LockPath(const std::string& id) const { return args_.lock_dir + "/" + id + ".lock"; }
  std::string PreviewOf(const std::string& id) const {
    return args_.preview_dir.empty() ? "" : args_.preview_dir + "/jobs/" + id;
  }
  std::string InputPreview() const {
    return args_.preview_dir + "/inputs/" + runtime::InputPreviewName(input_);
  }
  void AddRendition(const runtime::RenditionSpec& spec, media::RenditionConfig rendition);
  // A record job's rendition: the recorder into its bucket's directory (cli/record.h).
  core::Result<media::RenditionConfig> RecordingOf(const runtime::RenditionSpec& spec);
  // A snapshot job's rendition: its pictures into its bucket's directory, from the decode the
  // group's transcodes share.
  core::Result<media::RenditionConfig> SnapshotsOf(const runtime::RenditionSpec& spec);
  // A record job whose lock this process now holds: the files a former process of the job
  // left in progress (it died) are closed and reported (media/recorder.h, RecoverLeftovers).
  void RecoverRecording(const std::string& id);
  void Activate(const std::string& id);  // its lock is held: into the pipeline
  void Failed(const std::string& id, const core::Error& e);
  void TakeLocks(std::stop_token stop);
  void OnStats(const std::string& line);

  const RunJobArgs& args_;
  runtime::InputSpec input_;
  Reporter& out_;
  std::stop_source stop_;
  std::mutex mu_;
  std::condition_variable_any cv_;  // a job became active
  std::map<std::string, Job> jobs_;
  std::shared_ptr<media::Pipeline> current_;
  const std::string run_ = RecordRun();  // names this process's in-progress recordings
};

core::Result<media::RenditionConfig> Group::RecordingOf(const runtime::RenditionSpec& spec) {
  auto formats = ice::StoredRecordFormats(spec.template_config);
  if (formats.empty()) {
    return core::Error{"InvalidTemplate", 400, "the job's RecordFormat list cannot be read", ""};
  }
  // The bucket's directory: on shared storage in a cluster, which this node must be able to
  // write (a worker without it refuses the job here, and says why in the job's events).
  if (auto w = core::EnsureWritableDir(spec.output_url); !w) return w.error();
  std::string id = spec.job_id;
  auto rec = RecorderFor(formats, spec.output_url, id, run_, kRecordGapCloseMs,
                         [this, id](const media::RecordedFile& f) {
                           Report r{ReportKind::kFile, id, media::EventKind::kStarted, "", "", ""};
                           r.file = runtime::FileReport(f);
                           out_.Send(r);
                         });
  return RecordRendition(id, std::move(rec));
}

core::Result<media::RenditionConfig> Group::SnapshotsOf(const runtime::RenditionSpec& spec) {
  ice::SnapshotSettings settings = ice::StoredSnapshotSettings(spec.template_config);
  if (settings.time_interval_s <= 0 ||
      (settings.overwrite_format.empty() && settings.sequence_format.empty())) {
    return core::Error{"InvalidTemplate", 400, "the job's snapshot settings cannot be read", ""};
  }
  if (auto w = core::EnsureWritableDir(spec.output_url); !w) return w.error();
  std::string id = spec.job_id;
  media::SnapshotConfig snap;
  snap.dir = spec.output_url;
  snap.interval_s = settings.time_interval_s;
  if (!settings.overwrite_format.empty()) {
    snap.overwrite_object = [settings, id] { return ice::SnapshotOverwriteObject(settings, id); };
  }
  if (!settings.sequence_format.empty()) {
    snap.sequence_object = [settings, id](int sequence, int64_t unix_ms) {
      return ice::SnapshotSequenceObject(settings, id, sequence, unix_ms);
    };
    // Never over a picture an earlier process of the job took.
    snap.first_sequence =
        ice::FirstFreeSequence(settings, id, core::NowMillis(), [&](const std::string& object) {
          std::error_code ec;
          return std::filesystem::exists(std::filesystem::path(snap.dir) / object, ec);
        });
  }
  snap.on_shot = [this, id](const media::SnapshotShot& shot) {
    Report r{ReportKind::kFile, id, media::EventKind::kStarted, "", "", ""};
    r.file = runtime::ShotReport(shot);
    out_.Send(r);
  };
  media::RenditionConfig rendition;
  rendition.key = id;
  rendition.settings.type = "snapshot";
  rendition.snapshot = std::move(snap);
  return rendition;
}

void Group::Add(const runtime::RenditionSpec& spec) {
  if (spec.family == "record" || spec.family == "snapshot") {
    auto rendition = spec.family == "record" ? RecordingOf(spec) : SnapshotsOf(spec);
    if (!rendition) {
      out_.Failed(spec.job_id, rendition.error());
      return;
    }
    AddRendition(spec, std::move(*rendition));
    return;
  }
  nlohmann::json doc{{"Type", spec.type}};
  if (auto config = core::ParseJson(spec.template_config)) doc["TemplateConfig"] = *config;
  auto settings = TemplateSettings(doc);
  if (!settings) {
    out_.Failed(spec.job_id, settings.error());
    return;
  }
  std::vector<core::Endpoint> trusted;
  if (spec.trusted_output) {
    auto endpoints = TrustedEndpointsOf(spec.output_url);
    if (!endpoints) {
      out_.Failed(spec.job_id, endpoints.error());
      return;
    }
    trusted = std::move(*endpoints);
  }
  AddRendition(
      spec, media::RenditionConfig{spec.job_id, *settings, spec.output_url, PreviewOf(spec.job_id),
                                   /*hls_optional=*/true, std::move(trusted)});
}

void Group::AddRendition(const runtime::RenditionSpec& spec, media::RenditionConfig rendition) {
  {
    std::lock_guard lock(mu_);
    if (jobs_.count(spec.job_id)) return;  // runs already
    Job& job = jobs_[spec.job_id];
    job.spec = spec;
    job.rendition = std::move(rendition);
    job.lock_fd = TryLock(LockPath(spec.job_id));
    if (job.lock_fd < 0) {
      spdlog::info("event=job_lock_wait job_id={} reason=\"another process runs this job\"",
                   spec.job_id);
      out_.Event(spec.job_id, media::EventKind::kLockWait, "another process runs this job");
      return;  // TakeLocks tries again
    }
  }
  Activate(spec.job_id);
}

void Group::RecoverRecording(const std::string& id) {
  std::optional<media::RecorderConfig> rec;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end() || !it->second.rendition.record || it->second.recovered) return;
    it->second.recovered = true;
    rec = it->second.rendition.record;
  }
  auto left = media::RecoverLeftovers(rec->dir, RecordingFolder(id), run_ + "-", rec->naming);
  for (const auto& f : left.recovered) {
    spdlog::info("event=record_file_recovered job_id={} object=\"{}\" duration_s={:.1f}", id,
                 f.object, f.duration_s);
    rec->on_file(f);  // catalogued like a file this process closed
  }
  for (const auto& object : left.unreadable) {
    spdlog::warn("event=record_file_unreadable job_id={} object=\"{}\"", id, object);
    out_.Event(id, media::EventKind::kRecordFileUnreadable,
               object + " (left by a process that died) could not be read; it stays there");
  }
}

void Group::Activate(const std::string& id) {
  RecoverRecording(id);
  std::shared_ptr<media::Pipeline> pipeline;
  media::RenditionConfig rendition;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    if (current_ && !it->second.in_pipeline) {
      it->second.in_pipeline = true;
      pipeline = current_;
      rendition = it->second.rendition;
    }
  }
  cv_.notify_all();  // no pipeline yet: Run starts one with it
  if (!pipeline) return;
  auto r = pipeline->AddRendition(std::move(rendition));
  // A pipeline that ended meanwhile is followed by one that has this job.
  if (!r && r.error().code != "PipelineStopped") Failed(id, r.error());
}

void Group::Failed(const std::string& id, const core::Error& e) {
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    if (it->second.lock_fd >= 0) Unlock(LockPath(id), it->second.lock_fd);
    jobs_.erase(it);
  }
  spdlog::error("event=job_failed job_id={} reason=\"{}: {}\"", id, e.code, e.message);
  out_.Failed(id, e);  // the supervisor decides when it comes back
}

void Group::Remove(const std::string& id) {
  std::shared_ptr<media::Pipeline> pipeline;
  int fd = -1;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it != jobs_.end()) {
      fd = it->second.lock_fd;
      if (it->second.in_pipeline) pipeline = current_;
      jobs_.erase(it);
    }
  }
  if (pipeline) pipeline->RemoveRendition(id);
  std::error_code ec;
  if (!args_.preview_dir.empty()) std::filesystem::remove_all(PreviewOf(id), ec);
  if (fd >= 0) Unlock(LockPath(id), fd);  // last: then another process may run the job
  out_.Send(Report{ReportKind::kRemoved, id, media::EventKind::kStarted, "", "", ""});
}

void Group::TakeLocks(std::stop_token stop) {
  while (core::SleepUnlessStopped(stop, 100)) {
    std::vector<std::string> taken;
    {
      std::lock_guard lock(mu_);
      for (auto& [id, job] : jobs_) {
        if (job.lock_fd >= 0) continue;
        job.lock_fd = TryLock(LockPath(id));
        if (job.lock_fd >= 0) taken.push_back(id);
      }
    }
    for (const auto& id : taken) Activate(id);
  }
}

// One stats report per job: the input's figures and its own output's.
void Group::OnStats(const std::string& line) {
  auto doc = core::ParseJson(line);
  if (!doc || !doc->contains("outputs")) return;
  for (const auto& o : (*doc)["outputs"]) {
    if (!o.contains("rendition") || !o["rendition"].is_string()) continue;
    if (o["rendition"] == kInputPreview) continue;
    nlohmann::json job{{"input", (*doc)["input"]},
                       {"speed", o.value("speed", 0.0)},
                       {"audio_encoders", doc->value("audio_encoders", 0)},
                       {"outputs", nlohmann::json::array({o})}};
    out_.Send(Report{ReportKind::kStats, o["rendition"].get<std::string>(),
                     media::EventKind::kStarted, "", "", core::DumpJson(job)});
  }
}

core::Result<void> Group::Run() {
  std::filesystem::create_directories(args_.lock_dir);
  std::jthread locker([this](std::stop_token st) { TakeLocks(st); });
  core::Backoff backoff(500, 4'000);
  std::stop_token stop = stop_.get_token();
  while (!stop.stop_requested()) {
    std::shared_ptr<media::Pipeline> pipeline;
    {
      std::unique_lock lock(mu_);
      // Nothing to run before a job holds its lock.
      cv_.wait(lock, stop, [&] {
        for (const auto& [id, job] : jobs_) {
          if (job.lock_fd >= 0) return true;
        }
        return false;
      });
      if (stop.stop_requested()) break;
      media::PipelineConfig cfg;
      cfg.input_url = input_.url;
      cfg.backup_input_url = input_.backup_url;
      cfg.reconnect_window_ms = 0;  // a live job waits for its input for ever
      // An input not live yet is said so (event input_waiting) after this, then tried again.
      cfg.input.connect_timeout_ms = 5'000;
      for (auto& [id, job] : jobs_) {
        if (job.lock_fd < 0) continue;
        cfg.renditions.push_back(job.rendition);
        job.in_pipeline = true;
      }
      if (!args_.preview_dir.empty()) {
        media::EncodeSettings copy;
        copy.copy_video = copy.copy_audio = true;
        cfg.renditions.push_back({kInputPreview, copy, "", InputPreview(), true});
      }
      cfg.on_stats = [this](const std::string& line) { OnStats(line); };
      cfg.on_event = [this](const media::Event& e) {
        if (e.rendition != kInputPreview) out_.Event(e.rendition, e.kind, e.detail);
      };
      cfg.on_rendition_failed = [this](const std::string& key, const core::Error& e) {
        if (key == kInputPreview) {
          spdlog::warn("event=input_preview_failed reason=\"{}\"", e.message);
          return;
        }
        Failed(key, e);
      };
      pipeline = std::make_shared<media::Pipeline>(std::move(cfg));
      current_ = pipeline;
    }
    auto r = pipeline->Run();
    {
      std::lock_guard lock(mu_);
      current_.reset();
      for (auto& [id, job] : jobs_) job.in_pipeline = false;
    }
    if (stop.stop_requested()) break;
    if (r) {
      out_.Event("", media::EventKind::kInputWaiting, "the input ended; waiting for it again");
      backoff.Reset();
    } else if (r.error().code == "InputUnavailable") {
      out_.Event("", media::EventKind::kInputWaiting, r.error().message);
    } else {
      return r;
    }
    core::SleepUnlessStopped(stop, backoff.Next());
  }
  return {};
}

void Group::ReleaseLocks() {
  std::lock_guard lock(mu_);
  std::error_code ec;
  if (!args_.preview_dir.empty()) {
    for (const auto& [id, job] : jobs_) std::filesystem::remove_all(PreviewOf(id), ec);
    std::filesystem::remove_all(InputPreview(), ec);
  }
  // Last thing before the process ends: from here another process may run these jobs.
  for (auto& [id, job] : jobs_) {
    if (job.lock_fd >= 0) Unlock(LockPath(id), job.lock_fd);
    job.lock_fd = -1;
  }
}

void Group::Stop() {
  stop_.request_stop();
  std::shared_ptr<media::Pipeline> pipeline;
  {
    std::lock_guard lock(mu_);
    pipeline = current_;
  }
  if (pipeline) pipeline->Stop();
}

// Lines from standard input, read unbuffered (poll + read) so that a stop is seen at once.
class LineReader {
 public:
  // The next line; nullopt at the end of input, on a line over kMaxLine, or once stopped.
  std::optional<std::string> Next(std::stop_token stop) {
    char chunk[4096];
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      if (buf_.size() > runtime::kMaxLine || stop.stop_requested()) return std::nullopt;
      pollfd p{0, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      ssize_t got = read(0, chunk, sizeof chunk);
      if (got <= 0) return std::nullopt;
      buf_.append(chunk, static_cast<size_t>(got));
    }
  }

 private:
  std::string buf_;
};

// The fence (runtime/protocol.h): when the node's leases run out before it renews them, every
// output is cut at once (no flush: another node may be pushing these jobs already).
class LeaseFence {
 public:
  explicit LeaseFence(Reporter& out) : out_(out) {}
  void Extend(int64_t lease_ms) {
    deadline_ms_ = core::SteadyMillis() + lease_ms;
    media::FenceOutputsAt(deadline_ms_);  // outputs stop at the deadline even before the exit
  }
  void Watch(std::stop_token stop) {
    while (!stop.stop_requested()) {
      int64_t deadline = deadline_ms_.load();
      if (deadline > 0 && core::SteadyMillis() >= deadline) {
        spdlog::error("event=lease_expired action=exit");
        out_.Failed("", core::Error{"LeaseExpired", 503,
                                    "the node's lease on these jobs ran out before it renewed it; "
                                    "every output was cut",
                                    ""});
        _exit(75);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  Reporter& out_;
  std::atomic<int64_t> deadline_ms_{0};
};

// Commands until standard input ends (the supervisor is gone: stop too) or stop.
void ReadCommands(std::stop_token stop, LineReader& in, Group& group, LeaseFence& fence) {
  while (auto line = in.Next(stop)) {
    auto c = runtime::ParseCommand(*line);
    if (!c) {
      spdlog::warn("event=bad_command reason=\"{}\"", c.error().message);
      continue;
    }
    if (c->kind == runtime::CommandKind::kAdd) group.Add(c->renditions.front());
    if (c->kind == runtime::CommandKind::kRemove) group.Remove(c->job_id);
    if (c->kind == runtime::CommandKind::kLease) fence.Extend(c->lease_ms);
  }
  if (!stop.stop_requested()) group.Stop();
}

}  // namespace

int RunJob(const RunJobArgs& args) {
  // SIGTERM and SIGINT are for RunUntilSignal's watcher alone: blocked in every thread from here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  Reporter out;
  LineReader in;
  std::stop_source never;
  auto first = in.Next(never.get_token());
  auto start = runtime::ParseCommand(first.value_or(""));
  if (!start || start->kind != runtime::CommandKind::kStart) {
    out.Failed("", core::Error{"BadMessage", 400, "no start command on standard input", ""});
    return 1;
  }
  if (auto r = GuardNetwork(args.allow_net); !r) {
    out.Failed("", r.error());
    return 1;
  }
  LeaseFence fence(out);
  if (start->lease_ms > 0) fence.Extend(start->lease_ms);
  std::jthread watch([&](std::stop_token st) { fence.Watch(st); });
  Group group(args, start->input, out);
  for (const auto& spec : start->renditions) group.Add(spec);
  std::jthread reader([&](std::stop_token st) { ReadCommands(st, in, group, fence); });
  auto result = RunUntilSignal([&] { return group.Run(); }, [&] { group.Stop(); });
  reader.request_stop();
  reader.join();
  watch.request_stop();
  watch.join();
  group.ReleaseLocks();
  if (!result) {
    spdlog::error("event=job_failed reason=\"{}: {}\"", result.error().code,
                  result.error().message);
    out.Failed("", result.error());
    return 1;
  }
  spdlog::info("event=job_stopped");
  return 0;
}

}  // namespace floe::cli
