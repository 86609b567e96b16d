// Parametric stereo analysis on synthetic QMF slots: level differences and coherence per stereo
// band come out as constructed, quantised to the nearest table value.
#include "media/aac/ps_estimate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "media/aac/ps_tables.h"

namespace floe::media::aac {
namespace {

using Slots = std::vector<QmfAnalysis::Slot>;

// Complex Gaussian noise in every band, 32 slots.
Slots Noise(unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0F, 0.1F);
  Slots s(32);
  for (auto& slot : s) {
    for (auto& x : slot) x = {n(rng), n(rng)};
  }
  return s;
}

Slots Scaled(const Slots& in, float gain) {
  Slots out = in;
  for (auto& slot : out) {
    for (auto& x : slot) x *= gain;
  }
  return out;
}

TEST(PsEstimateTest, QuantisesToTheNearestTableValue) {
  EXPECT_EQ(QuantiseIid(0.0), 0);
  EXPECT_EQ(QuantiseIid(6.0), 3);  // 7 dB is nearer than 4
  EXPECT_EQ(QuantiseIid(-6.0), -3);
  EXPECT_EQ(QuantiseIid(8.0), 3);
  EXPECT_EQ(QuantiseIid(9.0), 4);
  EXPECT_EQ(QuantiseIid(40.0), 7);
  EXPECT_EQ(QuantiseIid(-40.0), -7);
  EXPECT_EQ(QuantiseIcc(1.0), 0);
  EXPECT_EQ(QuantiseIcc(0.9), 1);
  EXPECT_EQ(QuantiseIcc(0.05), 5);
  EXPECT_EQ(QuantiseIcc(-0.7), 6);
  EXPECT_EQ(QuantiseIcc(-1.0), 7);
}

TEST(PsEstimateTest, ACoherentPannedSourceGivesItsLevelDifferenceInEveryBand) {
  const Slots left = Noise(1);
  const Slots right = Scaled(left, std::pow(10.0F, -6.0F / 20));  // R 6 dB below L
  for (int bands : {10, 20}) {
    auto est = EstimatePsBands(left, right, 0, 32, bands);
    ASSERT_EQ(est.size(), static_cast<size_t>(bands));
    for (const PsBandEstimate& b : est) {
      EXPECT_NEAR(b.iid_db, 6.0, 1e-3);
      EXPECT_NEAR(b.icc, 1.0, 1e-4);
      EXPECT_EQ(b.iid, 3);
      EXPECT_EQ(b.icc_index, 0);
    }
  }
  // Swapped: the same difference the other way.
  for (const PsBandEstimate& b : EstimatePsBands(Scaled(left, 0.5F), left, 0, 32, 20)) {
    EXPECT_NEAR(b.iid_db, -6.02, 0.01);
    EXPECT_EQ(b.iid, -3);
  }
}

TEST(PsEstimateTest, CoherenceFollowsTheSharedPart) {
  const Slots a = Noise(2), b = Noise(3);
  // Independent channels: coherence near 0 (32 slots x >= 1 band of complex samples).
  for (const PsBandEstimate& e : EstimatePsBands(a, b, 0, 32, 20)) {
    EXPECT_LT(std::abs(e.icc), 0.45);
    EXPECT_NEAR(e.iid_db, 0.0, 3.0);
  }
  // R = -L: fully anti-coherent.
  for (const PsBandEstimate& e : EstimatePsBands(a, Scaled(a, -1.0F), 0, 32, 20)) {
    EXPECT_NEAR(e.icc, -1.0, 1e-4);
    EXPECT_EQ(e.icc_index, 7);
  }
  // Shared noise plus half-amplitude independent noise on each side: coherence 1 / 1.25 = 0.8,
  // checked in the wide top band where the estimate is steadiest.
  const Slots c = Noise(4);
  Slots l = a, r = a;
  for (size_t t = 0; t < l.size(); ++t) {
    for (int k = 0; k < QmfAnalysis::kBands; ++k) {
      l[t][k] = a[t][k] + 0.5F * b[t][k];
      r[t][k] = a[t][k] + 0.5F * c[t][k];
    }
  }
  auto est = EstimatePsBands(l, r, 0, 32, 20);
  EXPECT_NEAR(est.back().icc, 0.8, 0.05);
  EXPECT_EQ(est.back().icc_index, 2);  // 0.841 is the nearest table value
}

TEST(PsEstimateTest, SilenceIsCentredAndCoherentAndOneSilentSideIsFullyPanned) {
  const Slots silent(32), noise = Noise(5);
  for (const PsBandEstimate& e : EstimatePsBands(silent, silent, 0, 32, 20)) {
    EXPECT_EQ(e.iid, 0);
    EXPECT_EQ(e.icc_index, 0);
  }
  for (const PsBandEstimate& e : EstimatePsBands(noise, silent, 0, 32, 20)) EXPECT_EQ(e.iid, 7);
  for (const PsBandEstimate& e : EstimatePsBands(silent, noise, 0, 32, 20)) EXPECT_EQ(e.iid, -7);
}

TEST(PsEstimateTest, OnlyTheGivenSlotsAndBandsCount) {
  Slots left = Noise(6), right = left;
  // Slots 16.. of the right channel 10 dB down: a window over slots 0..15 must not see it.
  for (size_t t = 16; t < right.size(); ++t) {
    for (auto& x : right[t]) x *= std::pow(10.0F, -0.5F);
  }
  for (const PsBandEstimate& e : EstimatePsBands(left, right, 0, 16, 20)) EXPECT_EQ(e.iid, 0);
  for (const PsBandEstimate& e : EstimatePsBands(left, right, 16, 32, 20)) EXPECT_EQ(e.iid, 4);
  // Only QMF band 40 panned: only the 20-band band 19 (QMF 35..63) moves.
  Slots r2 = left;
  for (auto& slot : r2) slot[40] = 0;
  auto est = EstimatePsBands(left, r2, 0, 32, 20);
  for (int b = 0; b < 19; ++b) EXPECT_EQ(est[b].iid, 0) << b;
  EXPECT_GT(est[19].iid_db, 0.1);
}

TEST(PsEstimateTest, DownmixIsTheMean) {
  const std::vector<float> l = {1.0F, 0.5F, -1.0F}, r = {0.0F, 0.5F, 1.0F};
  std::vector<float> m(3);
  Downmix(l, r, m);
  EXPECT_FLOAT_EQ(m[0], 0.5F);
  EXPECT_FLOAT_EQ(m[1], 0.5F);
  EXPECT_FLOAT_EQ(m[2], 0.0F);
}

}  // namespace
}  // namespace floe::media::aac
