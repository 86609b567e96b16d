// The wire format end to end in-process: raw HTTP request values through Gateway::Handle.
#include "ice/gateway.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/signature.h"
#include "core/strings.h"
#include "core/time.h"
#include "ice/api_metrics.h"
#include "ice/templates.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

using nlohmann::json;

class GatewayTest : public ::testing::Test {
 protected:
  GatewayTest()
      : store_(dir_.File("floe.db")),
        box_(std::string(32, 'k')),
        nonces_(store_),
        authn_(store_, nonces_, box_),
        authz_(store_),
        limiter_(0, 1),
        service_(store_),
        gateway_(authn_, authz_, limiter_, [this] {
          ActionTable t;
          AddTemplateActions(t, service_);
          return t;
        }()) {
    EXPECT_TRUE(store_.CreateAccount({"1000000000000001", "root", true, 0}).ok());
    EXPECT_TRUE(
        store_.CreateAccessKey({"LTAIroot", box_.Seal("secret"), "1000000000000001", "", true, 0})
            .ok());
    EXPECT_TRUE(store_.CreateAccount({"1000000000000002", "no-ice", false, 0}).ok());
    EXPECT_TRUE(
        store_.CreateAccessKey({"LTAInoice", box_.Seal("secret"), "1000000000000002", "", true, 0})
            .ok());
    EXPECT_TRUE(store_
                    .CreateAccessKey(
                        {"LTAIuser", box_.Seal("secret"), "1000000000000001", "alice", true, 0})
                    .ok());
  }

  // A V1-signed request; params go in the query (GET) or a form body (POST).
  http::Request Signed(const std::string& method, auth::Pairs params,
                       const std::string& ak = "LTAIroot") {
    params.insert(params.end(), {{"AccessKeyId", ak},
                                 {"SignatureMethod", "HMAC-SHA1"},
                                 {"SignatureVersion", "1.0"},
                                 {"SignatureNonce", std::to_string(++nonce_)},
                                 {"Timestamp", core::FormatUtc(core::NowMillis() / 1000)},
                                 {"Format", "JSON"}});
    params.emplace_back("Signature",
                        auth::V1Signature("secret", auth::V1StringToSign(method, params)));
    std::string encoded;
    for (const auto& [k, v] : params) {
      encoded +=
          (encoded.empty() ? "" : "&") + core::PercentEncode(k) + "=" + core::PercentEncode(v);
    }
    http::Request r;
    r.method = method;
    r.headers = {{"host", "floe.example:8080"}};
    if (method == "GET") {
      r.target = "/?" + encoded;
    } else {
      r.target = "/";
      r.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
      r.body = encoded;
    }
    return r;
  }

  static json Body(const http::Response& r) { return json::parse(r.body); }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  auth::SecretBox box_;
  auth::StoreNonceCache nonces_;
  auth::Authenticator authn_;
  auth::Authorizer authz_;
  auth::RateLimiter limiter_;
  TemplateService service_;
  Gateway gateway_;
  int nonce_ = 0;
};

TEST_F(GatewayTest, HealthzNeedsNoSignature) {
  http::Request r{"GET", "/healthz", {}, "", ""};
  auto resp = gateway_.Handle(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(Body(resp)["Status"], "ok");
}

// An API node's /healthz checks its store: 503 while the store does not answer.
TEST_F(GatewayTest, HealthzSaysWhenTheStoreDoesNotAnswer) {
  bool up = false;
  gateway_.SetHealthCheck([&]() -> core::Result<void> {
    if (up) return {};
    return core::Error{"ServiceUnavailable", 503, "cannot connect to PostgreSQL", ""};
  });
  http::Request r{"GET", "/healthz", {}, "", ""};
  auto down = gateway_.Handle(r);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(Body(down)["Status"], "store unreachable");
  EXPECT_EQ(Body(down)["Message"], "cannot connect to PostgreSQL");
  up = true;
  EXPECT_EQ(gateway_.Handle(r).status, 200);
}

TEST_F(GatewayTest, SuccessCarriesRequestIdAndJsonContentType) {
  auto resp = gateway_.Handle(Signed("GET", {{"Action", "GetLiveTranscodeTemplate"},
                                             {"Version", "2020-11-09"},
                                             {"TemplateId", "00000000000000000000000000000360"}}));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.content_type, "application/json;charset=utf-8");
  json b = Body(resp);
  EXPECT_EQ(b["RequestId"].get<std::string>().size(), 36u);
  EXPECT_EQ(b["TemplateContent"]["Name"], "system-h264-360p");
  EXPECT_EQ(b["TemplateContent"]["TemplateConfig"]["VideoParams"]["Height"], "360");
  EXPECT_FALSE(b.contains("Code"));  // pop-core treats any Code as an error
}

