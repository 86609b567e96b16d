// The SBR encoder's QMF analysis: band selectivity, flatness, streaming and delay.
#include "media/aac/qmf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

namespace floe::media::aac {
namespace {

constexpr double kRate = 48000.0;
constexpr double kBandHz = kRate / 128.0;  // 375 Hz

std::vector<QmfAnalysis::Slot> Analyse(const std::vector<float>& pcm) {
  QmfAnalysis qmf;
  std::vector<QmfAnalysis::Slot> slots;
  qmf.Process(pcm, slots);
  return slots;
}

// Mean |X|^2 per band, skipping the slots in which the window still holds the initial silence.
std::vector<double> BandEnergies(const std::vector<QmfAnalysis::Slot>& slots) {
  constexpr size_t kWarmup = QmfAnalysis::kWindow / QmfAnalysis::kBands;
  std::vector<double> e(QmfAnalysis::kBands, 0.0);
  for (size_t t = kWarmup; t < slots.size(); ++t) {
    for (int k = 0; k < QmfAnalysis::kBands; ++k) e[k] += std::norm(slots[t][k]);
  }
  for (double& v : e) v /= static_cast<double>(slots.size() - kWarmup);
  return e;
}

std::vector<float> Sine(double hz, double amplitude, int samples) {
  std::vector<float> pcm(samples);
  for (int n = 0; n < samples; ++n) {
    pcm[n] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * hz / kRate * n));
  }
  return pcm;
}

TEST(QmfAnalysisTest, SineLandsInItsBandWithEveryOtherBandFortyDbBelow) {
  for (int band : {0, 3, 10, 27, 40, 55, 63}) {
    for (double offset : {-0.1, 0.0, 0.1}) {
      const double hz = (band + 0.5 + offset) * kBandHz;
      const std::vector<double> e = BandEnergies(Analyse(Sine(hz, 0.5, 24000)));
      double total = 0.0;
      for (double v : e) total += v;
      const int expected = static_cast<int>(std::floor(hz / kBandHz));
      ASSERT_EQ(expected, band);
      EXPECT_GE(e[band] / total, 0.95) << hz << " Hz";
      for (int k = 0; k < QmfAnalysis::kBands; ++k) {
        if (k == band) continue;
        // Neighbours, and the mirror image a real-input bank could leak into, alike.
        EXPECT_LE(10.0 * std::log10(e[k] / e[band]), -40.0) << hz << " Hz, band " << k;
      }
      // Unit-energy prototype: a sine of power P shows about 64 * P in its band.
      const double power = 0.5 * 0.5 / 2.0;
      EXPECT_NEAR(10.0 * std::log10(e[band] / (64.0 * power)), 0.0, 0.3) << hz << " Hz";
    }
  }
}

TEST(QmfAnalysisTest, ToneReadsTheSameTotalEnergyAnywhereInABand) {
  // Power complementary: a tone at a crossover splits between two bands without losing energy.
  for (double position : {0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875}) {
    const std::vector<double> e =
        BandEnergies(Analyse(Sine((20 + position) * kBandHz, 0.5, 24000)));
    double total = 0.0;
    for (double v : e) total += v;
    EXPECT_NEAR(10.0 * std::log10(total / (64.0 * 0.125)), 0.0, 0.6) << position;
  }
}

TEST(QmfAnalysisTest, WhiteNoiseSpreadsEvenlyOverAllBands) {
  std::mt19937 rng(22);
  std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
  std::vector<float> pcm(3 * 48000);
  for (float& s : pcm) s = uniform(rng);
  const double variance = 1.0 / 12.0;
  const std::vector<double> e = BandEnergies(Analyse(pcm));
  for (int k = 0; k < QmfAnalysis::kBands; ++k) {
    // Each band holds the signal's power density: variance per QMF sample.
    EXPECT_NEAR(10.0 * std::log10(e[k] / variance), 0.0, 1.0) << "band " << k;
  }
}

TEST(QmfAnalysisTest, StreamingInChunksGivesTheSameSlotsAsOneCall) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> pcm(64 * 40 + 17);
  for (float& s : pcm) s = uniform(rng);
  const std::vector<QmfAnalysis::Slot> whole = Analyse(pcm);
  ASSERT_EQ(whole.size(), 40u);

  QmfAnalysis qmf;
  std::vector<QmfAnalysis::Slot> chunked;
  const std::span<const float> all(pcm);
  size_t pos = 0;
  for (size_t i = 0; pos < all.size(); ++i) {
    const size_t sizes[] = {1, 63, 64, 65, 7, 200, 0, 128};
    const size_t n = std::min(sizes[i % 8], all.size() - pos);
    qmf.Process(all.subspan(pos, n), chunked);
    pos += n;
  }
  ASSERT_EQ(chunked.size(), whole.size());
  for (size_t t = 0; t < whole.size(); ++t) {
    for (int k = 0; k < QmfAnalysis::kBands; ++k) {
      ASSERT_EQ(chunked[t][k], whole[t][k]) << "slot " << t << " band " << k;
    }
  }

  // Reset forgets the history: the same input again gives the same slots.
  qmf.Reset();
  std::vector<QmfAnalysis::Slot> again;
  qmf.Process(pcm, again);
  ASSERT_EQ(again.size(), whole.size());
  EXPECT_EQ(again.back(), whole.back());
}

TEST(QmfAnalysisTest, ImpulsePeaksInTheSlotTheReportedDelayNames) {
  for (int at : {0, 1000, 1023, 1024, 1055, 1056, 4099}) {
    std::vector<float> pcm(8192, 0.0f);
    pcm[at] = 1.0f;
    const std::vector<QmfAnalysis::Slot> slots = Analyse(pcm);
    size_t peak = 0;
    double peak_energy = -1.0;
    for (size_t t = 0; t < slots.size(); ++t) {
      double energy = 0.0;
      for (const auto& x : slots[t]) energy += std::norm(x);
      if (energy > peak_energy) {
        peak_energy = energy;
        peak = t;
      }
    }
    EXPECT_EQ(peak, static_cast<size_t>((at + QmfAnalysis::kDelaySamples) / 64)) << at;
  }
}

}  // namespace
}  // namespace floe::media::aac
