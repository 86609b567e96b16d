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
      // Resources Floe cannot evaluate are refused, so that no Deny silently never applies.
      R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*:123:bucket/x"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"ice:*","Resource":"acs:oss:*:123:*"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*:123"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*:123:template/"}]})",
      R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*::*"}]})",
      R"({"Version":"1","Statement":{"Effect":"Allow","Action":"ice:*","Resource":"*"}})",
      R"({"Version":1,"Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}]})",
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

TEST(Policy, DenyOnTemplateArnsApplies) {
  // Allow ice:* on * plus Deny ice:* on every template once still let the user rename one.
  auto p = P(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"},)"
             R"({"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*:123:template/*"}]})");
  const std::string tpl = "acs:ice:local:123:template/0123456789abcdef0123456789abcdef";
  EXPECT_EQ(Evaluate({p}, "ice:UpdateLiveTranscodeTemplate", tpl), Decision::kExplicitDeny);
  EXPECT_EQ(Evaluate({p}, "ice:ListLiveTranscodeTemplates", "acs:ice:local:123:template/*"),
            Decision::kExplicitDeny);
  EXPECT_EQ(Evaluate({p}, "ice:GetLiveTranscodeJob", "acs:ice:local:123:job/abc"),
            Decision::kAllow);
  // Another account's ARN pattern does not match.
  EXPECT_EQ(Evaluate({p}, "ice:UpdateLiveTranscodeTemplate",
                     "acs:ice:local:999:template/0123456789abcdef0123456789abcdef"),
            Decision::kAllow);
}

TEST(Policy, ResourceEdgeCases) {
  // Case: a Deny written with other case still applies.
  auto deny_case =
      P(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"},)"
        R"({"Effect":"Deny","Action":"ice:*","Resource":"ACS:ICE:*:123:Template/*"}]})");
  EXPECT_EQ(
      Evaluate({deny_case}, "ice:DeleteLiveTranscodeTemplate", "acs:ice:local:123:template/abc"),
      Decision::kExplicitDeny);
  // A Deny whose Resource does not match leaves the Allow.
  auto deny_one =
      P(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"},)"
        R"({"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*:123:template/aaa"}]})");
  EXPECT_EQ(Evaluate({deny_one}, "ice:GetLiveTranscodeTemplate", "acs:ice:local:123:template/bbb"),
            Decision::kAllow);
  EXPECT_EQ(Evaluate({deny_one}, "ice:GetLiveTranscodeTemplate", "acs:ice:local:123:template/aaa"),
            Decision::kExplicitDeny);
  // `*` spans ':' segments: acs:ice:* covers region, account and resource.
  auto wide =
      P(R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*"},)"
        R"({"Effect":"Allow","Action":"ice:*","Resource":"*"}]})");
  EXPECT_EQ(Evaluate({wide}, "ice:GetLiveTranscodeJob", "acs:ice:local:123:job/x"),
            Decision::kExplicitDeny);
  // Several Resources: any one matching is enough.
  auto several = P(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*",)"
                   R"("Resource":["acs:ice:*:123:job/*","acs:ice:*:123:template/t1"]}]})");
  EXPECT_EQ(Evaluate({several}, "ice:GetLiveTranscodeJob", "acs:ice:local:123:job/j"),
            Decision::kAllow);
  EXPECT_EQ(Evaluate({several}, "ice:GetLiveTranscodeTemplate", "acs:ice:local:123:template/t1"),
            Decision::kAllow);
  EXPECT_EQ(Evaluate({several}, "ice:GetLiveTranscodeTemplate", "acs:ice:local:123:template/t2"),
            Decision::kImplicitDeny);
}

}  // namespace
}  // namespace floe::auth
