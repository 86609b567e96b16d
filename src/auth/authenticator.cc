#include "auth/authenticator.h"

#include <algorithm>

#include "auth/crypto.h"
#include "core/strings.h"
#include "core/time.h"

namespace floe::auth {

using core::Error;
using core::Result;

namespace {

Error Incomplete(const std::string& what) {
  return {"IncompleteSignature", 400,
          "The request signature does not conform to Aliyun standards: " + what,
          "Sign the request with an official SDK."};
}

Error Mismatch(const std::string& string_to_sign) {
  return {"SignatureDoesNotMatch", 400,
          "Specified signature does not match our calculation. server string to sign is:" +
              string_to_sign,
          "Check your AccessKeySecret and that nothing changed the request after signing."};
}

const std::string* Find(const Pairs& pairs, const std::string& name) {
  for (const auto& [k, v] : pairs) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

Authenticator::Authenticator(store::Store& store, NonceCache& nonces, const SecretBox& box,
                             AuthOptions options, Clock clock)
    : store_(store), nonces_(nonces), box_(box), options_(options), clock_(std::move(clock)) {
  if (!clock_) clock_ = core::NowMillis;
}

Result<Principal> Authenticator::Authenticate(const SignedRequest& req) {
  int64_t now_ms = clock_();
  const std::string* authz = Find(req.headers, "authorization");
  if (authz && authz->rfind("ACS3-", 0) == 0) return VerifyV3(req, now_ms);
  return VerifyV1(req, now_ms);
}

Result<store::AccessKey> Authenticator::LookUpKey(const std::string& access_key_id) {
  auto key = cache_ ? cache_->GetAccessKey(access_key_id) : store_.GetAccessKey(access_key_id);
  if (!key) return key.error();
  if (!key->has_value()) {
    return Error{"InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.",
                 "Check the AccessKeyId."};
  }
  if (!(*key)->active) {
    return Error{"InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled.",
                 "Enable the AccessKey or use another one."};
  }
  store::AccessKey k = std::move(**key);
  if (k.sealed) {
    auto secret = box_.Open(k.secret);
    if (!secret) return Error::Internal("the AccessKey secret cannot be opened with master.key");
    k.secret = std::move(*secret);
  }
  return k;
}

Result<void> Authenticator::CheckTimestamp(int64_t signed_at_s, int64_t now_ms) {
  int64_t delta = signed_at_s * 1000 - now_ms;
  if (delta > options_.timestamp_window_ms || -delta > options_.timestamp_window_ms) {
    return Error{"InvalidTimeStamp.Expired", 400,
                 "Specified time stamp or date value is expired: " + core::FormatUtc(signed_at_s) +
                     " is more than 15 minutes from the server time " +
                     core::FormatUtc(now_ms / 1000) + ".",
                 "Synchronise the client's clock."};
  }
  return {};
}

Result<void> Authenticator::CheckNonce(const std::string& ak, const std::string& nonce,
                                       int64_t signed_at_s, int64_t now_ms) {
  int64_t expires = std::max(signed_at_s * 1000, now_ms) + options_.timestamp_window_ms;
  auto fresh = nonces_.Use(ak, nonce, now_ms, expires);
  if (!fresh) return fresh.error();
  if (!*fresh) {
    return Error{"SignatureNonceUsed", 400, "Specified signature nonce was used already.",
                 "Use a new SignatureNonce for every request."};
  }
  return {};
}

Result<Principal> Authenticator::VerifyV1(const SignedRequest& req, int64_t now_ms) {
  Pairs params = req.query;
  params.insert(params.end(), req.form.begin(), req.form.end());
  for (const char* field :
       {"AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp"}) {
    const std::string* v = Find(params, field);
    if (!v || v->empty()) return Incomplete(std::string(field) + " is missing.");
  }
  const std::string& method = *Find(params, "SignatureMethod");
  if (method != "HMAC-SHA1") {
    return Incomplete("SignatureMethod " + core::Excerpt(method) +
                      " is not supported; use HMAC-SHA1.");
  }
  if (const std::string* version = Find(params, "SignatureVersion"); version && *version != "1.0") {
    return Incomplete("SignatureVersion " + core::Excerpt(*version) +
                      " is not supported; use 1.0.");
  }
  const std::string& ak = *Find(params, "AccessKeyId");
  auto key = LookUpKey(ak);
  if (!key) return key.error();
  const std::string& ts = *Find(params, "Timestamp");
  auto signed_at = core::ParseUtc(ts);
  if (!signed_at) {
    return Error{"InvalidTimeStamp.Format", 400,
                 "Specified time stamp or date value is not well formatted: \"" +
                     core::Excerpt(ts) + "\"; expected YYYY-MM-DDThh:mm:ssZ in UTC.",
                 "Send the Timestamp in ISO 8601 UTC."};
  }
  if (auto r = CheckTimestamp(*signed_at, now_ms); !r) return r.error();
  std::string sts = V1StringToSign(req.method, params);
  if (!ConstantTimeEquals(V1Signature(key->secret, sts), *Find(params, "Signature"))) {
    return Mismatch(sts);
  }
  if (auto r = CheckNonce(ak, *Find(params, "SignatureNonce"), *signed_at, now_ms); !r) {
    return r.error();
  }
  return Principal{key->account_id, key->user_name, key->access_key_id};
}

Result<Principal> Authenticator::VerifyV3(const SignedRequest& req, int64_t now_ms) {
  V3Authorization authz;
  if (!ParseV3Authorization(*Find(req.headers, "authorization"), authz)) {
    return Incomplete(
        "the Authorization header must carry Credential, SignedHeaders and Signature.");
  }
  for (const char* h : {"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}) {
    const std::string* v = Find(req.headers, h);
    if (!v || v->empty()) return Incomplete(std::string("header ") + h + " is missing.");
  }
  // host and every x-acs-* header must be covered, so that none can be changed after signing.
  auto is_signed = [&](const std::string& name) {
    return std::find(authz.signed_headers.begin(), authz.signed_headers.end(), name) !=
           authz.signed_headers.end();
  };
  if (!is_signed("host")) return Incomplete("SignedHeaders must include host.");
  for (const auto& [name, value] : req.headers) {
    if (name.rfind("x-acs-", 0) == 0 && !is_signed(name)) {
      return Incomplete("SignedHeaders must include " + core::Excerpt(name) + ".");
    }
  }
  // Content-Type decides whether the body is read as parameters: it must be signed too (the
  // SDKs sign it), or changing it could drop signed parameters.
  if (!req.body.empty() && Find(req.headers, "content-type") && !is_signed("content-type")) {
    return Incomplete("SignedHeaders must include content-type.");
  }
  auto key = LookUpKey(authz.access_key_id);
  if (!key) return key.error();
  const std::string& date = *Find(req.headers, "x-acs-date");
  auto signed_at = core::ParseUtc(date);
  if (!signed_at) {
    return Error{"InvalidTimeStamp.Format", 400,
                 "Specified time stamp or date value is not well formatted: \"" +
                     core::Excerpt(date) + "\"; expected YYYY-MM-DDThh:mm:ssZ in UTC.",
                 "Send x-acs-date in ISO 8601 UTC."};
  }
  if (auto r = CheckTimestamp(*signed_at, now_ms); !r) return r.error();
  std::string body_hash = Hex(Sha256(req.body));
  std::string canonical = V3CanonicalRequest(req.method, req.path, req.query, req.headers,
                                             authz.signed_headers, body_hash);
  std::string sts = V3StringToSign(canonical);
  if (*Find(req.headers, "x-acs-content-sha256") != body_hash ||
      !ConstantTimeEquals(V3Signature(key->secret, sts), authz.signature)) {
    return Mismatch(sts);
  }
  if (auto r = CheckNonce(authz.access_key_id, *Find(req.headers, "x-acs-signature-nonce"),
                          *signed_at, now_ms);
      !r) {
    return r.error();
  }
  return Principal{key->account_id, key->user_name, key->access_key_id};
}

}  // namespace floe::auth
