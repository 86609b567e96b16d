// Read-only files under one directory, served by name: the console's built files, the HLS of a
// preview. A name is one or more segments of [A-Za-z0-9._-] (no "." or ".." segment, no
// escapes), and the file opened must really lie under the directory (a link, to a file or a
// directory, that leads out of it is not followed), so no request can leave it; anything else
// is 404.
#pragma once

#include <string>

#include "http/message.h"

namespace floe::http {

// The file `name` (relative, e.g. "assets/app.js") under `root`, for GET and HEAD; 404 when
// absent or the name is not allowed, 405 for other methods. cache_control is sent as given.
Response ServeFile(const Request& req, const std::string& root, const std::string& name,
                   const std::string& cache_control);

// A built web app (the console) at `root`: "" is its index.html. When root holds no index.html
// at all, the 404 says `not_built` (never root itself: a client learns nothing of the server's
// file system).
Response ServeApp(const Request& req, const std::string& root, const std::string& name,
                  const std::string& cache_control, const std::string& not_built);

// Content-Type by extension (html, js, css, svg, png, json, m3u8, ts, m4s, mp4).
std::string ContentTypeOf(const std::string& name);

// True when `name` is a safe relative file name (see above).
bool IsSafeName(const std::string& name);

}  // namespace floe::http
