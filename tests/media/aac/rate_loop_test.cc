// The rate loop around FFmpeg's AAC encoder (Floe's LC, the HE core) against model encoders: one
// that spends more than it is asked, one that spends less, one that spends a floor whatever it
// is asked, and a silence.
#include "media/aac/rate_loop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace floe::media::aac {
namespace {

constexpr int64_t kTarget = 64000;
constexpr double kFrame = 2048.0 / 48000.0;  // an HE packet at 48 kHz
constexpr int kFramesPerSecond = 23;         // about 1 / kFrame
const double kTargetFrame = kTarget * kFrame;

// An encoder that spends `bias` times the bit rate it is asked for, plus `floor_share` of the
// target whatever it is asked.
struct ModelEncoder {
  double bias = 1.0;
  double floor_share = 0.0;
  int64_t Bits(double rate_scale) const {
    return std::llround((floor_share + bias * rate_scale) * kTargetFrame);
  }
};

struct Outcome {
  double mean = 0, last_half = 0;  // bits per frame
};

Outcome Drive(RateLoop& rc, int frames, const std::function<ModelEncoder(int)>& encoder) {
  Outcome r;
  for (int i = 0; i < frames; ++i) {
    const int64_t bits = encoder(i).Bits(rc.rate_scale());
    rc.Account(bits);
    r.mean += static_cast<double>(bits) / frames;
    if (i >= frames / 2) r.last_half += static_cast<double>(bits) / (frames - frames / 2);
  }
  return r;
}

TEST(RateLoopTest, PaysBackWhatAnEncoderThatSpendsOverWhatItIsAskedOverspent) {
  // FFmpeg's average-bitrate mode on speech: 1.3x what it is asked, and 1.8x on louder
  // passages of 5 s.
  RateLoop rc(kTarget, kFrame, kTarget);
  EXPECT_DOUBLE_EQ(rc.rate_scale(), 1.0);  // it starts at the nominal rate
  EXPECT_EQ(rc.bit_rate(), kTarget);
  const Outcome r = Drive(rc, 60 * kFramesPerSecond, [](int i) {
    return ModelEncoder{.bias = (i / (5 * kFramesPerSecond)) % 2 ? 1.3 : 1.8};
  });
  // The first seconds' overspend is paid back: the whole minute is on the target.
  EXPECT_NEAR(r.mean, kTargetFrame, 0.02 * kTargetFrame);
  EXPECT_NEAR(r.last_half, kTargetFrame, 0.02 * kTargetFrame);
  EXPECT_LT(std::abs(rc.debt_bits()), 0.25 * kTarget);
}

TEST(RateLoopTest, AsksForMoreFromAnEncoderThatSpendsLess) {
  RateLoop rc(kTarget, kFrame, kTarget);
  const Outcome r = Drive(rc, 60 * kFramesPerSecond, [](int) { return ModelEncoder{.bias = 0.7}; });
  EXPECT_NEAR(r.last_half, kTargetFrame, 0.02 * kTargetFrame);
  EXPECT_NEAR(rc.rate_scale(), 1.0 / 0.7, 0.03);
}

TEST(RateLoopTest, ASilenceBanksAtMostOneSecondOfCredit) {
  // After a silence of 2 s or of 60 s, the same burst at twice the target.
  auto after_silence = [](int seconds) {
    RateLoop rc(kTarget, kFrame, kTarget);
    for (int i = 0; i < seconds * kFramesPerSecond; ++i) rc.Account(0);
    EXPECT_DOUBLE_EQ(rc.debt_bits(), -1.0 * kTarget);
    // Two doublings a second of credit, bounded: twice the nominal rate.
    EXPECT_DOUBLE_EQ(rc.rate_scale(), 2.0);
    int frames = 0;
    while (rc.debt_bits() < 0 && frames < 10 * kFramesPerSecond) {
      rc.Account(std::llround(2 * kTargetFrame));
      ++frames;
    }
    EXPECT_LE(frames, kFramesPerSecond + 1);  // the credit is spent within about a second
    return rc.rate_scale();
  };
  const double short_silence = after_silence(2);
  // A longer silence did not raise the base further: the loop stands where it did.
  EXPECT_DOUBLE_EQ(after_silence(60), short_silence);
  EXPECT_LT(short_silence, 1.5);
}

TEST(RateLoopTest, AnEncoderWithAFloorGetsTheLowestRateAndTheDebtStops) {
  // 1.5x the target whatever it is asked (FFmpeg 5.1 on applause at 24 kbit/s HE stereo).
  RateLoop rc(kTarget, kFrame, kTarget);
  Drive(rc, 120 * kFramesPerSecond,
        [](int) { return ModelEncoder{.bias = 0, .floor_share = 1.5}; });
  EXPECT_DOUBLE_EQ(rc.debt_bits(), 6.0 * kTarget);  // bounded
  EXPECT_DOUBLE_EQ(rc.rate_scale(), 0.25);
  EXPECT_EQ(rc.bit_rate(), kTarget / 4);
  // Once it can spend less, the loop is back at the nominal rate within seconds.
  const Outcome r = Drive(rc, 60 * kFramesPerSecond, [](int) { return ModelEncoder{}; });
  EXPECT_NEAR(r.last_half, kTargetFrame, 0.02 * kTargetFrame);
  EXPECT_NEAR(rc.rate_scale(), 1.0, 0.05);
}

}  // namespace
}  // namespace floe::media::aac
