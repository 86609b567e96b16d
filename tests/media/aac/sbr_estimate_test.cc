// SBR envelope, noise-floor and inverse-filtering estimation, calibrated against FFmpeg's decoder.
#include "media/aac/sbr_estimate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

namespace floe::media::aac {
namespace {

constexpr int kFrames = 12;
constexpr int kWarmupSlots = QmfAnalysis::kWindow / QmfAnalysis::kBands;

// kFrames whole SBR frames of slots (after the bank's warm-up) for `pcm` at 48 kHz.
std::vector<QmfAnalysis::Slot> Frames(const std::vector<float>& pcm) {
  QmfAnalysis qmf;
  std::vector<QmfAnalysis::Slot> slots;
  qmf.Process(pcm, slots);
  slots.erase(slots.begin(), slots.begin() + kWarmupSlots);
  slots.resize(static_cast<size_t>(kFrames) * kQmfSlotsPerFrame);
  return slots;
}

std::vector<float> UniformNoise(float amplitude, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-amplitude, amplitude);
  std::vector<float> pcm((kFrames + 1) * 2048);
  for (float& s : pcm) s = uniform(rng);
  return pcm;
}

std::vector<float> Tone(double hz, double amplitude) {
  std::vector<float> pcm((kFrames + 1) * 2048);
  for (size_t n = 0; n < pcm.size(); ++n) {
    pcm[n] = static_cast<float>(
        amplitude * std::sin(2.0 * std::numbers::pi * hz / 48000.0 * static_cast<double>(n)));
  }
  return pcm;
}

std::span<const QmfAnalysis::Slot> Frame(const std::vector<QmfAnalysis::Slot>& slots, int f) {
  return std::span(slots).subspan(static_cast<size_t>(f) * kQmfSlotsPerFrame, kQmfSlotsPerFrame);
}

TEST(SbrEstimateTest, CalibrationReproducesTheMeasuredDecoderLevel) {
  // AAC-NOTES 2.2: white noise of amplitude 0.25 at 48 kHz, 13-24 kHz, flat envelope at 1.5 dB
  // decoded by FFmpeg 5.1 at the input's level for q = 55. QMF band 35 starts at 13.125 kHz.
  const std::vector<QmfAnalysis::Slot> slots = Frames(UniformNoise(0.25f, 55));
  const std::vector<int> band = {35, 64};
  const int borders[] = {0, kSbrTimeSlots};
  const int freq_res[] = {1};
  for (int f = 0; f < kFrames; ++f) {
    const auto q =
        EstimateEnvelopes(Frame(slots, f), borders, freq_res, band, band, AmpRes::k1_5dB);
    ASSERT_EQ(q.size(), 1u);
    ASSERT_EQ(q[0].size(), 1u);
    EXPECT_NEAR(q[0][0], 51, 1) << "frame " << f;  // 55 before the re-measured scale (-6.27 dB)
  }
}

TEST(SbrEstimateTest, SixDbMoreIsFourStepsAtOneAndAHalfDbAndTwoAtThreeDb) {
  const std::vector<float> quiet = UniformNoise(0.05f, 3);
  std::vector<float> loud = quiet;
  for (float& s : loud) s *= 2.0f;  // exactly +6.02 dB
  const std::vector<QmfAnalysis::Slot> a = Frames(quiet);
  const std::vector<QmfAnalysis::Slot> b = Frames(loud);
  const std::vector<int> low = {20, 26, 32, 44};
  const std::vector<int> high = {20, 23, 26, 29, 32, 38, 44};
  const int borders[] = {0, 4, 8, 16};
  const int freq_res[] = {1, 0, 1};
  for (AmpRes res : {AmpRes::k1_5dB, AmpRes::k3dB}) {
    const int steps = res == AmpRes::k1_5dB ? 4 : 2;
    const auto qa = EstimateEnvelopes(Frame(a, 3), borders, freq_res, low, high, res);
    const auto qb = EstimateEnvelopes(Frame(b, 3), borders, freq_res, low, high, res);
    ASSERT_EQ(qa.size(), 3u);
    EXPECT_EQ(qa[0].size(), high.size() - 1);
    EXPECT_EQ(qa[1].size(), low.size() - 1);
    EXPECT_EQ(qa[2].size(), high.size() - 1);
    for (size_t e = 0; e < qa.size(); ++e) {
      for (size_t i = 0; i < qa[e].size(); ++i) {
        EXPECT_GT(qa[e][i], 10);
        EXPECT_EQ(qb[e][i] - qa[e][i], steps) << "envelope " << e << " band " << i;
      }
    }
  }
}

TEST(SbrEstimateTest, EnvelopesFollowTheirTimeBorders) {
  // Slots built directly: silence in SBR time slots 0-5, a constant level in 6-15.
  std::vector<QmfAnalysis::Slot> slots(kQmfSlotsPerFrame);
  for (int t = 12; t < kQmfSlotsPerFrame; ++t) slots[t].fill({0.01f, 0.0f});
  const std::vector<int> table = {32, 48, 64};
  const int borders[] = {0, 6, 16};
  const int freq_res[] = {0, 0};
  const auto q = EstimateEnvelopes(slots, borders, freq_res, table, table, AmpRes::k3dB);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0], (std::vector<int>{0, 0}));
  const int expected = static_cast<int>(std::lround(std::log2(1e-4 * kDecoderEnergyScale / 64)));
  EXPECT_EQ(q[1], (std::vector<int>{expected, expected}));
}

