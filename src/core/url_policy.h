// Which URLs Floe may open for a user: the scheme decides the protocols libavformat may use,
// and nothing else (file:, pipe:, concat:, subfile:, data:, ...) is ever reachable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace floe::core {

enum class UrlRole { kInput, kOutput };

struct UrlPolicy {
  std::string scheme;              // "rtmp", "srt", "https", ...
  std::string protocol_whitelist;  // for AVFormatContext::protocol_whitelist
};

// InvalidParameter ("... protocol X is not allowed ...") for anything outside the whitelist:
// inputs rtmp(s)://, srt://, http(s)://…m3u8; outputs rtmp(s)://. The media engine checks every
// URL it opens; the API checks the URLs a job names with the same rules. `field` names the
// parameter in the error (default: InputUrl or OutputUrl).
Result<UrlPolicy> CheckUrl(const std::string& url, UrlRole role, const std::string& field = {});

// The host and port of scheme://host[:port]/… ([v6] brackets removed); port 0 when absent.
// nullopt when there is no host or the port is not a number up to 65535.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
std::optional<HostPort> UrlHostPort(const std::string& url);

}  // namespace floe::core
