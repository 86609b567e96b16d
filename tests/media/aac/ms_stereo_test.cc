// ChooseMidSide: a source in both channels goes mid/side (its side is what differs), a source in
// one channel stays left/right, and the allowed noise of a mid/side band is half the smaller of
// the two channels'.
#include "media/aac/ms_stereo.h"

#include <gtest/gtest.h>

#include <random>

namespace floe::media::aac {
namespace {

struct Pair {
  std::vector<std::vector<float>> spectra;
  std::vector<std::vector<double>> allowed;
};

// Gaussian lines, right = gain * left + independent * its own noise; allowed 20 dB under each
// channel's line energy (a floor where it is silent).
Pair MakePair(const LdLayout& layout, double gain, double independent, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0F, 1000.0F);
  Pair p;
  p.spectra.assign(2, std::vector<float>(static_cast<size_t>(layout.frame_length)));
  for (int k = 0; k < layout.frame_length; ++k) {
    p.spectra[0][k] = gauss(rng);
    p.spectra[1][k] = static_cast<float>(gain * p.spectra[0][k] + independent * gauss(rng));
  }
  p.allowed.assign(2, std::vector<double>(static_cast<size_t>(layout.num_swb())));
  for (int c = 0; c < 2; ++c) {
    for (int b = 0; b < layout.num_swb(); ++b) {
      double e = 0;
      for (int k = layout.swb_offset[b]; k < layout.swb_offset[b + 1]; ++k)
        e += double{p.spectra[c][k]} * p.spectra[c][k];
      p.allowed[c][b] = std::max(e / 100, 1.0);
    }
  }
  return p;
}

TEST(MidSide, APannedSourceGoesMidSide) {
  auto layout = LdLayoutFor(44100, 512);
  ASSERT_TRUE(layout.ok());
  // Panned a little left of centre: the same signal, right at 0.61 (0.52 / 0.85) of left.
  Pair p = MakePair(*layout, 0.61, 0.0, 1);
  const Pair before = p;
  const std::vector<uint8_t> ms = ChooseMidSide(*layout, p.spectra, p.allowed);
  ASSERT_EQ(ms.size(), static_cast<size_t>(layout->num_swb()));
  for (int b = 0; b < layout->num_swb(); ++b) {
    ASSERT_TRUE(ms[b]) << "band " << b;
    EXPECT_DOUBLE_EQ(p.allowed[0][b], std::min(before.allowed[0][b], before.allowed[1][b]) / 2);
    EXPECT_DOUBLE_EQ(p.allowed[1][b], p.allowed[0][b]);
    for (int k = layout->swb_offset[b]; k < layout->swb_offset[b + 1]; ++k) {
      const float l = before.spectra[0][k], r = before.spectra[1][k];
      EXPECT_FLOAT_EQ(p.spectra[0][k], (l + r) / 2);
      EXPECT_FLOAT_EQ(p.spectra[1][k], (l - r) / 2);
    }
  }
}

TEST(MidSide, OneChannelAloneStaysLeftRight) {
  auto layout = LdLayoutFor(48000, 512);
  ASSERT_TRUE(layout.ok());
  Pair p = MakePair(*layout, 0.0, 0.0, 2);  // right silent
  const Pair before = p;
  const std::vector<uint8_t> ms = ChooseMidSide(*layout, p.spectra, p.allowed);
  for (int b = 0; b < layout->num_swb(); ++b) EXPECT_FALSE(ms[b]) << "band " << b;
  EXPECT_EQ(p.spectra, before.spectra);
  EXPECT_EQ(p.allowed, before.allowed);
}

TEST(MidSide, IndependentChannelsMostlyStayLeftRight) {
  auto layout = LdLayoutFor(48000, 512);
  ASSERT_TRUE(layout.ok());
  Pair p = MakePair(*layout, 0.0, 0.5, 3);  // right: its own noise, 6 dB down
  const std::vector<uint8_t> ms = ChooseMidSide(*layout, p.spectra, p.allowed);
  int chosen = 0;
  for (uint8_t m : ms) chosen += m;
  EXPECT_LT(chosen, layout->num_swb() / 4);
}

TEST(MidSide, SilenceAndMonoAreLeftAlone) {
  auto layout = LdLayoutFor(48000, 512);
  ASSERT_TRUE(layout.ok());
  Pair p = MakePair(*layout, 1.0, 0.0, 4);
  for (auto& s : p.spectra) std::fill(s.begin(), s.end(), 0.0F);
  for (uint8_t m : ChooseMidSide(*layout, p.spectra, p.allowed)) EXPECT_FALSE(m);
  std::vector<std::vector<float>> one(1, std::vector<float>(512, 1.0F));
  std::vector<std::vector<double>> one_allowed(1, std::vector<double>(36, 1.0));
  for (uint8_t m : ChooseMidSide(*layout, one, one_allowed)) EXPECT_FALSE(m);
}

}  // namespace
}  // namespace floe::media::aac
