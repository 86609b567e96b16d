#include "core/url_policy.h"

#include <gtest/gtest.h>

namespace floe::core {
namespace {

TEST(UrlPolicy, InputsOnlyThroughWhitelistedProtocols) {
  auto rtmp = CheckUrl("rtmp://127.0.0.1:1935/live/a", UrlRole::kInput);
  ASSERT_TRUE(rtmp.ok());
  EXPECT_EQ(rtmp->protocol_whitelist, "rtmp,tcp");
  EXPECT_EQ(CheckUrl("RTMPS://h/live/a", UrlRole::kInput)->protocol_whitelist, "rtmps,tcp,tls");
  EXPECT_EQ(CheckUrl("srt://h:9000?mode=caller", UrlRole::kInput)->protocol_whitelist, "srt,udp");
  EXPECT_TRUE(CheckUrl("https://cdn.example/live/index.m3u8?token=1", UrlRole::kInput).ok());
  for (const char* bad : {"file:///etc/passwd", "/etc/passwd", "pipe:0", "concat:a|b",
                          "subfile:,,start,0,end,0,:/etc/passwd", "data:text/plain,hi",
                          "http://h/video.flv", "ftp://h/a", "rtmp:", "tcp://h:1", "udp://h:1",
                          "gopher://x", "rtmp://h/live/a\nfile:///x"}) {
    auto r = CheckUrl(bad, UrlRole::kInput);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, "InvalidParam.InputUrl") << bad;
    }
  }
  auto file = CheckUrl("file:///etc/passwd", UrlRole::kInput);
  EXPECT_NE(file.error().message.find("protocol \"file\" is not allowed"), std::string::npos);
}

TEST(UrlPolicy, OutputsAreRtmpOnly) {
  EXPECT_TRUE(CheckUrl("rtmp://127.0.0.1/live/out", UrlRole::kOutput).ok());
  for (const char* bad : {"file:///tmp/x.flv", "srt://h:1", "https://h/x.m3u8", "/tmp/out.flv"}) {
    auto r = CheckUrl(bad, UrlRole::kOutput);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, "InvalidParam.OutputUrl");
    }
  }
}

TEST(UrlPolicy, FragmentsAreRefused) {
  // Only '?' was stripped before the .m3u8 check, so a fragment could hide any path.
  for (const char* bad :
       {"http://127.0.0.1:8080/admin#.m3u8", "https://h/a.m3u8#x", "rtmp://h/live/a#b"}) {
    EXPECT_FALSE(CheckUrl(bad, UrlRole::kInput).ok()) << bad;
  }
  EXPECT_FALSE(CheckUrl("rtmp://h/live/a#b", UrlRole::kOutput).ok());
}

TEST(UrlPolicy, SrtOptionsAreAShortAllowList) {
  // SRT's access-control streamid ("#!::r=...") is sent percent-encoded: a raw '#' is a fragment.
  for (const char* ok : {"srt://h:9000", "srt://h:9000?streamid=%23!::r=live/cam",
                         "srt://h:9000?mode=caller&latency=200000&passphrase=abcdefghij",
                         "srt://h:9000?rcvbuf=1048576&transtype=live"}) {
    EXPECT_TRUE(CheckUrl(ok, UrlRole::kInput).ok()) << ok;
  }
  EXPECT_FALSE(CheckUrl("srt://h:9000?streamid=#!::r=live/cam", UrlRole::kInput).ok());
  for (const char* bad : {"srt://0.0.0.0:45999?mode=listener", "srt://h:9000?mode=rendezvous",
                          "srt://h:9000?rcvbuf=1000000000", "srt://h:9000?latency=x",
                          "srt://h:9000?localport=80", "srt://h:9000?transtype=file"}) {
    EXPECT_FALSE(CheckUrl(bad, UrlRole::kInput).ok()) << bad;
  }
}

TEST(UrlPolicy, HostAndPort) {
  auto hp = UrlHostPort("srt://h.example:9000?streamid=x");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "h.example");
  EXPECT_EQ(hp->port, 9000);
  hp = UrlHostPort("rtmp://[2001:db8::1]:1935/live/x");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "2001:db8::1");
  EXPECT_EQ(hp->port, 1935);
  hp = UrlHostPort("rtmp://origin/live/x");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "origin");
  EXPECT_EQ(hp->port, 0);
  for (const char* bad : {"rtmp:///live", "srt://h:", "srt://h:99999", "srt://h:9x",
                          "rtmp://[::1/x", "rtmp://[::1]x/y"}) {
    EXPECT_FALSE(UrlHostPort(bad)) << bad;
  }
}

}  // namespace
}  // namespace floe::core
