// Request signatures of Alibaba Cloud's OpenAPI, computed as the official SDKs compute them:
// V1 (HMAC-SHA1 over the sorted parameters) and V3 (ACS3-HMAC-SHA256 over a canonical request).
// Pure functions: the Authenticator decides what to compare them with.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace floe::auth {

using Pairs = std::vector<std::pair<std::string, std::string>>;  // decoded name/value pairs

// V1: "METHOD&%2F&" + pct(canonical query of every parameter except Signature).
std::string V1StringToSign(const std::string& method, const Pairs& params);
// V1: base64(HMAC-SHA1(secret + "&", string to sign)).
std::string V1Signature(const std::string& secret, const std::string& string_to_sign);

struct V3Authorization {
  std::string access_key_id;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // hex
};
// Parses "ACS3-HMAC-SHA256 Credential=...,SignedHeaders=a;b,Signature=..."; false if malformed.
bool ParseV3Authorization(const std::string& header, V3Authorization& out);

// V3 canonical request: METHOD \n path \n query \n headers \n signed names \n body hash.
// `query` are the URL's decoded pairs; `headers` the request's (lower-case names).
std::string V3CanonicalRequest(const std::string& method, const std::string& path,
                               const Pairs& query, const Pairs& headers,
                               const std::vector<std::string>& signed_headers,
                               const std::string& body_sha256_hex);
// "ACS3-HMAC-SHA256\n" + hex(sha256(canonical request)).
std::string V3StringToSign(const std::string& canonical_request);
// hex(HMAC-SHA256(secret, string to sign)).
std::string V3Signature(const std::string& secret, const std::string& string_to_sign);

// The client's side (floe ice): adds x-acs-content-sha256 to `headers` (which must hold host,
// x-acs-action, x-acs-version, x-acs-date and x-acs-signature-nonce), signs host, content-type
// and every x-acs-* header, and returns the Authorization header's value.
std::string SignV3(const std::string& method, const std::string& path, const Pairs& query,
                   Pairs& headers, const std::string& body, const std::string& access_key_id,
                   const std::string& access_key_secret);

}  // namespace floe::auth