TEST(SbrEstimateTest, SilenceAndNonFiniteEnergiesStayInRange) {
  const std::vector<QmfAnalysis::Slot> silence = Frames(std::vector<float>((kFrames + 1) * 2048));
  const std::vector<int> table = {22, 30, 44};
  const int borders[] = {0, 8, 16};
  const int freq_res[] = {1, 1};
  const auto q =
      EstimateEnvelopes(Frame(silence, 0), borders, freq_res, table, table, AmpRes::k1_5dB);
  EXPECT_EQ(q, (std::vector<std::vector<int>>{{0, 0}, {0, 0}}));
  for (const NoiseBandEstimate& n : EstimateNoise(Frame(silence, 0), 0, 32, table)) {
    EXPECT_TRUE(std::isfinite(n.tonality));
    EXPECT_GE(n.noise_q, 0);
    EXPECT_LE(n.noise_q, 30);
  }
  EXPECT_EQ(QuantiseEnvelope(std::nan(""), AmpRes::k1_5dB), 0);
  EXPECT_EQ(QuantiseEnvelope(-1.0, AmpRes::k3dB), 0);
  EXPECT_EQ(QuantiseEnvelope(HUGE_VAL, AmpRes::k1_5dB), 127);
  EXPECT_EQ(QuantiseEnvelope(1e30, AmpRes::k3dB), 127);
}

TEST(SbrEstimateTest, ToneAndNoiseGetClearlyDifferentNoiseFloorAndInverseFiltering) {
  // Band 40 centre (15.1875 kHz) inside the noise band 32..48.
  const std::vector<QmfAnalysis::Slot> tone = Frames(Tone(40.5 * 375.0, 0.3));
  const std::vector<QmfAnalysis::Slot> noise = Frames(UniformNoise(0.3f, 9));
  const std::vector<int> noise_bands = {32, 48, 64};
  for (int f = 0; f < kFrames; ++f) {
    const auto t = EstimateNoise(Frame(tone, f), 0, kQmfSlotsPerFrame, noise_bands);
    const auto n = EstimateNoise(Frame(noise, f), 0, kQmfSlotsPerFrame, noise_bands);
    ASSERT_EQ(t.size(), 2u);
    ASSERT_EQ(n.size(), 2u);
    EXPECT_GE(t[0].noise_q, 20) << "frame " << f;
    EXPECT_EQ(t[0].invf_mode, 0) << "frame " << f;
    for (const NoiseBandEstimate& e : n) {
      EXPECT_LE(e.noise_q, 4) << "frame " << f;
      EXPECT_GE(e.invf_mode, 2) << "frame " << f;
    }
    // Half-frame noise envelopes (num_env > 1) still tell them apart.
    const auto t2 = EstimateNoise(Frame(tone, f), 16, 32, noise_bands);
    const auto n2 = EstimateNoise(Frame(noise, f), 16, 32, noise_bands);
    EXPECT_GT(t2[0].noise_q, n2[0].noise_q + 10) << "frame " << f;
    EXPECT_LT(t2[0].invf_mode, n2[0].invf_mode) << "frame " << f;
  }
}

}  // namespace
}  // namespace floe::media::aac
