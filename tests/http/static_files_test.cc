#include "http/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "test_util.h"

namespace floe::http {
namespace {

TEST(StaticFilesTest, OnlyPlainRelativeNamesAreAllowed) {
  for (const char* ok : {"index.html", "assets/app.js", "seg00001.ts", "a-b_c.d"}) {
    EXPECT_TRUE(IsSafeName(ok)) << ok;
  }
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../b", "./a", "a//b", "a/", "%2e%2e/x",
                          "a\\b", "a b", "a\nb"}) {
    EXPECT_FALSE(IsSafeName(bad)) << bad;
  }
}

TEST(StaticFilesTest, ObjectNamesAllowAnyTextButPathTricksAndControlCharacters) {
  for (const char* ok : {"record/a b/录制 #1.m3u8", "snap:2026-12-06T10:00:00Z.jpg"}) {
    EXPECT_TRUE(IsSafeName(ok, NameRule::kObject)) << ok;
    EXPECT_FALSE(IsSafeName(ok)) << ok;  // the console's and previews' names stay plain
  }
  EXPECT_TRUE(IsSafeName("a/b/c.ts", NameRule::kObject));
  for (const char* bad : {"", "/abs", "../x", "a/../b", "a/./b", "a//b", "a/", "a\\b", "a\nb",
                          "a\x7f", "\xff\xfe.jpg", "\xc0\xaf.jpg"}) {
    EXPECT_FALSE(IsSafeName(bad, NameRule::kObject)) << bad;
  }
  EXPECT_TRUE(IsSafeName(std::string(1024, 'a'), NameRule::kObject));
  EXPECT_FALSE(IsSafeName(std::string(1025, 'a'), NameRule::kObject));
  EXPECT_EQ(ContentTypeOf("shot.jpg"), "image/jpeg");
  EXPECT_EQ(ContentTypeOf("rec.flv"), "video/x-flv");
}

class ServeFileTest : public ::testing::Test {
 protected:
  ServeFileTest() {
    std::ofstream(dir_.File("index.html")) << "<p>hi</p>";
    std::ofstream(outside_.File("secret")) << "secret";
    EXPECT_EQ(::symlink(outside_.File("secret").c_str(), dir_.File("link").c_str()), 0);
  }
  Response Get(const std::string& name, const std::string& method = "GET") {
    Request r;
    r.method = method;
    return ServeFile(r, dir_.path(), name, "no-cache");
  }
  testing::TempDir dir_, outside_;
};

TEST_F(ServeFileTest, ServesAFileWithItsTypeAndNothingOutsideTheDirectory) {
  auto r = Get("index.html");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<p>hi</p>");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Get("missing.html").status, 404);
  EXPECT_EQ(Get("link").status, 404);  // a link is not followed out
  EXPECT_EQ(Get("../" + outside_.path().substr(outside_.path().rfind('/') + 1) + "/secret").status,
            404);
  EXPECT_EQ(Get("index.html", "POST").status, 405);
  EXPECT_TRUE(Get("index.html", "HEAD").body.empty());
  EXPECT_EQ(ContentTypeOf("a/index.m3u8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(ContentTypeOf("seg1.ts"), "video/mp2t");
}

TEST(StaticFilesTest, ARangeIsOneRangeOfBytesWithinTheFile) {
  auto range = [](const std::string& h, int64_t size) {
    auto r = ParseRange(h, size);
    return r ? std::to_string(r->first) + "-" + std::to_string(r->last) : std::string("none");
  };
  EXPECT_EQ(range("bytes=0-", 100), "0-99");
  EXPECT_EQ(range("bytes=10-19", 100), "10-19");
  EXPECT_EQ(range("bytes=90-500", 100), "90-99");
  EXPECT_EQ(range("bytes=-10", 100), "90-99");
  EXPECT_EQ(range("bytes=-500", 100), "0-99");
  EXPECT_EQ(range("bytes=100-", 100), "0--1");  // past the end: 416
  EXPECT_EQ(range("bytes=-0", 100), "0--1");
  for (const char* whole : {"", "bytes=5-1", "bytes=1-2,4-5", "items=0-1", "bytes=a-b", "bytes=-",
                            "bytes=99999999999999999999-"}) {
    EXPECT_EQ(range(whole, 100), "none") << whole;
  }
}

TEST_F(ServeFileTest, ARangeIsAnsweredWithThosePartsOfTheFile) {
  std::ofstream(dir_.File("rec.mp4")) << "0123456789";
  Request req;
  req.method = "GET";
  req.headers = {{"range", "bytes=2-5"}};
  auto r = ServeFile(req, dir_.path(), "rec.mp4", "no-cache", NameRule::kObject);
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "2345");
  auto header = [](const Response& resp, const std::string& name) {
    for (const auto& [k, v] : resp.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header(r, "Content-Range"), "bytes 2-5/10");
  EXPECT_EQ(header(r, "Accept-Ranges"), "bytes");
  req.headers = {{"range", "bytes=-3"}};
  EXPECT_EQ(ServeFile(req, dir_.path(), "rec.mp4", "no-cache", NameRule::kObject).body, "789");
  req.headers = {{"range", "bytes=10-"}};
  auto past = ServeFile(req, dir_.path(), "rec.mp4", "no-cache", NameRule::kObject);
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(header(past, "Content-Range"), "bytes */10");
  req.headers = {};
  EXPECT_EQ(ServeFile(req, dir_.path(), "rec.mp4", "no-cache", NameRule::kObject).body,
            "0123456789");
}

// O_NOFOLLOW guards only the last name: a linked directory inside the served one led out of it.
TEST_F(ServeFileTest, ALinkedDirectoryThatLeadsOutIsNotFollowed) {
  ASSERT_EQ(::symlink(outside_.path().c_str(), dir_.File("assets").c_str()), 0);
  auto r = Get("assets/secret");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  // A linked directory that stays inside is served, and so is a root that is itself a link.
  ASSERT_EQ(::mkdir(dir_.File("real").c_str(), 0700), 0);
  std::ofstream(dir_.File("real/app.js")) << "app";
  ASSERT_EQ(::symlink(dir_.File("real").c_str(), dir_.File("alias").c_str()), 0);
  EXPECT_EQ(Get("alias/app.js").body, "app");
  ASSERT_EQ(::symlink(dir_.path().c_str(), outside_.File("root").c_str()), 0);
  Request req;
  req.method = "GET";
  EXPECT_EQ(ServeFile(req, outside_.File("root"), "index.html", "no-cache").status, 200);
  EXPECT_EQ(ServeFile(req, outside_.File("root"), "assets/secret", "no-cache").status, 404);
}

TEST_F(ServeFileTest, AnAppThatIsNotBuiltSaysSoWithoutNamingTheDirectory) {
  Request req;
  req.method = "GET";
  EXPECT_EQ(ServeApp(req, dir_.path(), "", "no-cache", "not built").body, "<p>hi</p>");
  auto missing = ServeApp(req, dir_.path(), "gone.js", "no-cache", "not built");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "Not found.\n");
  std::string empty = outside_.File("empty");
  ASSERT_EQ(::mkdir(empty.c_str(), 0700), 0);
  auto r = ServeApp(req, empty, "", "no-cache", "The console is not built here.");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "The console is not built here.\n");
  EXPECT_EQ(r.body.find(empty), std::string::npos);
}

}  // namespace
}  // namespace floe::http
