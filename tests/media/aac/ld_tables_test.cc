// The scalefactor band tables of LD (512, 480) and of LC's long windows (1024): band counts of
// the standard, increasing offsets that end at the frame length, and the rates and frame
// lengths that have none.
#include "media/aac/ld_tables.h"

#include <gtest/gtest.h>

namespace floe::media::aac {
namespace {

TEST(LdTables, EveryRateHasTheStandardsBandCountAndEndsAtTheFrameLength) {
  struct Case {
    int rate, frame_length, num_swb;
  };
  const Case cases[] = {{48000, 512, 36},
                        {44100, 512, 36},
                        {32000, 512, 37},
                        {24000, 512, 31},
                        {22050, 512, 31},
                        {48000, 480, 35},
                        {44100, 480, 35},
                        {32000, 480, 37},
                        {24000, 480, 30},
                        {22050, 480, 30},
                        // AAC LC's long windows (Floe's LC core)
                        {48000, 1024, 49},
                        {44100, 1024, 49},
                        {32000, 1024, 51},
                        {24000, 1024, 47},
                        {22050, 1024, 47},
                        {16000, 1024, 43}};
  for (const Case& c : cases) {
    auto layout = LdLayoutFor(c.rate, c.frame_length);
    ASSERT_TRUE(layout.ok()) << c.rate << "/" << c.frame_length;
    EXPECT_EQ(layout->sample_rate, c.rate);
    EXPECT_EQ(layout->frame_length, c.frame_length);
    EXPECT_EQ(layout->num_swb(), c.num_swb) << c.rate << "/" << c.frame_length;
    EXPECT_EQ(layout->swb_offset.front(), 0);
    EXPECT_EQ(layout->swb_offset.back(), c.frame_length) << c.rate << "/" << c.frame_length;
    for (int b = 0; b < layout->num_swb(); ++b) {
      const int width = layout->swb_offset[b + 1] - layout->swb_offset[b];
      EXPECT_GT(width, 0) << c.rate << "/" << c.frame_length << " band " << b;
      // Every band holds whole 4-tuples, as the dimension-4 books need.
      EXPECT_EQ(width % 4, 0) << c.rate << "/" << c.frame_length << " band " << b;
    }
  }
}

TEST(LdTables, RatesAndFrameLengthsWithoutATableAreRefused) {
  EXPECT_FALSE(LdLayoutFor(16000, 512).ok());
  EXPECT_FALSE(LdLayoutFor(96000, 480).ok());
  EXPECT_FALSE(LdLayoutFor(8000, 1024).ok());
  EXPECT_FALSE(LdLayoutFor(96000, 1024).ok());
  auto bad = LdLayoutFor(48000, 960);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("960"), std::string::npos);
}

}  // namespace
}  // namespace floe::media::aac
