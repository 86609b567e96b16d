#include "http/static_files.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "core/strings.h"

namespace floe::http {

namespace {

constexpr size_t kMaxFile = 32 << 20;  // the console's bundle, an HLS segment

std::optional<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  if (!real) return std::nullopt;
  return std::string(real.get());
}

// The path of the file `fd` is open on, links resolved (Linux: /proc/self/fd/N): what was
// opened, not what a name means a moment later.
std::optional<std::string> RealPathOf(int fd) {
  char buf[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

bool IsUnder(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() + 1 && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

}  // namespace

bool IsSafeName(const std::string& name, NameRule rule) {
  if (rule == NameRule::kObject && !core::IsValidUtf8(name)) return false;
  if (name.empty() || name.size() > (rule == NameRule::kObject ? 1024 : 256)) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string seg = name.substr(start, slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      bool ok = rule == NameRule::kObject
                    ? (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '\\')
                    : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

std::string ContentTypeOf(const std::string& name) {
  auto dot = name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "flv") return "video/x-flv";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "m3u8") return "application/vnd.apple.mpegurl";
  if (ext == "ts") return "video/mp2t";
  if (ext == "m4s" || ext == "mp4") return "video/mp4";
  return "application/octet-stream";
}

Response ServeFile(const Request& req, const std::string& root, const std::string& name,
                   const std::string& cache_control, NameRule rule) {
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = PlainText(405, "Only GET and HEAD are served here.");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (!IsSafeName(name, rule)) return PlainText(404, "Not found.");
  std::string path = root + "/" + name;
  // O_NOFOLLOW refuses a link as the file itself; a linked directory on the way is caught by
  // comparing the real path of what was opened with the directory's.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return PlainText(404, "Not found.");
  auto real_root = RealPath(root);
  auto real = RealPathOf(fd);
  struct stat st {};
  Response r;
  if (!real_root || !real || !IsUnder(*real, *real_root) || ::fstat(fd, &st) != 0 ||
      !S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) > kMaxFile) {
    ::close(fd);
    return PlainText(404, "Not found.");
  }
  r.body.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < r.body.size()) {
    ssize_t n = ::read(fd, r.body.data() + got, r.body.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  r.body.resize(got);  // a segment being rewritten: what was there
  r.content_type = ContentTypeOf(name);
  r.headers.emplace_back("Cache-Control", cache_control);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (req.method == "HEAD") r.body.clear();
  return r;
}

Response ServeApp(const Request& req, const std::string& root, const std::string& name,
                  const std::string& cache_control, const std::string& not_built) {
  Response r = ServeFile(req, root, name.empty() ? "index.html" : name, cache_control);
  struct stat st {};
  if (r.status == 404 && ::stat((root + "/index.html").c_str(), &st) != 0) {
    r.body = not_built + "\n";
  }
  return r;
}

}  // namespace floe::http
