#include "auth/policy.h"

#include <gtest/gtest.h>

namespace floe::auth {
namespace {

Policy P(const std::string& doc) {
  auto p = ParsePolicy(doc);
  EXPECT_TRUE(p.ok()) << (p ? "" : p.error().message);
  return p ? *p : Policy{};
}

TEST(Wildcard, StarAndQuestionMark) {
  EXPECT_TRUE(WildcardMatch("ice:*", "ice:GetLiveTranscodeTemplate", true));
  EXPECT_TRUE(WildcardMatch("ice:Get*", "ice:GetLiveTranscodeTemplate", true));
  EXPECT_TRUE(WildcardMatch("ICE:get*", "ice:GetLiveTranscodeTemplate", true));
  EXPECT_FALSE(WildcardMatch("ICE:get*", "ice:GetLiveTranscodeTemplate", false));
  EXPECT_TRUE(WildcardMatch("ice:?etLiveTranscodeTemplate", "ice:GetLiveTranscodeTemplate", true));
  EXPECT_FALSE(WildcardMatch("ice:?LiveTranscodeTemplate", "ice:GetLiveTranscodeTemplate", true));
  EXPECT_TRUE(WildcardMatch("*Template", "ice:GetLiveTranscodeTemplate", true));
  EXPECT_TRUE(WildcardMatch("ice:*Live*Template", "ice:DeleteLiveTranscodeTemplate", true));
  EXPECT_FALSE(WildcardMatch("ice:*Job", "ice:DeleteLiveTranscodeTemplate", true));
  EXPECT_TRUE(WildcardMatch("*", "", true));
  EXPECT_FALSE(WildcardMatch("?", "", true));
  EXPECT_TRUE(WildcardMatch("acs:ice:*:123:*", "acs:ice:local:123:*", false));
  EXPECT_FALSE(WildcardMatch("acs:ice:*:124:*", "acs:ice:local:123:*", false));
}

TEST(Policy, RefusesMalformedDocuments) {
  const char* bad[] = {
      "not json",
      "[]",
      R"({"Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}]})",
      R"({"Version":"2","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}]})",
      R"({"Version":"1","Statement":[]})",
      R"({"Version":"1","Statement":[{"Effect":"Permit","Action":"ice:*","Resource":"*"}]})",
      R"({"Version":"1","Statement":[{"Action":"ice:*","Resource":"*"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"GetLiveTranscodeTemplate","Resource":"*"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"arn:x"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*","Condition":{}}]})",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}],"Extra":1})",
  };
  for (const char* doc : bad) {
    auto p = ParsePolicy(doc);
    EXPECT_FALSE(p.ok()) << doc;
    if (!p.ok()) {
      EXPECT_EQ(p.error().code, "InvalidParameter.PolicyDocument");
      EXPECT_EQ(p.error().http_status, 400);
    }
  }
  auto unknown_effect = ParsePolicy(
      R"({"Version":"1","Statement":[{"Effect":"Permit","Action":"ice:*","Resource":"*"}]})");
  EXPECT_NE(unknown_effect.error().message.find("Permit"), std::string::npos);
}

TEST(Policy, AllowNeededAndDenyWins) {
  const std::string arn = "acs:ice:local:123:*";
  auto allow_get = P(
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":["ice:Get*","ice:List*"],"Resource":"*"}]})");
  EXPECT_EQ(Evaluate({allow_get}, "ice:GetLiveTranscodeTemplate", arn), Decision::kAllow);
  EXPECT_EQ(Evaluate({allow_get}, "ice:ListLiveTranscodeTemplates", arn), Decision::kAllow);
  EXPECT_EQ(Evaluate({allow_get}, "ice:UpdateLiveTranscodeTemplate", arn), Decision::kImplicitDeny);
  EXPECT_EQ(Evaluate({}, "ice:GetLiveTranscodeTemplate", arn), Decision::kImplicitDeny);
  auto deny_delete =
      P(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"},)"
        R"({"Effect":"Deny","Action":"ice:Delete*","Resource":"*"}]})");
  EXPECT_EQ(Evaluate({deny_delete}, "ice:CreateLiveTranscodeTemplate", arn), Decision::kAllow);
  EXPECT_EQ(Evaluate({deny_delete}, "ice:DeleteLiveTranscodeTemplate", arn),
            Decision::kExplicitDeny);
  // A Deny in one policy beats an Allow in another, in either order.
  auto deny_all =
      P(R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})");
  auto allow_all =
      P(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}]})");
  EXPECT_EQ(Evaluate({allow_all, deny_all}, "ice:GetLiveTranscodeTemplate", arn),
            Decision::kExplicitDeny);
  EXPECT_EQ(Evaluate({deny_all, allow_all}, "ice:GetLiveTranscodeTemplate", arn),
            Decision::kExplicitDeny);
}

TEST(Policy, ResourceMustMatchTheAccount) {
  auto own = P(
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"acs:ice:*:123:*"}]})");
  EXPECT_EQ(Evaluate({own}, "ice:GetLiveTranscodeTemplate", "acs:ice:local:123:*"),
            Decision::kAllow);
  EXPECT_EQ(Evaluate({own}, "ice:GetLiveTranscodeTemplate", "acs:ice:local:999:*"),
            Decision::kImplicitDeny);
  auto other_service =
      P(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]})");
  EXPECT_EQ(Evaluate({other_service}, "ice:GetLiveTranscodeTemplate", "acs:ice:local:123:*"),
            Decision::kImplicitDeny);
}

}  // namespace
}  // namespace floe::auth
