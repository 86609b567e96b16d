#include "ice/live_center.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

constexpr char kTpl[] = "0123456789abcdef0123456789abcdef";
constexpr char kA[] = "1000000000000001";
constexpr char kB[] = "1000000000000002";

class LiveCenterTest : public ::testing::Test {
 protected:
  LiveCenterTest() : store_(dir_.File("floe.db")), lc_(store_) {}

  std::string Code(const core::Result<LiveCenterOutput>& r) { return r ? "OK" : r.error().code; }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  LiveCenter lc_;
};

TEST_F(LiveCenterTest, MappingsMustBeDomainEqualsRtmpHostPort) {
  EXPECT_TRUE(lc_.AddMapping("live.example.com=rtmp://10.0.0.1:1935", kA).ok());
  EXPECT_TRUE(lc_.AddMapping("B.Example=rtmp://origin:1935/", kA).ok());
  for (const char* bad :
       {"nodomain", "=rtmp://h:1", "d=http://h:80", "d=rtmp://h", "d=rtmp://h:", "d=rtmp://h:19x5",
        "d=rtmp://h:1935/app", "d=rtmp://:1935", "bad domain=rtmp://h:1"}) {
    EXPECT_FALSE(lc_.AddMapping(bad, kA).ok()) << bad;
  }
  auto d = store_.GetDomain("b.example");
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->push_base, "rtmp://origin:1935");
  EXPECT_EQ((*d)->account_id, kA);
  // The same mapping again is fine (every restart); a new push base replaces the old one.
  EXPECT_TRUE(lc_.AddMapping("b.example=rtmp://origin:1935", kA).ok());
  EXPECT_TRUE(lc_.AddMapping("b.example=rtmp://origin2:1935", kA).ok());
  EXPECT_EQ((*store_.GetDomain("b.example"))->push_base, "rtmp://origin2:1935");
  // Another account's domain cannot be taken over by a mapping.
  EXPECT_FALSE(lc_.AddMapping("b.example=rtmp://evil:1935", kB).ok());
}

TEST_F(LiveCenterTest, APushBaseServesOneAccount) {
  ASSERT_TRUE(lc_.AddMapping("a.example=rtmp://origin:1935", kA).ok());
  // The same account may put a second domain there; another account may not, however the
  // same base is written.
  EXPECT_TRUE(lc_.AddMapping("a2.example=rtmp://origin:1935", kA).ok());
  for (const char* base : {"rtmp://origin:1935", "rtmp://ORIGIN:1935/", "rtmp://origin:01935"}) {
    auto r = lc_.AddMapping(std::string("b.example=") + base, kB);
    ASSERT_FALSE(r.ok()) << base;
    EXPECT_NE(r.error().message.find("collide"), std::string::npos);
    auto direct = lc_.CheckPushBaseFree(base, kB);
    ASSERT_FALSE(direct.ok());
    EXPECT_EQ(direct.error().code, "PushBaseInUse");
  }
  EXPECT_FALSE(store_.GetDomain("b.example")->has_value());
  // Nor can an account move its own domain onto another account's base.
  ASSERT_TRUE(lc_.AddMapping("b.example=rtmp://origin:1936", kB).ok());
  EXPECT_FALSE(lc_.AddMapping("b.example=rtmp://origin:1935", kB).ok());
  EXPECT_EQ((*store_.GetDomain("b.example"))->push_base, "rtmp://origin:1936");
  // Two accounts on two bases push distinct names for the same input and template.
  auto a = lc_.Resolve(kA, "a.example", "rtmp://in/live/cam1", kTpl);
  auto b = lc_.Resolve(kB, "b.example", "rtmp://in/live/cam1", kTpl);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->url, b->url);
}

TEST_F(LiveCenterTest, OutputIsPushBaseAppStreamUnderscoreTemplate) {
  ASSERT_TRUE(lc_.AddMapping("d=rtmp://origin:1935", kA).ok());
  auto url = [&](const std::string& in) { return lc_.Resolve(kA, "d", in, kTpl)->url; };
  EXPECT_EQ(url("rtmp://in.example/live/cam1"),
            std::string("rtmp://origin:1935/live/cam1_") + kTpl);
  EXPECT_EQ(url("rtmp://in.example:1935/app/s?token=x"),
            std::string("rtmp://origin:1935/app/s_") + kTpl);
  EXPECT_EQ(url("http://in.example/hls/app/s.m3u8"),
            std::string("rtmp://origin:1935/app/s_") + kTpl);
  auto unmapped = lc_.Resolve(kA, "other", "rtmp://in.example/live/cam1", kTpl);
  ASSERT_FALSE(unmapped.ok());
  EXPECT_EQ(unmapped.error().code, "InvalidParam.TranscodeOutput.DomainName");
  EXPECT_NE(unmapped.error().message.find("other"), std::string::npos);
  for (const char* in : {"rtmp://in.example", "rtmp://in.example/", "rtmp://in.example/live",
                         "rtmp://in.example/live/", "srt://in.example:9000"}) {
    auto r = lc_.Resolve(kA, "d", in, kTpl);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.error().code, "InvalidParam.StreamInput.InputUrl") << in;
  }
}

TEST_F(LiveCenterTest, ADomainServesOnlyItsAccount) {
  // Two accounts reading …/live/cam1 with one template once pushed to the same output.
  ASSERT_TRUE(store_.AddDomain({"a.example", kA, "rtmp://origin-a:1935", 0}).ok());
  ASSERT_TRUE(store_.AddDomain({"b.example", kB, "rtmp://origin-b:1935", 0}).ok());
  EXPECT_EQ(Code(lc_.Resolve(kA, "a.example", "rtmp://in/live/cam1", kTpl)), "OK");
  EXPECT_EQ(Code(lc_.Resolve(kB, "a.example", "rtmp://in/live/cam1", kTpl)),
            "InvalidParam.TranscodeOutput.DomainName");
  EXPECT_EQ(lc_.Resolve(kB, "B.EXAMPLE", "rtmp://in/live/cam1", kTpl)->url,
            std::string("rtmp://origin-b:1935/live/cam1_") + kTpl);
  // A domain taken by one account cannot be added for another.
  EXPECT_FALSE(*store_.AddDomain({"a.example", kB, "rtmp://x:1", 0}));
}

TEST_F(LiveCenterTest, WithoutADomainNameTheAccountsOnlyDomainIsUsed) {
  EXPECT_EQ(Code(lc_.Resolve(kA, std::nullopt, "rtmp://in/live/cam1", kTpl)), "MissingParameter");
  ASSERT_TRUE(store_.AddDomain({"one.example", kA, "rtmp://origin:1935", 0}).ok());
  auto r = lc_.Resolve(kA, std::nullopt, "rtmp://in/live/cam1", kTpl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->domain, "one.example");
  ASSERT_TRUE(store_.AddDomain({"two.example", kA, "rtmp://origin:1935", 0}).ok());
  auto two = lc_.Resolve(kA, std::nullopt, "rtmp://in/live/cam1", kTpl);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().code, "MissingParameter");
  EXPECT_NE(two.error().message.find("2 LiveCenter domains"), std::string::npos);
}

}  // namespace
}  // namespace floe::ice
