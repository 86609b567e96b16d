#include "http/static_files.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "core/strings.h"

namespace floe::http {

namespace {

// The most one answer carries: a whole file (the console's bundle, an HLS segment) or one part
// of a bigger one (a recording), which a player asks for by Range.
constexpr size_t kMaxFile = 32 << 20;

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

std::optional<ByteRange> ParseRange(const std::string& header, int64_t size) {
  // One range of bytes: "bytes=FIRST-LAST", "bytes=FIRST-" or "bytes=-SUFFIX".
  const std::string unit = "bytes=";
  if (header.rfind(unit, 0) != 0 || size <= 0) return std::nullopt;
  std::string spec = header.substr(unit.size());
  auto dash = spec.find('-');
  if (dash == std::string::npos || spec.find_first_not_of("0123456789-") != std::string::npos ||
      spec.find('-', dash + 1) != std::string::npos) {
    return std::nullopt;  // not a number, or several ranges: the whole file instead
  }
  auto number = [](const std::string& s) -> std::optional<int64_t> {
    if (s.empty() || s.size() > 18) return std::nullopt;
    return std::stoll(s);
  };
  const std::string first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
  auto first = number(first_text);
  auto last = number(last_text);
  if ((!first_text.empty() && !first) || (!last_text.empty() && !last) || (!first && !last)) {
    return std::nullopt;
  }
  ByteRange r;
  if (!first) {
    if (*last == 0) return ByteRange{0, -1};  // unsatisfiable
    r.first = std::max<int64_t>(0, size - *last);
    r.last = size - 1;
  } else {
    if (*first >= size) return ByteRange{0, -1};
    r.first = *first;
    r.last = last ? std::min(*last, size - 1) : size - 1;
    if (r.last < r.first) return std::nullopt;
  }
  return r;
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
      !S_ISREG(st.st_mode)) {
    ::close(fd);
    return PlainText(404, "Not found.");
  }
  const int64_t size = st.st_size;
  int64_t first = 0, count = size;
  auto range = ParseRange(req.Header("range"), size);
  if (range && range->last < range->first) {
    ::close(fd);
    Response bad = PlainText(416, "Range not satisfiable.");
    bad.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return bad;
  }
  if (range) {
    // At most kMaxFile of it: Content-Range says what came, the player asks for the rest.
    first = range->first;
    count = std::min<int64_t>(range->last - range->first + 1, kMaxFile);
    r.status = 206;
  } else if (static_cast<size_t>(size) > kMaxFile) {
    ::close(fd);
    Response big = PlainText(413, "This file is read in parts: send a Range header.");
    big.headers.emplace_back("Accept-Ranges", "bytes");
    return big;
  }
  r.body.resize(req.method == "HEAD" ? 0 : static_cast<size_t>(count));
  size_t got = 0;
  while (got < r.body.size()) {
    ssize_t n = ::pread(fd, r.body.data() + got, r.body.size() - got,
                        static_cast<off_t>(first + static_cast<int64_t>(got)));
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  r.body.resize(got);  // a segment being rewritten: what was there
  if (range) {
    // What was read, which a file that shrank meanwhile makes shorter than what was asked.
    int64_t sent = req.method == "HEAD" ? count : static_cast<int64_t>(got);
    if (sent == 0) {
      Response gone = PlainText(416, "Range not satisfiable.");
      gone.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
      return gone;
    }
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                std::to_string(first + sent - 1) + "/" +
                                                std::to_string(size));
  }
  r.content_type = ContentTypeOf(name);
  r.headers.emplace_back("Accept-Ranges", "bytes");
  r.headers.emplace_back("Cache-Control", cache_control);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
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
