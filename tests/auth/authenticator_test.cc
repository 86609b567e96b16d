#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "core/strings.h"
#include "core/time.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::auth {
namespace {

constexpr int64_t kNow = 1'795'000'000'000;  // fixed server clock (ms)

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest()
      : store_(dir_.File("floe.db")),
        box_(std::string(32, 'k')),
        nonces_(store_),
        authn_(store_, nonces_, box_, {}, [this] { return now_; }) {
    const std::string acc = "1000000000000001";
    EXPECT_TRUE(store_.CreateAccount({acc, "root", true, 0}).ok());
    EXPECT_TRUE(store_.CreateAccessKey({"LTAIactive", box_.Seal("s3cret"), acc, "", true, 0}).ok());
    EXPECT_TRUE(store_.CreateAccessKey({"LTAIoff", box_.Seal("s3cret"), acc, "", false, 0}).ok());
    // A key written before secrets were sealed (schema < 3) still verifies.
    EXPECT_TRUE(store_.CreateAccessKey({"LTAIlegacy", "s3cret", acc, "", true, 0, false}).ok());
  }

  // A V1 request signed as pop-core signs it.
  SignedRequest V1(const std::string& method, Pairs params, const std::string& secret = "s3cret") {
    Pairs all = {{"AccessKeyId", "LTAIactive"},
                 {"SignatureMethod", "HMAC-SHA1"},
                 {"SignatureVersion", "1.0"},
                 {"SignatureNonce", "nonce-" + std::to_string(++n_)},
                 {"Timestamp", core::FormatUtc(now_ / 1000)},
                 {"Format", "JSON"}};
    for (auto& p : params) {
      bool replaced = false;
      for (auto& a : all) {
        if (a.first == p.first) a.second = p.second, replaced = true;
      }
      if (!replaced) all.push_back(p);
    }
    all.emplace_back("Signature", V1Signature(secret, V1StringToSign(method, all)));
    SignedRequest r;
    r.method = method;
    r.path = "/";
    (method == "GET" ? r.query : r.form) = all;
    return r;
  }

  // A V3 request signed as @alicloud/openapi-client signs it.
  SignedRequest V3(Pairs query, const std::string& body = "",
                   const std::string& secret = "s3cret") {
    SignedRequest r;
    r.method = "POST";
    r.path = "/";
    r.query = std::move(query);
    r.body = body;
    r.headers = {{"host", "127.0.0.1:8080"},
                 {"x-acs-action", "GetLiveTranscodeTemplate"},
                 {"x-acs-version", "2020-11-09"},
                 {"x-acs-date", core::FormatUtc(now_ / 1000)},
                 {"x-acs-signature-nonce", "v3-nonce-" + std::to_string(++n_)},
                 {"x-acs-content-sha256", Hex(Sha256(body))},
                 {"user-agent", "test"}};
    std::vector<std::string> names = {"host",       "x-acs-action",          "x-acs-content-sha256",
                                      "x-acs-date", "x-acs-signature-nonce", "x-acs-version"};
    std::string sig =
        V3Signature(secret, V3StringToSign(V3CanonicalRequest("POST", "/", r.query, r.headers,
                                                              names, Hex(Sha256(body)))));
    r.headers.emplace_back("authorization",
                           "ACS3-HMAC-SHA256 Credential=LTAIactive,SignedHeaders=host;x-acs-action;"
                           "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
                           "Signature=" +
                               sig);
    return r;
  }

  static std::string Code(const core::Result<Principal>& r) { return r ? "OK" : r.error().code; }

  static void Set(Pairs& pairs, const std::string& name, const std::string& value) {
    for (auto& p : pairs) {
      if (p.first == name) p.second = value;
    }
  }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  SecretBox box_;
  StoreNonceCache nonces_;
  int64_t now_ = kNow;
  Authenticator authn_;
  int n_ = 0;
};

TEST_F(AuthenticatorTest, AcceptsV1GetAndPost) {
  for (const char* method : {"GET", "POST"}) {
    auto r = authn_.Authenticate(V1(method, {{"Action", "GetLiveTranscodeTemplate"}}));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->account_id, "1000000000000001");
    EXPECT_EQ(r->access_key_id, "LTAIactive");
    EXPECT_TRUE(r->IsRoot());
  }
}

