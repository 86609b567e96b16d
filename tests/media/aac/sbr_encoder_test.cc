// SbrEncoder's transient detection and VAR framing: steady sound never triggers, an onset gets a
// border at or just before it, every border's grid is one the decoder reads back the same way,
// and the AAC frame limit and its small fallback frame.
#include "media/aac/sbr_encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "media/aac/sbr_estimate.h"

namespace floe::media::aac {
namespace {

constexpr int kRate = 48000;
constexpr int kFrame = 2048;

// QMF slots of `x`, cut into frames of 32 slots and the detector's lookahead where there is one.
std::vector<std::vector<QmfAnalysis::Slot>> Frames(const std::vector<float>& x) {
  QmfAnalysis qmf;
  std::vector<QmfAnalysis::Slot> slots;
  qmf.Process(x, slots);
  std::vector<std::vector<QmfAnalysis::Slot>> frames;
  for (size_t at = 0; at + kQmfSlotsPerFrame <= slots.size(); at += kQmfSlotsPerFrame) {
    const size_t end = std::min(slots.size(), at + kQmfSlotsPerFrame + kSbrTransientLookahead);
    frames.emplace_back(slots.begin() + at, slots.begin() + end);
  }
  return frames;
}

SbrConfig Config() {
  auto c = ChooseSbrConfig(kRate, 2, 48000);
  EXPECT_TRUE(c.ok());
  return *c;
}

TEST(SbrEncoderTest, SteadyNoiseAndTonesNeverTrigger) {
  const SbrConfig cfg = Config();
  std::mt19937 rng(5);
  std::normal_distribution<float> gauss(0.0F, 0.1F);
  std::vector<float> x(40 * kFrame);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = gauss(rng) +
           0.3F * static_cast<float>(std::sin(2 * std::numbers::pi * 15000.0 * i / kRate));
  }
  SbrTransientDetector det(cfg.tables.kx, cfg.tables.high.back());
  auto frames = Frames(x);
  int triggered = 0;
  for (size_t f = 0; f < frames.size(); ++f) {
    const int border = det.Detect(frames[f]);
    if (f > 0 && border) ++triggered;  // frame 0 starts from silence: an onset of its own
  }
  EXPECT_EQ(triggered, 0);
}

TEST(SbrEncoderTest, AnOnsetGetsABorderAtOrJustBeforeIt) {
  const SbrConfig cfg = Config();
  std::mt19937 rng(9);
  std::normal_distribution<float> gauss(0.0F, 0.2F);
  // Quiet noise (-46 dB) for 8 frames, then a burst 40 dB louder starting at `onset` samples
  // into frame 8 (QMF slot (onset + kDelaySamples) / 64 of it).
  for (int onset = 256; onset < 2048; onset += 192) {
    std::vector<float> x(10 * kFrame);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = gauss(rng) * (static_cast<int>(i) >= 8 * kFrame + onset ? 1.0F : 0.01F);
    SbrTransientDetector det(cfg.tables.kx, cfg.tables.high.back());
    auto frames = Frames(x);
    std::vector<int> borders;
    for (const auto& f : frames) borders.push_back(det.Detect(f));
    for (int f = 1; f < 8; ++f) EXPECT_EQ(borders[f], 0) << "onset " << onset << " frame " << f;
    const int slot = (onset + QmfAnalysis::kDelaySamples) / 64;
    if (slot < 4 || slot >= 32) continue;  // at the frame's start or in the next frame
    // At or before the onset, by less than one time-slot pair plus the QMF's smear.
    const int border_slot = borders[8] * kQmfSlotsPerTimeSlot;
    EXPECT_LE(border_slot, slot) << "onset " << onset;
    EXPECT_GE(border_slot, slot - 8) << "onset " << onset;
    EXPECT_EQ(borders[9], 0) << "onset " << onset;  // the burst goes on: no second onset
  }
}

TEST(SbrEncoderTest, TransientGridsPutTheBorderNoiseSplitAndPointerAtTheOnset) {
  for (int border = 2; border <= 14; border += 2) {
    SCOPED_TRACE(border);
    const SbrGrid g = TransientGrid(border);
    const std::vector<int> b = SbrGridBorders(g);
    ASSERT_EQ(static_cast<int>(b.size()), g.num_env + 1);
    EXPECT_EQ(b.front(), 0);
    EXPECT_EQ(b.back(), kSbrTimeSlots);
    const int tr = SbrTransientEnvelope(g);
    ASSERT_GE(tr, 0);
    EXPECT_EQ(b[tr], border);
    EXPECT_EQ(b[SbrNoiseSplitEnvelope(g)], border);
    EXPECT_LE(g.num_env, 4);
    for (int e = 0; e < g.num_env; ++e) EXPECT_EQ(g.freq_res[e], b[e + 1] - b[e] >= 4);
  }
}

TEST(SbrEncoderTest, EncoderWritesVarFramesOnlyForChannelsWithAnOnset) {
  const SbrConfig cfg = Config();
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0F, 0.2F);
  std::vector<float> steady(6 * kFrame), burst(6 * kFrame);
  for (size_t i = 0; i < steady.size(); ++i) {
    steady[i] = gauss(rng);
    burst[i] = i >= 4 * kFrame + 1000 ? gauss(rng) : 0.0F;
  }
  auto left = Frames(steady), right = Frames(burst);
  SbrEncoder enc(cfg, 2);
  SbrEncoder fixfix(cfg, 2, false);
  size_t var_bits = 0, small_bits = 0, fix_bits = 0;
  for (size_t f = 0; f < left.size(); ++f) {
    const std::vector<std::vector<QmfAnalysis::Slot>> slots = {left[f], right[f]};
    auto out = enc.EncodeFrame(slots);
    ASSERT_TRUE(out.ok()) << out.error().message;
    auto fix = fixfix.EncodeFrame(slots);
    ASSERT_TRUE(fix.ok());
    if (f == 4) {
      var_bits = out->bits();
      fix_bits = fix->bits();
      auto small = enc.EncodeReducedFrame(slots, SbrEncoder::Reduction::kSmallest);
      ASSERT_TRUE(small.ok());
      small_bits = small->bits();
      EXPECT_EQ(small->data()[0] >> 7, 0);  // bs_header_flag 0
      // The same grids without the 16-bit header.
      auto headerless = enc.EncodeReducedFrame(slots, SbrEncoder::Reduction::kNoHeader);
      ASSERT_TRUE(headerless.ok());
      EXPECT_EQ(headerless->bits(), var_bits - 16);
    }
  }
  // Left's start from silence (QMF slot 4 of frame 0, the filter bank's delay) and right's
  // onset in frame 4 (slot 20); nothing else.
  EXPECT_EQ(enc.var_frames(), 2);
  EXPECT_EQ(fixfix.var_frames(), 0);
  EXPECT_GT(var_bits, fix_bits);  // three envelopes instead of one
  EXPECT_LT(small_bits, fix_bits);
}

TEST(SbrEncoderTest, AacFrameLimitIs6144BitsPerCoreChannel) {
  EXPECT_TRUE(FitsAacFrameLimit(768, 1));
  EXPECT_FALSE(FitsAacFrameLimit(769, 1));
  EXPECT_TRUE(FitsAacFrameLimit(1536, 2));
  EXPECT_FALSE(FitsAacFrameLimit(1537, 2));
  EXPECT_FALSE(FitsAacFrameLimit(1, 0));
}

}  // namespace
}  // namespace floe::media::aac
