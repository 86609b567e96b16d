// The cost model of admission control (runtime/cost.h): its calibration point and its factors.
#include "runtime/cost.h"

#include <gtest/gtest.h>

namespace floe::runtime {
namespace {

core::TemplateSpec Spec(const std::string& type, int w, int h, int fps, const char* codec) {
  core::TemplateSpec s;
  s.type = type;
  if (w) s.video.width = w;
  if (h) s.video.height = h;
  if (fps) s.video.fps = fps;
  s.video.codec = codec;
  return s;
}

TEST(CostTest, FourButNotFive720pJobsFitTwoCores) {
  int64_t c = JobCostMillicores(Spec("normal", 1280, 720, 30, "H.264"));
  EXPECT_EQ(c, 450);
  EXPECT_LE(4 * c, 2000);
  EXPECT_GT(5 * c, 2000);
}

TEST(CostTest, CodecTypeAndSizeScaleTheCost) {
  int64_t h264 = JobCostMillicores(Spec("normal", 1280, 720, 30, "H.264"));
  EXPECT_GT(JobCostMillicores(Spec("normal", 1280, 720, 30, "H.265")), h264);
  EXPECT_GT(JobCostMillicores(Spec("narrow-band", 1280, 720, 30, "H.264")), h264);
  EXPECT_LT(JobCostMillicores(Spec("normal", 640, 360, 30, "H.264")), h264);
  // Height alone keeps 16:9; nothing given is costed as 1080p30.
  EXPECT_EQ(JobCostMillicores(Spec("normal", 0, 720, 30, "H.264")), h264);
  EXPECT_EQ(JobCostMillicores(Spec("normal", 0, 0, 0, "H.264")),
            JobCostMillicores(Spec("normal", 1920, 1080, 30, "H.264")));
  EXPECT_EQ(JobCostMillicores(Spec("audio-only", 0, 0, 0, "H.264")), 50);
}

}  // namespace
}  // namespace floe::runtime
