// A directory this process must write into (a bucket's): created when missing, then proved
// writable by creating, syncing and removing a probe file in it. A mount that went read-only,
// a full disk or a missing permission shows here, before any file of a job is lost.
#pragma once

#include <string>

#include "core/result.h"

namespace floe::core {

// DirectoryNotWritable (its message names the directory and the system's reason) otherwise.
Result<void> EnsureWritableDir(const std::string& dir);

}  // namespace floe::core
