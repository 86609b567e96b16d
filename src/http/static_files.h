// Read-only files under one directory, served by name: the console's built files, the HLS of a
// preview, a bucket's files. A name is one or more segments of [A-Za-z0-9._-] (no "." or ".."
// segment, no escapes) or, for a bucket's objects, of any UTF-8 text but control characters
// and backslashes; the file opened must really lie under the directory (a link, to a file or
// a directory, that leads out of it is not followed), so no request can leave it; anything
// else is 404.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "http/message.h"

namespace floe::http {

enum class NameRule { kPortable, kObject };

// The file `name` (relative, e.g. "assets/app.js") under `root`, for GET and HEAD; 404 when
// absent or the name is not allowed, 405 for other methods. cache_control is sent as given.
Response ServeFile(const Request& req, const std::string& root, const std::string& name,
                   const std::string& cache_control, NameRule rule = NameRule::kPortable);

// A built web app (the console) at `root`: "" is its index.html. When root holds no index.html
// at all, the 404 says `not_built` (never root itself: a client learns nothing of the server's
// file system).
Response ServeApp(const Request& req, const std::string& root, const std::string& name,
                  const std::string& cache_control, const std::string& not_built);

// Content-Type by extension (html, js, css, svg, png, jpg, json, m3u8, ts, m4s, mp4, flv).
std::string ContentTypeOf(const std::string& name);

// A Range header's one range of bytes of a file of `size` bytes, inclusive; {0, -1} when it
// cannot be satisfied (416); nullopt when it is absent, malformed or several ranges (the whole
// file is sent). ServeFile answers a range with 206 and at most 32 MiB of it, Content-Range
// saying which; a file over 32 MiB is read only by range (413 otherwise).
struct ByteRange {
  int64_t first = 0, last = 0;
};
std::optional<ByteRange> ParseRange(const std::string& header, int64_t size);

// True when `name` is a safe relative file name under the rule (see above).
bool IsSafeName(const std::string& name, NameRule rule = NameRule::kPortable);

}  // namespace floe::http
