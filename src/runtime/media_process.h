// One media process (`floe run-job`) and its pipes: commands go to its standard input, one line
// each (runtime/protocol.h); its reports come from its standard output to a reader thread of
// its own, line by line. It dies with this process (PR_SET_PDEATHSIG: SIGTERM, so it flushes),
// gets a small environment of its own (runtime/child_env.h) and inherits no descriptor but its
// two pipes: no listening socket or database connection leaks into it.
//
// Not thread-safe: its owner serialises the calls (the reader thread only calls on_line).
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace floe::runtime {

class MediaProcess {
 public:
  using OnLine = std::function<void(const std::string& line)>;
  MediaProcess() = default;
  MediaProcess(const MediaProcess&) = delete;
  MediaProcess& operator=(const MediaProcess&) = delete;
  ~MediaProcess();  // a process still running is killed (SIGKILL) and reaped

  // Runs argv[0] with argv; false when no process could be started (an exec that fails is a
  // process that exits with code 127).
  bool Start(const std::vector<std::string>& argv, OnLine on_line);
  pid_t pid() const { return pid_; }  // 0: none running
  // Writes one line; false when the process is going (its end is seen by Reaped).
  bool Send(const std::string& line);
  void Signal(int sig);
  // Without waiting: how the process ended ("exit code 1", "killed by signal 9 (Killed)") once
  // it has; pid() is 0 from then on. nullopt while it runs (or when none ran).
  std::optional<std::string> Reaped();
  // After it ended: waits until the reader has passed on every line, closes the pipes.
  void Finish();
  // No process, no reader: nothing left to wait for.
  bool idle() const { return pid_ == 0 && !reader_.joinable(); }

 private:
  pid_t pid_ = 0;
  int in_fd_ = -1;  // its standard input
  std::thread reader_;
};

}  // namespace floe::runtime
