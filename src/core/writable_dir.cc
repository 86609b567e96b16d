#include "core/writable_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace floe::core {

namespace {

Error NotWritable(const std::string& dir, const std::string& why) {
  return Error{"DirectoryNotWritable", 400, "The directory " + dir + " cannot be written: " + why,
               "Give Floe's user a writable directory there (in a cluster, shared storage "
               "every node mounts)."};
}

}  // namespace

Result<void> EnsureWritableDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return NotWritable(dir, ec.message());
  if (!std::filesystem::is_directory(dir, ec)) return NotWritable(dir, "not a directory");
  std::string probe = dir + "/.floe-write-check-" + std::to_string(::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return NotWritable(dir, std::strerror(errno));
  bool ok = ::write(fd, "floe\n", 5) == 5 && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!ok) return NotWritable(dir, std::strerror(saved));
  return {};
}

}  // namespace floe::core
