// Signature canonicalisation on arbitrary requests: the V3 Authorization header, query pairs,
// headers and body split out of the input; V1's string to sign over the same pairs.
#include <cstdint>
#include <string>
#include <vector>

#include "auth/signature.h"
#include "http/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  // header \n query \n headers(k:v;k:v) \n body
  std::vector<std::string> parts(4);
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    size_t nl = in.find('\n', at);
    if (nl == std::string::npos) {
      parts[i] = in.substr(at);
      at = in.size();
      break;
    }
    parts[i] = in.substr(at, nl - at);
    at = nl + 1;
  }
  if (at < in.size()) parts[3] = in.substr(at);
  floe::auth::V3Authorization authz;
  bool ok = floe::auth::ParseV3Authorization(parts[0], authz);
  floe::auth::Pairs query;
  (void)floe::http::ParseQuery(parts[1], query);
  floe::auth::Pairs headers;
  size_t p = 0;
  while (p < parts[2].size()) {
    size_t semi = parts[2].find(';', p);
    if (semi == std::string::npos) semi = parts[2].size();
    std::string h = parts[2].substr(p, semi - p);
    size_t colon = h.find(':');
    if (colon != std::string::npos) headers.emplace_back(h.substr(0, colon), h.substr(colon + 1));
    p = semi + 1;
  }
  std::vector<std::string> signed_headers =
      ok ? authz.signed_headers : std::vector<std::string>{"host"};
  std::string canonical =
      floe::auth::V3CanonicalRequest("POST", "/", query, headers, signed_headers, parts[3]);
  (void)floe::auth::V3StringToSign(canonical);
  (void)floe::auth::V1StringToSign("GET", query);
  return 0;
}
