#include "ice/live_center.h"

#include <gtest/gtest.h>

namespace floe::ice {
namespace {

constexpr char kTpl[] = "0123456789abcdef0123456789abcdef";

TEST(LiveCenter, MappingsMustBeDomainEqualsRtmpHostPort) {
  LiveCenter lc;
  EXPECT_TRUE(lc.AddMapping("live.example.com=rtmp://10.0.0.1:1935").ok());
  EXPECT_TRUE(lc.AddMapping("b.example=rtmp://origin:1935/").ok());
  for (const char* bad : {"nodomain", "=rtmp://h:1", "d=http://h:80", "d=rtmp://h", "d=rtmp://h:",
                          "d=rtmp://h:19x5", "d=rtmp://h:1935/app", "d=rtmp://:1935"}) {
    EXPECT_FALSE(lc.AddMapping(bad).ok()) << bad;
  }
  EXPECT_EQ(*lc.PushBase("b.example"), "rtmp://origin:1935");
  EXPECT_FALSE(lc.PushBase("c.example"));
}

TEST(LiveCenter, OutputIsPushBaseAppStreamUnderscoreTemplate) {
  LiveCenter lc;
  lc.Add("d", "rtmp://origin:1935");
  EXPECT_EQ(*lc.OutputUrl("d", "rtmp://in.example/live/cam1", kTpl),
            std::string("rtmp://origin:1935/live/cam1_") + kTpl);
  EXPECT_EQ(*lc.OutputUrl("d", "rtmp://in.example:1935/app/s?token=x", kTpl),
            std::string("rtmp://origin:1935/app/s_") + kTpl);
  EXPECT_EQ(*lc.OutputUrl("d", "http://in.example/hls/app/s.m3u8", kTpl),
            std::string("rtmp://origin:1935/app/s_") + kTpl);
  auto unmapped = lc.OutputUrl("other", "rtmp://in.example/live/cam1", kTpl);
  ASSERT_FALSE(unmapped.ok());
  EXPECT_EQ(unmapped.error().code, "InvalidParam.TranscodeOutput.DomainName");
  EXPECT_NE(unmapped.error().message.find("other"), std::string::npos);
  for (const char* in : {"rtmp://in.example", "rtmp://in.example/", "rtmp://in.example/live",
                         "rtmp://in.example/live/", "srt://in.example:9000"}) {
    auto r = lc.OutputUrl("d", in, kTpl);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.error().code, "InvalidParam.StreamInput.InputUrl") << in;
  }
}

}  // namespace
}  // namespace floe::ice
