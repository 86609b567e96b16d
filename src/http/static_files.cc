#include "http/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace floe::http {

namespace {

constexpr size_t kMaxFile = 32 << 20;  // the console's bundle, an HLS segment

}  // namespace

bool IsSafeName(const std::string& name) {
  if (name.empty() || name.size() > 256) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string seg = name.substr(start, slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
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
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "m3u8") return "application/vnd.apple.mpegurl";
  if (ext == "ts") return "video/mp2t";
  if (ext == "m4s" || ext == "mp4") return "video/mp4";
  return "application/octet-stream";
}

Response ServeFile(const Request& req, const std::string& root, const std::string& name,
                   const std::string& cache_control) {
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = PlainText(405, "Only GET and HEAD are served here.");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (!IsSafeName(name)) return PlainText(404, "Not found.");
  std::string path = root + "/" + name;
  // O_NOFOLLOW: a link planted in the directory is not followed out of it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return PlainText(404, "Not found.");
  struct stat st {};
  Response r;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) > kMaxFile) {
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

}  // namespace floe::http
