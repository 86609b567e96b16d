#include "core/url_policy.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "core/strings.h"

namespace floe::core {

using core::Error;

namespace {

// SRT options a job may set, with their largest value (0: any text). Everything else (mode
// listener/rendezvous, which would bind a port on this machine, and unbounded buffers) is refused.
Result<void> CheckSrtOptions(const std::string& url, const std::string& field) {
  auto q = url.find('?');
  if (q == std::string::npos) return {};
  static const std::map<std::string, long long> kAllowed = {
      {"streamid", 0},
      {"passphrase", 0},
      {"pbkeylen", 32},
      {"latency", 10'000'000},
      {"rcvlatency", 10'000'000},
      {"peerlatency", 10'000'000},
      {"rcvbuf", 16 << 20},
      {"sndbuf", 16 << 20},
      {"connect_timeout", 30'000},
      {"mode", 0},
      {"transtype", 0},
  };
  std::string query = url.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = pair.substr(0, eq),
                value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    auto it = kAllowed.find(key);
    if (it == kAllowed.end()) {
      return Error::InvalidParameter(field, "the SRT option \"" + Excerpt(key, 32) +
                                                "\" is not allowed; allowed: streamid, "
                                                "passphrase, pbkeylen, latency, rcvlatency, "
                                                "peerlatency, rcvbuf, sndbuf, connect_timeout, "
                                                "mode=caller, transtype=live.");
    }
    if (key == "mode" && value != "caller") {
      return Error::InvalidParameter(field, "SRT mode must be caller (Floe never listens).");
    }
    if (key == "transtype" && value != "live") {
      return Error::InvalidParameter(field, "SRT transtype must be live.");
    }
    if (it->second > 0) {
      auto n = ParsePlainInt(value);
      if (!n || *n > it->second) {
        return Error::InvalidParameter(field, "the SRT option " + key +
                                                  " must be an integer of at most " +
                                                  std::to_string(it->second) + ".");
      }
    }
  }
  return {};
}

}  // namespace

Result<UrlPolicy> CheckUrl(const std::string& url, UrlRole role, const std::string& name) {
  const std::string field = !name.empty()             ? name
                            : role == UrlRole::kInput ? "InputUrl"
                                                      : "OutputUrl";
  auto colon = url.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Error::InvalidParameter(field, "\"" + Excerpt(url) + "\" is not a URL with a scheme.");
  }
  std::string scheme = url.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto refuse = [&](const std::string& allowed) -> Result<UrlPolicy> {
    return Error::InvalidParameter(field, "the protocol \"" + Excerpt(scheme, 32) +
                                              "\" is not allowed; allowed: " + allowed + ".");
  };
  bool has_authority = url.compare(colon, 3, "://") == 0 && url.size() > colon + 3;
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f)
      return Error::InvalidParameter(field, "it contains control characters.");
  }
  // A fragment is never sent to the server, so it could only hide what the path really is.
  if (url.find('#') != std::string::npos) {
    return Error::InvalidParameter(field, "a URL with a fragment (#) is not allowed.");
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
  if (scheme == "srt" && has_authority) {
    if (auto r = CheckSrtOptions(url, field); !r) return r.error();
    return UrlPolicy{scheme, "srt,udp"};
  }
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

std::optional<HostPort> UrlHostPort(const std::string& url) {
  auto scheme = url.find("://");
  size_t host_at = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?", host_at);
  std::string authority =
      url.substr(host_at, end == std::string::npos ? std::string::npos : end - host_at);
  HostPort out;
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else {
    out.host = authority;
  }
  if (out.host.empty()) return std::nullopt;
  if (!port.empty() || authority.back() == ':') {  // a port was given: it must be valid
    auto n = ParsePlainInt(port);
    if (!n || *n > 65535) return std::nullopt;
    out.port = static_cast<uint16_t>(*n);
  }
  return out;
}

}  // namespace floe::core