TEST_F(AuthenticatorTest, AcceptsAKeyStoredBeforeSecretsWereSealed) {
  auto r = authn_.Authenticate(V1("GET", {{"AccessKeyId", "LTAIlegacy"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->access_key_id, "LTAIlegacy");
}

TEST_F(AuthenticatorTest, NoncesSurviveARestart) {
  auto req = V1("GET", {});
  EXPECT_EQ(Code(authn_.Authenticate(req)), "OK");
  store::sqlite::SqliteStore reopened(dir_.File("floe.db"));
  StoreNonceCache nonces(reopened);
  Authenticator after(reopened, nonces, box_, {}, [this] { return now_; });
  EXPECT_EQ(Code(after.Authenticate(req)), "SignatureNonceUsed");
}

TEST_F(AuthenticatorTest, V1ParameterChangedAfterSigningFails) {
  auto req = V1("GET", {{"TemplateId", "aaaa"}});
  Set(req.query, "TemplateId", "bbbb");
  auto r = authn_.Authenticate(req);
  EXPECT_EQ(Code(r), "SignatureDoesNotMatch");
  EXPECT_NE(r.error().message.find("GET&%2F&"), std::string::npos);  // shows the string to sign
}

TEST_F(AuthenticatorTest, V1WrongSecretOrMethodFails) {
  EXPECT_EQ(Code(authn_.Authenticate(V1("GET", {}, "other"))), "SignatureDoesNotMatch");
  auto req = V1("GET", {});
  req.method = "POST";  // signed for GET, sent as POST
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureDoesNotMatch");
}

TEST_F(AuthenticatorTest, V1MissingFieldsAreIncomplete) {
  for (const char* field :
       {"AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "SignatureMethod"}) {
    auto req = V1("GET", {});
    std::erase_if(req.query, [&](const auto& p) { return p.first == field; });
    auto r = authn_.Authenticate(req);
    EXPECT_EQ(Code(r), "IncompleteSignature") << field;
    EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(Code(authn_.Authenticate(V1("GET", {{"SignatureMethod", "HMAC-SHA256"}}))),
            "IncompleteSignature");
}

TEST_F(AuthenticatorTest, UnknownAndInactiveKeys) {
  auto r = authn_.Authenticate(V1("GET", {{"AccessKeyId", "LTAInobody"}}));
  EXPECT_EQ(Code(r), "InvalidAccessKeyId.NotFound");
  EXPECT_EQ(r.error().http_status, 404);
  r = authn_.Authenticate(V1("GET", {{"AccessKeyId", "LTAIoff"}}));
  EXPECT_EQ(Code(r), "InvalidAccessKeyId.Inactive");
  EXPECT_EQ(r.error().http_status, 400);
}

TEST_F(AuthenticatorTest, TimestampWindowIsFifteenMinutes) {
  int64_t base = now_ / 1000;
  EXPECT_EQ(Code(authn_.Authenticate(V1("GET", {{"Timestamp", core::FormatUtc(base - 900)}}))),
            "OK");
  EXPECT_EQ(Code(authn_.Authenticate(V1("GET", {{"Timestamp", core::FormatUtc(base + 900)}}))),
            "OK");
  EXPECT_EQ(Code(authn_.Authenticate(V1("GET", {{"Timestamp", core::FormatUtc(base - 901)}}))),
            "InvalidTimeStamp.Expired");
  EXPECT_EQ(Code(authn_.Authenticate(V1("GET", {{"Timestamp", core::FormatUtc(base + 901)}}))),
            "InvalidTimeStamp.Expired");
  EXPECT_EQ(Code(authn_.Authenticate(V1("GET", {{"Timestamp", "2026-11-24 10:00:00"}}))),
            "InvalidTimeStamp.Format");
}

TEST_F(AuthenticatorTest, ReplayedNonceIsRefusedAfterAValidUse) {
  auto req = V1("GET", {});
  EXPECT_EQ(Code(authn_.Authenticate(req)), "OK");
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureNonceUsed");
  now_ += 10 * 60 * 1000;  // still inside the window of the request's timestamp
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureNonceUsed");
}

TEST_F(AuthenticatorTest, ForgedRequestDoesNotBurnTheNonce) {
  auto good = V1("GET", {});
  auto forged = good;
  Set(forged.query, "Format", "XML");
  EXPECT_EQ(Code(authn_.Authenticate(forged)), "SignatureDoesNotMatch");
  EXPECT_EQ(Code(authn_.Authenticate(good)), "OK");
}

TEST_F(AuthenticatorTest, AcceptsV3) {
  auto r = authn_.Authenticate(V3({{"TemplateId", "abc def*"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->access_key_id, "LTAIactive");
  auto with_body = authn_.Authenticate(V3({}, "TemplateId=abc"));
  ASSERT_TRUE(with_body.ok()) << with_body.error().message;
}

// floe ice signs with SignV3: the server accepts what it signs, and a changed parameter or
// header breaks the signature.
TEST_F(AuthenticatorTest, AcceptsWhatTheClientSignerSigns) {
  SignedRequest r;
  r.method = "POST";
  r.path = "/";
  r.query = {{"TemplateConfig", "{\"VideoParams\": {\"Height\": 720}}"}, {"Name", "a b&c"}};
  r.headers = {{"host", "127.0.0.1:8080"},
               {"x-acs-action", "CreateLiveTranscodeTemplate"},
               {"x-acs-version", "2020-11-09"},
               {"x-acs-date", core::FormatUtc(now_ / 1000)},
               {"x-acs-signature-nonce", "client-nonce"}};
  std::string authz = SignV3(r.method, r.path, r.query, r.headers, "", "LTAIactive", "s3cret");
  r.headers.emplace_back("authorization", authz);
  EXPECT_NE(authz.find("SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
                       "x-acs-signature-nonce;x-acs-version,"),
            std::string::npos);
  SignedRequest changed = r;
  Set(changed.query, "Name", "a b&d");
  EXPECT_EQ(Code(authn_.Authenticate(changed)), "SignatureDoesNotMatch");
  changed = r;
  Set(changed.headers, "x-acs-action", "DeleteLiveTranscodeTemplate");
  EXPECT_EQ(Code(authn_.Authenticate(changed)), "SignatureDoesNotMatch");
  auto ok = authn_.Authenticate(r);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->access_key_id, "LTAIactive");
}

TEST_F(AuthenticatorTest, V3TamperingFails) {
  auto req = V3({{"TemplateId", "aaaa"}});
  Set(req.query, "TemplateId", "bbbb");
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureDoesNotMatch");

  req = V3({}, "TemplateId=aaaa");
  req.body = "TemplateId=bbbb";  // body changed, header hash kept
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureDoesNotMatch");

  req = V3({});
  Set(req.headers, "x-acs-action", "DeleteLiveTranscodeTemplate");
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureDoesNotMatch");

  EXPECT_EQ(Code(authn_.Authenticate(V3({}, "", "wrong"))), "SignatureDoesNotMatch");
}

TEST_F(AuthenticatorTest, V3UnsignedAcsHeaderIsIncomplete) {
  auto req = V3({});
  req.headers.emplace_back("x-acs-extra", "sneaked in");
  auto r = authn_.Authenticate(req);
  EXPECT_EQ(Code(r), "IncompleteSignature");
  EXPECT_NE(r.error().message.find("x-acs-extra"), std::string::npos);
}

TEST_F(AuthenticatorTest, V3ReplayAndTimestamp) {
  auto req = V3({});
  EXPECT_EQ(Code(authn_.Authenticate(req)), "OK");
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureNonceUsed");
  now_ += 16 * 60 * 1000;
  EXPECT_EQ(Code(authn_.Authenticate(req)), "InvalidTimeStamp.Expired");
}

TEST_F(AuthenticatorTest, NonceIsStillKnownAtTheLastMomentOfTheWindow) {
  auto req = V1("GET", {});
  EXPECT_EQ(Code(authn_.Authenticate(req)), "OK");
  now_ += 15 * 60 * 1000;  // the timestamp is still accepted at exactly the window's edge
  EXPECT_EQ(Code(authn_.Authenticate(req)), "SignatureNonceUsed");
  now_ += 1;
  EXPECT_EQ(Code(authn_.Authenticate(req)), "InvalidTimeStamp.Expired");
}

TEST_F(AuthenticatorTest, V3QueryNamesAreEncodedSoAnEscapedNameCannotStandForTwoParameters) {
  auto req = V3({{"PageSize", "1"}, {"Type", "audio-only"}});
  EXPECT_EQ(Code(authn_.Authenticate(req)), "OK");
  // ?PageSize%3D1%26Type=audio-only decodes to one parameter named "PageSize=1&Type".
  auto forged = V3({{"PageSize", "1"}, {"Type", "audio-only"}});
  forged.query = {{"PageSize=1&Type", "audio-only"}};
  EXPECT_EQ(Code(authn_.Authenticate(forged)), "SignatureDoesNotMatch");
}

TEST_F(AuthenticatorTest, V3BodyWithUnsignedContentTypeIsIncomplete) {
  // The Content-Type decides whether the body is read as parameters: it must be signed.
  auto req = V3({}, "TemplateId=abc");
  req.headers.emplace_back("content-type", "text/plain");
  auto r = authn_.Authenticate(req);
  EXPECT_EQ(Code(r), "IncompleteSignature");
  EXPECT_NE(r.error().message.find("content-type"), std::string::npos);
}

// SignatureMethod, SignatureVersion and Timestamp were echoed whole: 100 KB in, 100 KB out.
TEST_F(AuthenticatorTest, V1ErrorsEchoOnlyAnExcerptOfAValue) {
  std::string huge(100'000, 'H');
  for (const char* field : {"SignatureMethod", "SignatureVersion", "Timestamp"}) {
    auto r = authn_.Authenticate(V1("GET", {{field, huge}}));
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_LT(r.error().message.size(), 300u) << field;
  }
}

}  // namespace
}  // namespace floe::auth
