#include "cli/run_job.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/transcode.h"
#include "core/backoff.h"
#include "media/pipeline.h"

namespace floe::cli {

namespace {

bool Retryable(const core::Error& e) {
  return e.code == "InputUnavailable" || e.code == "OutputUnavailable";
}

void SleepUnlessStopped(int ms, const std::atomic<bool>& stop) {
  for (int waited = 0; waited < ms && !stop; waited += 20) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

int RunJob(const RunJobArgs& args) {
  std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  auto spec = nlohmann::json::parse(text, nullptr, false);  // written by the supervisor
  if (!spec.is_object() || !spec.contains("Type") || !spec.contains("InputUrl") ||
      !spec.contains("OutputUrl")) {
    spdlog::error("event=job_failed reason=\"no job spec on standard input\"");
    return 1;
  }
  auto settings = TemplateSettings(spec);
  if (!settings) {
    spdlog::error("event=job_failed reason=\"{}: {}\"", settings.error().code,
                  settings.error().message);
    return 1;
  }
  std::string trusted =
      spec.value("TrustedOutput", false) ? spec["OutputUrl"].get<std::string>() : std::string();
  if (auto r = GuardNetwork(args.allow_net, trusted); !r) {
    spdlog::error("event=job_failed reason=\"{}\"", r.error().message);
    return 1;
  }
  media::PipelineConfig cfg;
  cfg.input_url = spec["InputUrl"].get<std::string>();
  cfg.backup_input_url = spec.value("BackupInputUrl", std::string());
  cfg.reconnect_window_ms = 0;  // a live job waits for its input for ever
  // An input not live yet is said so (event=input_waiting) after this, then tried again.
  cfg.input.connect_timeout_ms = 5'000;
  cfg.renditions.push_back({*settings, spec["OutputUrl"].get<std::string>(), ""});
  cfg.on_stats = [](const std::string& line) { std::cout << line << std::endl; };

  std::atomic<bool> stop{false};
  std::string lock_path;  // removed (still locked) when this process is done with the job
  std::mutex mu;
  media::Pipeline* current = nullptr;
  auto result = RunUntilSignal(
      [&]() -> core::Result<void> {
        // One process per job at a time: wait for an earlier one (a server that crashed and
        // restarted) to be gone. The lock goes with this process, however it ends.
        std::filesystem::create_directories(args.lock_dir);
        std::string path = args.lock_dir + "/" + args.job_id + ".lock";
        int fd = -1;
        bool said = false;
        for (;;) {
          fd = open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
          if (fd < 0) return core::Error{"JobLockFailed", 500, "cannot open " + path, ""};
          while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            if (stop) {
              close(fd);
              return {};
            }
            if (!said) spdlog::info("event=job_lock_wait reason=\"another process runs this job\"");
            said = true;
            SleepUnlessStopped(100, stop);
          }
          // The holder before us removes the file when it is done: a lock on a removed file
          // excludes nobody, so take the file that is there now.
          struct stat held {
          }, now{};
          if (fstat(fd, &held) == 0 && stat(path.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
              held.st_dev == now.st_dev) {
            break;
          }
          close(fd);
        }
        lock_path = path;
        core::Backoff backoff(500, 4'000);
        while (!stop) {
          auto pipeline = std::make_unique<media::Pipeline>(cfg);
          {
            std::lock_guard lock(mu);
            current = pipeline.get();
          }
          auto r = pipeline->Run();
          {
            std::lock_guard lock(mu);
            current = nullptr;
          }
          if (stop) break;
          if (r) {
            spdlog::info("event=input_waiting reason=\"the input ended; waiting for it again\"");
            backoff.Reset();
          } else if (Retryable(r.error())) {
            spdlog::info("event={}_waiting reason=\"{}\"",
                         r.error().code == "OutputUnavailable" ? "output" : "input",
                         r.error().message);
          } else {
            return r;
          }
          SleepUnlessStopped(backoff.Next(), stop);
        }
        return {};
      },
      [&] {
        stop = true;
        std::lock_guard lock(mu);
        if (current) current->Stop();
      });
  // Still holding the lock: whoever waits for it sees the file gone and takes a new one.
  if (!lock_path.empty()) unlink(lock_path.c_str());
  if (!result) {
    spdlog::error("event=job_failed reason=\"{}: {}\"", result.error().code,
                  result.error().message);
    return 1;
  }
  spdlog::info("event=job_stopped");
  return 0;
}

}  // namespace floe::cli
