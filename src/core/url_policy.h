// Which URLs Floe may open for a user: the scheme decides the protocols libavformat may use,
// and nothing else (file:, pipe:, concat:, subfile:, data:, ...) is ever reachable.
#pragma once

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

}  // namespace floe::core
