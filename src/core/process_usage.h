// CPU time, memory and open files of a process, read from /proc (Linux).
#pragma once

#include <optional>

namespace floe::core {

struct ProcessUsage {
  double cpu_seconds = 0;         // user + system
  double resident_bytes = 0;      // RSS
  double virtual_bytes = 0;       // address space
  double start_time_seconds = 0;  // Unix time it started
  double open_fds = 0;
};

// pid 0: this process. nullopt when the process is gone or /proc cannot be read.
std::optional<ProcessUsage> ReadProcessUsage(int pid = 0);

}  // namespace floe::core
