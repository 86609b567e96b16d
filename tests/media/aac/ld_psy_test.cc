// LdPsy: silence may carry noise up to the threshold in quiet, a loud tone raises what its
// neighbouring bands may carry (more above it than below) and hides noise under its own level.
#include "media/aac/ld_psy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "media/aac/ld_mdct.h"

namespace floe::media::aac {
namespace {

constexpr int kN = 512;

LdPsy Model() {
  auto layout = LdLayoutFor(44100, kN);
  EXPECT_TRUE(layout.ok());
  return LdPsy(*layout, LdFullScaleEnergy(kN));
}

int BandOf(int line) {
  auto layout = LdLayoutFor(44100, kN);
  int b = 0;
  while (layout->swb_offset[b + 1] <= line) ++b;
  return b;
}

TEST(LdPsyTest, ThresholdInQuietIsLowestAroundThreeToFourKilohertz) {
  EXPECT_GT(AbsoluteThresholdDb(50), 30);
  EXPECT_LT(AbsoluteThresholdDb(3500), 0);
  EXPECT_GT(AbsoluteThresholdDb(16000), 40);
  EXPECT_LT(AbsoluteThresholdDb(1000), AbsoluteThresholdDb(100));
  EXPECT_NEAR(BarkOf(1000), 8.5, 0.2);
}

TEST(LdPsyTest, SilenceIsAllowedTheThresholdInQuiet) {
  LdPsy psy = Model();
  std::vector<float> silence(kN, 0.0F);
  std::vector<double> allowed = psy.AllowedDistortion(silence);
  ASSERT_EQ(allowed.size(), psy.absolute_threshold().size());
  for (size_t b = 0; b < allowed.size(); ++b) {
    EXPECT_EQ(allowed[b], psy.absolute_threshold()[b]) << b;
    EXPECT_GT(allowed[b], 0);
  }
  // Far below a full-scale line (~-90 dB around 3 kHz, per band).
  const double full = LdFullScaleEnergy(kN);
  EXPECT_LT(10 * std::log10(allowed[BandOf(70)] / full), -80);
}

TEST(LdPsyTest, LoudToneMasksItsNeighboursMoreAboveThanBelow) {
  LdPsy psy = Model();
  // A -6 dBFS tone on line 46 (about 2 kHz): all its energy in one line.
  const int line = 46, band = BandOf(line);
  std::vector<float> spectrum(kN, 0.0F);
  const double energy = LdFullScaleEnergy(kN) / 4;
  spectrum[line] = static_cast<float>(std::sqrt(energy));
  std::vector<double> allowed = psy.AllowedDistortion(spectrum);
  const auto& quiet = psy.absolute_threshold();

  // Its own band may carry noise well under the tone, but far above the threshold in quiet.
  const double own_db = 10 * std::log10(allowed[band] / energy);
  EXPECT_LT(own_db, -kLdToneMaskingOffsetDb + 0.1);
  EXPECT_GT(own_db, -30);
  EXPECT_GT(allowed[band], 1e4 * quiet[band]);
  // Neighbours are masked, less and less with distance, on both sides.
  for (int d = 1; d <= 3; ++d) {
    EXPECT_GT(allowed[band + d], 100 * quiet[band + d]) << d;
    EXPECT_GT(allowed[band - d], quiet[band - d]) << d;
    EXPECT_LT(allowed[band + d + 1] / (allowed[band + d]), 1.0) << d;
  }
  // The spreading slopes: one Bark above the tone keeps more masking than one Bark below.
  const int up = BandOf(58), down = BandOf(36);  // about 2.5 kHz and 1.55 kHz
  const double per_line_up = allowed[up] / (LdLayoutFor(44100, kN)->swb_offset[up + 1] -
                                            LdLayoutFor(44100, kN)->swb_offset[up]);
  const double per_line_down = allowed[down] / (LdLayoutFor(44100, kN)->swb_offset[down + 1] -
                                                LdLayoutFor(44100, kN)->swb_offset[down]);
  EXPECT_GT(per_line_up, per_line_down);
  // Far away (above 15 kHz) only the threshold in quiet is left.
  const int far = BandOf(360);
  EXPECT_NEAR(allowed[far] / quiet[far], 1.0, 1e-9);
}

// Noise hides more noise than a tone of the same energy does.
TEST(LdPsyTest, NoiseMasksMoreThanATone) {
  LdPsy psy = Model();
  const int band = BandOf(200);  // about 8.6 kHz, 12 lines wide
  auto layout = LdLayoutFor(44100, kN);
  const int lo = layout->swb_offset[band], hi = layout->swb_offset[band + 1];
  std::vector<float> tone(kN, 0.0F), noise(kN, 0.0F);
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0F, 1.0F);
  double energy = 0;
  for (int k = lo - 8; k < hi + 8; ++k) {
    noise[k] = gauss(rng);
    energy += static_cast<double>(noise[k]) * noise[k];
  }
  tone[(lo + hi) / 2] = static_cast<float>(std::sqrt(energy));
  const double scale = std::sqrt(LdFullScaleEnergy(kN)) * 1e-2 / std::sqrt(energy);
  for (float& v : tone) v *= static_cast<float>(scale);
  for (float& v : noise) v *= static_cast<float>(scale);
  EXPECT_GT(psy.Tonality(tone)[band], 0.99);
  EXPECT_LT(psy.Tonality(noise)[band], 0.3);
  const double ratio_db =
      10 * std::log10(psy.AllowedDistortion(noise)[band] / psy.AllowedDistortion(tone)[band]);
  EXPECT_GT(ratio_db, 8.0);
}

}  // namespace
}  // namespace floe::media::aac