TEST_F(GatewayTest, ErrorBodyHasEveryField) {
  auto resp = gateway_.Handle(
      Signed("POST", {{"Action", "GetLiveTranscodeTemplate"}, {"Version", "2020-11-09"}}));
  EXPECT_EQ(resp.status, 400);
  json b = Body(resp);
  EXPECT_EQ(b["Code"], "MissingParameter");
  EXPECT_NE(b["Message"].get<std::string>().find("TemplateId"), std::string::npos);
  EXPECT_EQ(b["HostId"], "floe.example:8080");
  EXPECT_FALSE(b["RequestId"].get<std::string>().empty());
  EXPECT_FALSE(b["Recommend"].get<std::string>().empty());
}

TEST_F(GatewayTest, ActionAndVersionRules) {
  EXPECT_EQ(Body(gateway_.Handle(Signed("GET", {{"Version", "2020-11-09"}})))["Code"],
            "MissingParameter");
  EXPECT_EQ(Body(gateway_.Handle(Signed("GET", {{"Action", "GetLiveTranscodeTemplate"}})))["Code"],
            "MissingParameter");
  auto resp = gateway_.Handle(
      Signed("GET", {{"Action", "GetLiveTranscodeTemplate"}, {"Version", "2017-03-21"}}));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Body(resp)["Code"], "InvalidVersion");
  resp = gateway_.Handle(Signed("GET", {{"Action", "StealEverything"}, {"Version", "2020-11-09"}}));
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(Body(resp)["Code"], "InvalidAction.NotFound");
}

TEST_F(GatewayTest, ActionAndVersionFromHeaders) {
  auto req = Signed("POST", {{"TemplateId", "00000000000000000000000000000540"}});
  req.headers.emplace_back("x-acs-action", "GetLiveTranscodeTemplate");
  req.headers.emplace_back("x-acs-version", "2020-11-09");
  auto resp = gateway_.Handle(req);
  EXPECT_EQ(resp.status, 200) << resp.body;
}

TEST_F(GatewayTest, UnsignedRequestIsRefused) {
  http::Request r{"GET", "/?Action=ListLiveTranscodeTemplates&Version=2020-11-09", {}, "", ""};
  auto resp = gateway_.Handle(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Body(resp)["Code"], "IncompleteSignature");
}

