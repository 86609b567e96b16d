// Known vectors. The first is the worked example of Alibaba Cloud's public signature guide;
// the others were computed with Python's hmac/hashlib/urllib, independently of this code.
#include "auth/signature.h"

#include <gtest/gtest.h>

#include "auth/crypto.h"

namespace floe::auth {

TEST(V1Signature, MatchesThePublishedExample) {
  Pairs params = {{"Version", "2014-05-26"},
                  {"Action", "DescribeRegions"},
                  {"Format", "XML"},
                  {"SignatureMethod", "HMAC-SHA1"},
                  {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
                  {"SignatureVersion", "1.0"},
                  {"AccessKeyId", "testid"},
                  {"Timestamp", "2016-02-23T12:46:24Z"},
                  {"Signature", "ignored"}};
  std::string sts = V1StringToSign("GET", params);
  EXPECT_EQ(
      sts,
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26"
      "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26"
      "SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
  EXPECT_EQ(V1Signature("testsecret", sts), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

TEST(V1Signature, EncodesUnicodeAndReservedCharactersLikeTheSdk) {
  Pairs params = {{"AccessKeyId", "LTAItest"},
                  {"Action", "CreateLiveTranscodeTemplate"},
                  {"Format", "JSON"},
                  {"Name", "\xe6\xa8\xa1\xe6\x9d\xbf 1130-2*~!"},
                  {"SignatureMethod", "HMAC-SHA1"},
                  {"SignatureNonce", "n-1"},
                  {"SignatureVersion", "1.0"},
                  {"Timestamp", "2026-11-24T10:00:00Z"},
                  {"Type", "normal"},
                  {"TemplateConfig", "{\"VideoParams\":{\"Height\":\"720\"}}"},
                  {"Version", "2020-11-09"}};
  std::string sts = V1StringToSign("POST", params);
  EXPECT_EQ(
      sts,
      "POST&%2F&AccessKeyId%3DLTAItest%26Action%3DCreateLiveTranscodeTemplate%26Format%3DJSON%26"
      "Name%3D%25E6%25A8%25A1%25E6%259D%25BF%25201130-2%252A~%2521%26SignatureMethod%3DHMAC-SHA1%26"
      "SignatureNonce%3Dn-1%26SignatureVersion%3D1.0%26TemplateConfig%3D%257B%2522VideoParams%2522%"
      "253A%257B%2522Height%2522%253A%2522720%2522%257D%257D%26Timestamp%3D2026-11-24T10%253A00%"
      "253A00Z%26Type%3Dnormal%26Version%3D2020-11-09");
  EXPECT_EQ(V1Signature("secret123", sts), "ZdB70M8z5WxNtnFYKWKE4zmUM1A=");
}

TEST(V3Signature, MatchesAnIndependentComputation) {
  std::string empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  EXPECT_EQ(Hex(Sha256("")), empty_hash);
  Pairs query = {{"TemplateId", "abc def"}, {"Name", "a*b"}};
  Pairs headers = {{"host", "127.0.0.1:8080"},
                   {"x-acs-action", "GetLiveTranscodeTemplate"},
                   {"x-acs-version", "2020-11-09"},
                   {"x-acs-date", "2026-11-24T10:00:00Z"},
                   {"x-acs-signature-nonce", "nonce-42"},
                   {"x-acs-content-sha256", empty_hash},
                   {"user-agent", "not signed"}};
  std::vector<std::string> names = {"x-acs-version",         "host",
                                    "x-acs-action",          "x-acs-date",
                                    "x-acs-signature-nonce", "x-acs-content-sha256"};
  std::string canonical = V3CanonicalRequest("POST", "/", query, headers, names, empty_hash);
  EXPECT_EQ(canonical,
            "POST\n/\nName=a%2Ab&TemplateId=abc%20def\nhost:127.0.0.1:8080\n"
            "x-acs-action:GetLiveTranscodeTemplate\nx-acs-content-sha256:" +
                empty_hash +
                "\nx-acs-date:2026-11-24T10:00:00Z\nx-acs-signature-nonce:nonce-42\n"
                "x-acs-version:2020-11-09\n\nhost;x-acs-action;x-acs-content-sha256;x-acs-date;"
                "x-acs-signature-nonce;x-acs-version\n" +
                empty_hash);
  std::string sts = V3StringToSign(canonical);
  EXPECT_EQ(sts,
            "ACS3-HMAC-SHA256\n351157e90d31bbab8a726da17f680d0312839123789cf5135e7d03c1f615c73f");
  EXPECT_EQ(V3Signature("secret123", sts),
            "a2ae0ad6e339248e0f50dbf49ded822b5772a9c9eb4cf30b6b6841672a5d9eae");
}

TEST(V3Authorization, ParsesTheHeader) {
  V3Authorization a;
  ASSERT_TRUE(ParseV3Authorization(
      "ACS3-HMAC-SHA256 Credential=LTAIx,SignedHeaders=host;x-acs-date,Signature=abc", a));
  EXPECT_EQ(a.access_key_id, "LTAIx");
  EXPECT_EQ(a.signed_headers, (std::vector<std::string>{"host", "x-acs-date"}));
  EXPECT_EQ(a.signature, "abc");
  EXPECT_FALSE(ParseV3Authorization("ACS3-HMAC-SHA256 Credential=LTAIx,Signature=abc", a));
  EXPECT_FALSE(
      ParseV3Authorization("ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=b", a));
  EXPECT_FALSE(ParseV3Authorization("ACS3-HMAC-SHA256 garbage", a));
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace floe::auth
