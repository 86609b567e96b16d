#include "core/url_policy.h"

#include <algorithm>
#include <cctype>

namespace floe::core {

using core::Error;

Result<UrlPolicy> CheckUrl(const std::string& url, UrlRole role, const std::string& name) {
  const std::string field = !name.empty()             ? name
                            : role == UrlRole::kInput ? "InputUrl"
                                                      : "OutputUrl";
  auto colon = url.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Error::InvalidParameter(field, "\"" + url + "\" is not a URL with a scheme.");
  }
  std::string scheme = url.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto refuse = [&](const std::string& allowed) -> Result<UrlPolicy> {
    return Error::InvalidParameter(
        field, "the protocol \"" + scheme + "\" is not allowed; allowed: " + allowed + ".");
  };
  bool has_authority = url.compare(colon, 3, "://") == 0 && url.size() > colon + 3;
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f)
      return Error::InvalidParameter(field, "it contains control characters.");
  }
  if (role == UrlRole::kOutput) {
    if ((scheme == "rtmp" || scheme == "rtmps") && has_authority) {
      return UrlPolicy{scheme, scheme == "rtmp" ? "rtmp,tcp" : "rtmps,tcp,tls"};
    }
    return refuse("rtmp, rtmps");
  }
  if ((scheme == "rtmp" || scheme == "rtmps") && has_authority) {
    return UrlPolicy{scheme, scheme == "rtmp" ? "rtmp,tcp" : "rtmps,tcp,tls"};
  }
  if (scheme == "srt" && has_authority) return UrlPolicy{scheme, "srt,udp"};
  if ((scheme == "http" || scheme == "https") && has_authority) {
    std::string path = url.substr(0, url.find('?'));
    if (path.size() < 5 || path.compare(path.size() - 5, 5, ".m3u8") != 0) {
      return Error::InvalidParameter(field, "an http(s) input must be an HLS playlist (.m3u8).");
    }
    // Segments and keys of the playlist may come over http(s) only.
    return UrlPolicy{scheme, "hls,http,https,tcp,tls,crypto"};
  }
  return refuse("rtmp, rtmps, srt, http(s) (HLS .m3u8)");
}

}  // namespace floe::core