TEST_F(GatewayTest, PathAndMethod) {
  auto req = Signed("GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}});
  req.target = "/other" + req.target.substr(1);
  EXPECT_EQ(gateway_.Handle(req).status, 404);
  req = Signed("GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}});
  req.method = "PUT";
  EXPECT_EQ(gateway_.Handle(req).status, 405);
  req = Signed("GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}});
  req.target += "&Bad=%ZZ";
  EXPECT_EQ(Body(gateway_.Handle(req))["Code"], "InvalidParam.QueryString");
}

TEST_F(GatewayTest, AccountWithoutIceIsDenied) {
  auto resp = gateway_.Handle(Signed(
      "GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}}, "LTAInoice"));
  EXPECT_EQ(resp.status, 403);
  EXPECT_EQ(Body(resp)["Code"], "OperationDenied");
  EXPECT_EQ(Body(resp)["Message"], "Your account has not enabled the ICE service.");
}

TEST_F(GatewayTest, RamUserWithoutPolicyIsForbidden) {
  auto resp = gateway_.Handle(Signed(
      "GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}}, "LTAIuser"));
  EXPECT_EQ(resp.status, 403);
  EXPECT_EQ(Body(resp)["Code"], "Forbidden.RAM");
  EXPECT_NE(Body(resp)["Message"].get<std::string>().find("ice:ListLiveTranscodeTemplates"),
            std::string::npos);
}

TEST_F(GatewayTest, RamPolicyAllowsAndDeniesPerAction) {
  ASSERT_TRUE(store_.CreateRamUser({"1000000000000001", "alice", 0}).ok());
  ASSERT_TRUE(
      store_
          .AttachPolicy(
              "1000000000000001", "alice",
              R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*LiveTranscodeTemplate*","Resource":"*"},)"
              R"({"Effect":"Deny","Action":"ice:Delete*","Resource":"*"}]})")
          .ok());
  auto call = [&](const std::string& action, auth::Pairs extra) {
    extra.insert(extra.end(), {{"Action", action}, {"Version", "2020-11-09"}});
    return gateway_.Handle(Signed("POST", extra, "LTAIuser"));
  };
  auto created = call("CreateLiveTranscodeTemplate", {{"Name", "by-alice"}, {"Type", "origin"}});
  ASSERT_EQ(created.status, 200) << created.body;
  std::string id = Body(created)["TemplateId"];
  EXPECT_EQ(call("GetLiveTranscodeTemplate", {{"TemplateId", id}}).status, 200);
  EXPECT_EQ(call("ListLiveTranscodeTemplates", {}).status, 200);
  EXPECT_EQ(call("UpdateLiveTranscodeTemplate", {{"TemplateId", id}, {"Name", "x"}}).status, 200);
  auto denied = call("DeleteLiveTranscodeTemplate", {{"TemplateId", id}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(Body(denied)["Code"], "Forbidden.RAM");
  EXPECT_NE(Body(denied)["Message"].get<std::string>().find("ice:DeleteLiveTranscodeTemplate"),
            std::string::npos);
  // Templates a RAM user makes belong to its account: root sees them.
  EXPECT_EQ(gateway_
                .Handle(Signed("GET", {{"Action", "GetLiveTranscodeTemplate"},
                                       {"Version", "2020-11-09"},
                                       {"TemplateId", id}}))
                .status,
            200);
}

TEST_F(GatewayTest, ThrottlesPerAccessKey) {
  auth::RateLimiter tight(/*rate=*/0.001, /*burst=*/2);
  ActionTable t;
  AddTemplateActions(t, service_);
  Gateway g(authn_, authz_, tight, t);
  auto list = [&](const std::string& ak) {
    return g.Handle(
        Signed("GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}}, ak));
  };
  EXPECT_EQ(list("LTAIroot").status, 200);
  EXPECT_EQ(list("LTAIroot").status, 200);
  auto throttled = list("LTAIroot");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(Body(throttled)["Code"], "Throttling.User");
  EXPECT_EQ(list("LTAInoice").status, 403);  // another key has its own bucket
}

TEST_F(GatewayTest, ListParameterValidation) {
  auto list = [&](auth::Pairs extra) {
    extra.insert(extra.end(),
                 {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}});
    return Body(gateway_.Handle(Signed("GET", extra)));
  };
  EXPECT_EQ(list({})["TotalCount"], 5);
  EXPECT_EQ(list({})["TemplateContentList"].size(), 5u);
  EXPECT_EQ(list({{"PageSize", "0"}})["Code"], "InvalidParam.PageSize");
  EXPECT_EQ(list({{"PageSize", "101"}})["Code"], "InvalidParam.PageSize");
  EXPECT_EQ(list({{"PageSize", "100"}})["TotalCount"], 5);
  EXPECT_EQ(list({{"PageNo", "0"}})["Code"], "InvalidParam.PageNo");
  EXPECT_EQ(list({{"PageNo", "x"}})["Code"], "InvalidParam.PageNo");
  EXPECT_EQ(list({{"SortBy", "sideways"}})["Code"], "InvalidParam.SortBy");
  EXPECT_EQ(list({{"Type", "weird"}})["Code"], "InvalidParam.Type");
  EXPECT_EQ(list({{"VideoCodec", "VP8"}})["Code"], "InvalidParam.VideoCodec");
  EXPECT_EQ(list({{"VideoCodec", "264"}})["TotalCount"],
            list({{"VideoCodec", "H.264"}})["TotalCount"]);
  EXPECT_EQ(list({{"VideoCodec", "265"}})["TotalCount"], 0);
  EXPECT_EQ(list({{"Category", "mine"}})["Code"], "InvalidParam.Category");
  EXPECT_EQ(list({{"PageSize", "3"}, {"PageNo", "2"}})["TemplateContentList"].size(), 2u);
  auto asc = list({{"SortBy", "asc"}, {"KeyWord", "1080p"}});
  EXPECT_EQ(asc["TotalCount"], 1);
  EXPECT_EQ(asc["TemplateContentList"][0]["TemplateId"], "00000000000000000000000000001080");
}

TEST_F(GatewayTest, InvalidUtf8IsRefusedBeforeAnythingIsStoredOrEchoed) {
  // A name of 'a' + 200,000 continuation bytes was once stored, and every later Get and List of
  // the account answered 500.
  auto resp = gateway_.Handle(Signed("POST", {{"Action", "CreateLiveTranscodeTemplate"},
                                              {"Version", "2020-11-09"},
                                              {"Type", "origin"},
                                              {"Name", "a" + std::string(200'000, '\x80')}}));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Body(resp)["Code"], "InvalidParam.Name");
  EXPECT_LT(resp.body.size(), 1000u);
  auto list = gateway_.Handle(
      Signed("GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}}));
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Body(list)["TotalCount"], 5);
}

// PostgreSQL's text cannot hold NUL: refused for both stores, before anything is stored.
TEST_F(GatewayTest, ANulCharacterInAValueIsRefused) {
  auto resp = gateway_.Handle(Signed("POST", {{"Action", "CreateLiveTranscodeTemplate"},
                                              {"Version", "2020-11-09"},
                                              {"Type", "origin"},
                                              {"Name", std::string("a\0b", 3)}}));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Body(resp)["Code"], "InvalidParam.Name");
  EXPECT_NE(Body(resp)["Message"].get<std::string>().find("NUL"), std::string::npos);
}

TEST_F(GatewayTest, InvalidUtf8ActionWithoutSignatureIsA400) {
  http::Request r{"GET", "/?Action=%FF&Version=2020-11-09", {}, "", "203.0.113.9:4000"};
  auto resp = gateway_.Handle(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Body(resp)["Code"], "InvalidParam.Action");
  http::Request name{"GET", "/?%FF=1&Version=2020-11-09", {}, "", "203.0.113.9:4000"};
  EXPECT_EQ(Body(gateway_.Handle(name))["Code"], "InvalidParam.QueryString");
}

TEST_F(GatewayTest, AHandlerThatThrowsIsAnInternalErrorInTheApiFormat) {
  ActionTable t;
  t["ListLiveTranscodeTemplates"] = [](const ActionContext&) -> core::Result<Json> {
    throw std::runtime_error("boom");
  };
  Gateway g(authn_, authz_, limiter_, t);
  auto resp = g.Handle(
      Signed("GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}}));
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(Body(resp)["Code"], "InternalError");
  EXPECT_FALSE(Body(resp)["RequestId"].get<std::string>().empty());
}

TEST_F(GatewayTest, RamDenyOnTemplateArnsApplies) {
  ASSERT_TRUE(store_.CreateRamUser({"1000000000000001", "alice", 0}).ok());
  ASSERT_TRUE(
      store_
          .AttachPolicy(
              "1000000000000001", "alice",
              R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"},)"
              R"({"Effect":"Deny","Action":"ice:*","Resource":"acs:ice:*:1000000000000001:template/*"}]})")
          .ok());
  auto call = [&](const std::string& action, auth::Pairs extra, const std::string& ak) {
    extra.insert(extra.end(), {{"Action", action}, {"Version", "2020-11-09"}});
    return gateway_.Handle(Signed("POST", extra, ak));
  };
  auto created =
      call("CreateLiveTranscodeTemplate", {{"Name", "t"}, {"Type", "origin"}}, "LTAIroot");
  ASSERT_EQ(created.status, 200) << created.body;
  std::string id = Body(created)["TemplateId"];
  auto renamed =
      call("UpdateLiveTranscodeTemplate", {{"TemplateId", id}, {"Name", "x"}}, "LTAIuser");
  EXPECT_EQ(renamed.status, 403);
  EXPECT_EQ(Body(renamed)["Code"], "Forbidden.RAM");
  EXPECT_EQ(call("ListLiveTranscodeTemplates", {}, "LTAIuser").status, 403);
  EXPECT_EQ(
      call("CreateLiveTranscodeTemplate", {{"Name", "t2"}, {"Type", "origin"}}, "LTAIuser").status,
      403);
  auto got = call("GetLiveTranscodeTemplate", {{"TemplateId", id}}, "LTAIroot");
  EXPECT_EQ(Body(got)["TemplateContent"]["Name"], "t");
}

TEST_F(GatewayTest, FailedAuthenticationsAreThrottledPerClientAddress) {
  ActionTable t;
  AddTemplateActions(t, service_);
  Gateway g(authn_, authz_, limiter_, t, /*auth_failure_rate=*/0.001, /*auth_failure_burst=*/3);
  auto unsigned_from = [&](const std::string& remote) {
    http::Request r{
        "GET", "/?Action=ListLiveTranscodeTemplates&Version=2020-11-09", {}, "", remote};
    return g.Handle(r);
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Body(unsigned_from("198.51.100.1:" + std::to_string(1000 + i)))["Code"],
              "IncompleteSignature");
  }
  auto throttled = unsigned_from("198.51.100.1:2000");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(Body(throttled)["Code"], "Throttling");
  // Another address has its own budget; signed requests from the throttled one are refused too
  // until it refills, which keeps signature checks off a flooding address.
  EXPECT_EQ(Body(unsigned_from("198.51.100.2:1000"))["Code"], "IncompleteSignature");
  auto signed_req =
      Signed("GET", {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}});
  signed_req.remote = "198.51.100.3:1000";
  EXPECT_EQ(g.Handle(signed_req).status, 200);
}

// A bad value of a parameter the API does not know was InvalidParam.<its name>: any client could
// mint codes, each a new metrics series, before authentication.
TEST_F(GatewayTest, AnUnknownParameterNameIsNeverPartOfTheCode) {
  ApiMetrics metrics;
  gateway_.SetMetrics(&metrics);
  for (int i = 0; i < 1000; ++i) {
    http::Request r{"GET", "/?Version=2020-11-09&x" + std::to_string(i) + "=%FF", {}, "", ""};
    auto b = Body(gateway_.Handle(r));
    ASSERT_EQ(b["Code"], "InvalidParameter");
    ASSERT_NE(b["Message"].get<std::string>().find("\"x" + std::to_string(i) + "\""),
              std::string::npos);
  }
  http::Request known{"GET", "/?Version=2020-11-09&PageSize=%FF", {}, "", ""};
  EXPECT_EQ(Body(gateway_.Handle(known))["Code"], "InvalidParam.PageSize");
  http::Request nul{"GET", "/?Version=2020-11-09&" + std::string(500, 'n') + "=a%00", {}, "", ""};
  auto b = Body(gateway_.Handle(nul));
  EXPECT_EQ(b["Code"], "InvalidParameter");
  EXPECT_LT(b["Message"].get<std::string>().size(), 300u);
  core::PromText out;
  metrics.Write(out);
  std::string text = out.Text();
  size_t series = 0;
  for (size_t at = 0; (at = text.find("\nfloe_api_requests_total{", at)) != std::string::npos;
       ++at) {
    ++series;
  }
  EXPECT_EQ(series, 2u) << text;  // InvalidParameter and InvalidParam.PageSize, action unknown
}

// Whole values were echoed: a 100 KB PageSize came back in a 100 KB message.
TEST_F(GatewayTest, ErrorsEchoOnlyAnExcerptOfAValue) {
  std::string huge(100'000, '7');
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"PageSize", huge}, {"PageNo", huge + "x"}, {"SortBy", huge}, {"Type", huge}}) {
    auto resp = gateway_.Handle(Signed(
        "GET",
        {{"Action", "ListLiveTranscodeTemplates"}, {"Version", "2020-11-09"}, {name, value}}));
    auto b = Body(resp);
    EXPECT_EQ(b["Code"], "InvalidParam." + name);
    EXPECT_LT(b["Message"].get<std::string>().size(), 300u) << name;
  }
}

// Failed authentications count per client: an IPv6 client by its /64 (it has all of it), and
// behind a trusted proxy the client the server resolved, not the proxy.
TEST_F(GatewayTest, FailedAuthenticationsCountAnIpv6ClientByItsSlash64) {
  ActionTable t;
  AddTemplateActions(t, service_);
  Gateway g(authn_, authz_, limiter_, t, /*auth_failure_rate=*/0.001, /*auth_failure_burst=*/2);
  auto unsigned_from = [&](const std::string& client) {
    http::Request r{
        "GET", "/?Action=ListLiveTranscodeTemplates&Version=2020-11-09", {}, "", "10.0.0.1:4000"};
    r.client = client;
    return Body(g.Handle(r))["Code"];
  };
  EXPECT_EQ(unsigned_from("2001:db8:1:2::1"), "IncompleteSignature");
  EXPECT_EQ(unsigned_from("2001:db8:1:2::2"), "IncompleteSignature");
  EXPECT_EQ(unsigned_from("2001:db8:1:2:ffff::3"), "Throttling");
  EXPECT_EQ(unsigned_from("2001:db8:1:3::1"), "IncompleteSignature");
  EXPECT_EQ(unsigned_from("203.0.113.1"), "IncompleteSignature");
  EXPECT_EQ(unsigned_from("203.0.113.2"), "IncompleteSignature");
}

}  // namespace
}  // namespace floe::ice
