#include "auth/signature.h"

#include <algorithm>

#include "auth/crypto.h"
#include "core/strings.h"

namespace floe::auth {

using core::PercentEncode;

std::string V1StringToSign(const std::string& method, const Pairs& params) {
  Pairs sorted;
  for (const auto& p : params) {
    if (p.first != "Signature") sorted.push_back(p);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical;
  for (const auto& [k, v] : sorted) {
    if (!canonical.empty()) canonical.push_back('&');
    canonical += PercentEncode(k) + "=" + PercentEncode(v);
  }
  return method + "&" + PercentEncode("/") + "&" + PercentEncode(canonical);
}

std::string V1Signature(const std::string& secret, const std::string& string_to_sign) {
  return Base64(HmacSha1(secret + "&", string_to_sign));
}

namespace {
std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}
}  // namespace

bool ParseV3Authorization(const std::string& header, V3Authorization& out) {
  static const std::string kPrefix = "ACS3-HMAC-SHA256 ";
  if (header.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  std::string rest = header.substr(kPrefix.size());
  bool have_cred = false, have_headers = false, have_sig = false;
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t comma = rest.find(',', pos);
    if (comma == std::string::npos) comma = rest.size();
    std::string part = Trim(rest.substr(pos, comma - pos));
    pos = comma + 1;
    size_t eq = part.find('=');
    if (eq == std::string::npos) return false;
    std::string key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential") {
      out.access_key_id = value;
      have_cred = !value.empty();
    } else if (key == "SignedHeaders") {
      out.signed_headers.clear();
      size_t p = 0;
      while (p <= value.size()) {
        size_t semi = value.find(';', p);
        if (semi == std::string::npos) semi = value.size();
        if (semi > p) out.signed_headers.push_back(value.substr(p, semi - p));
        p = semi + 1;
      }
      have_headers = !out.signed_headers.empty();
    } else if (key == "Signature") {
      out.signature = value;
      have_sig = !value.empty();
    }
  }
  return have_cred && have_headers && have_sig;
}

std::string V3CanonicalRequest(const std::string& method, const std::string& path,
                               const Pairs& query, const Pairs& headers,
                               const std::vector<std::string>& signed_headers,
                               const std::string& body_sha256_hex) {
  Pairs q = query;
  std::stable_sort(q.begin(), q.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_query;
  for (const auto& [k, v] : q) {
    if (!canonical_query.empty()) canonical_query.push_back('&');
    // Names are encoded too (the V3 specification; the TS SDK's names need no encoding), so
    // that a decoded name carrying "=" or "&" cannot pass for other parameters.
    canonical_query += PercentEncode(k) + "=" + PercentEncode(v);
  }
  std::vector<std::string> names = signed_headers;
  std::sort(names.begin(), names.end());
  std::string canonical_headers;
  for (const auto& name : names) {
    std::vector<std::string> values;
    for (const auto& [k, v] : headers) {
      if (k == name) values.push_back(Trim(v));
    }
    std::sort(values.begin(), values.end());
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
    canonical_headers += name + ":" + joined + "\n";
  }
  std::string signed_list;
  for (const auto& n : names) signed_list += (signed_list.empty() ? "" : ";") + n;
  return method + "\n" + path + "\n" + canonical_query + "\n" + canonical_headers + "\n" +
         signed_list + "\n" + body_sha256_hex;
}

std::string V3StringToSign(const std::string& canonical_request) {
  return "ACS3-HMAC-SHA256\n" + Hex(Sha256(canonical_request));
}

std::string V3Signature(const std::string& secret, const std::string& string_to_sign) {
  return Hex(HmacSha256(secret, string_to_sign));
}

std::string SignV3(const std::string& method, const std::string& path, const Pairs& query,
                   Pairs& headers, const std::string& body, const std::string& access_key_id,
                   const std::string& access_key_secret) {
  std::string body_hash = Hex(Sha256(body));
  headers.emplace_back("x-acs-content-sha256", body_hash);
  std::vector<std::string> names;
  for (const auto& [k, v] : headers) {
    bool sign = k == "host" || k == "content-type" || k.rfind("x-acs-", 0) == 0;
    if (sign && std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
  }
  std::sort(names.begin(), names.end());
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ";") + n;
  std::string sts =
      V3StringToSign(V3CanonicalRequest(method, path, query, headers, names, body_hash));
  return "ACS3-HMAC-SHA256 Credential=" + access_key_id + ",SignedHeaders=" + list +
         ",Signature=" + V3Signature(access_key_secret, sts);
}

}  // namespace floe::auth
