#include "ice/preview.h"

#include <gtest/gtest.h>

namespace floe::ice {
namespace {

constexpr char kJob[] = "0123456789abcdef0123456789abcdef";
constexpr char kInput[] = "i0123456789abcdef0123456789abcdef";

class PreviewLinksTest : public ::testing::Test {
 protected:
  int64_t now_ms_ = 1'800'000'000'000;
  PreviewLinks links_{"secret", "/data/preview", 600, [this] { return now_ms_; }};
};

TEST_F(PreviewLinksTest, AnIssuedLinkResolvesToTheJobsOutputAndItsInput) {
  auto link = links_.Issue(kJob, kInput);
  EXPECT_EQ(link.expires_s, 1'800'000'600);
  auto out = links_.Resolve(link.output_url);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->dir, std::string("/data/preview/jobs/") + kJob);
  EXPECT_EQ(out->file, "master.m3u8");  // which names index.m3u8 with its CODECS
  // A segment next to the playlist resolves under the same link.
  std::string base = link.input_url.substr(0, link.input_url.rfind('/') + 1);
  auto seg = links_.Resolve(base + "seg00012.ts");
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->dir, std::string("/data/preview/inputs/") + kInput);
  EXPECT_EQ(seg->file, "seg00012.ts");
}

TEST_F(PreviewLinksTest, ExpiredTamperedOrMalformedLinksResolveToNothing) {
  auto link = links_.Issue(kJob, kInput);
  now_ms_ += 601'000;
  EXPECT_FALSE(links_.Resolve(link.output_url).has_value());
  now_ms_ -= 601'000;
  std::string other = link.output_url;
  other.replace(other.find(kJob), 32, "ffffffffffffffffffffffffffffffff");  // another job
  EXPECT_FALSE(links_.Resolve(other).has_value());
  std::string later = link.output_url;
  later.replace(later.find("1800000600"), 10, "1900000600");  // a later expiry
  EXPECT_FALSE(links_.Resolve(later).has_value());
  PreviewLinks other_key{"other", "/data/preview", 600, [this] { return now_ms_; }};
  EXPECT_FALSE(other_key.Resolve(link.output_url).has_value());
  std::string base = link.output_url.substr(0, link.output_url.rfind("/output/"));
  for (const std::string& bad : {base + "/output", base + "/other/index.m3u8", base + "/output/a/b",
                                 std::string("/preview/") + kJob}) {
    EXPECT_FALSE(links_.Resolve(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace floe::ice
