// LdQuantizer: AAC's x^(3/4) rounding, scalefactors that put the noise where the model allows it,
// and a rate loop whose frames fit their budget, keep the bitstream's limits and spend about the
// target on average.
#include "media/aac/ld_quantizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "media/aac/ld_mdct.h"
#include "media/aac/ld_psy.h"

namespace floe::media::aac {
namespace {

constexpr int kN = 512;
constexpr int kRate = 44100;

TEST(LdQuantizerTest, RoundsWithAacsOffsetAndDequantisesLikeTheDecoder) {
  // At sf 100 the step is 1: q = floor(|x|^(3/4) + 0.4054).
  const float just_over = static_cast<float>(std::pow(0.5947, 4.0 / 3.0));
  const float just_under = static_cast<float>(std::pow(0.5945, 4.0 / 3.0));
  std::vector<float> x = {just_over, -just_over, just_under, 8.0F, -1000.0F, 0.0F};
  std::vector<int> q(x.size());
  QuantizeLines(x, 100, q);
  EXPECT_EQ(q, (std::vector<int>{1, -1, 0, 5, -178, 0}));  // 8^0.75 = 4.76, 1000^0.75 = 177.8
  EXPECT_DOUBLE_EQ(Dequantize(8, 100), 16.0);
  EXPECT_DOUBLE_EQ(Dequantize(-8, 104), -32.0);  // 4 scalefactor steps double the step
  // Saturation at the escape book's limit.
  std::vector<float> big = {1e9F};
  std::vector<int> qb(1);
  QuantizeLines(big, 100, qb);
  EXPECT_EQ(qb[0], kLdMaxQuant);
}

TEST(LdQuantizerTest, MinScalefactorIsTheFinestStepWithinTheEscapeRange) {
  std::vector<float> x = {3.0e7F, -1.0e5F, 12.0F};
  const int sf = MinScalefactor(x);
  std::vector<int> q(x.size());
  QuantizeLines(x, sf, q);
  EXPECT_LE(std::abs(q[0]), kLdMaxQuant);
  EXPECT_GT(std::pow(3.0e7 / std::exp2((sf - 1 - 100) / 4.0), 0.75) + kLdRounding,
            kLdMaxQuant + 0.5);
  EXPECT_EQ(MinScalefactor(std::vector<float>(8, 0.0F)), 0);
}

TEST(LdQuantizerTest, ScalefactorForNoiseLandsNearTheAllowedNoise) {
  std::mt19937 rng(5);
  std::normal_distribution<float> gauss(0.0F, 1.0e5F);
  std::vector<float> band(32);
  for (float& v : band) v = gauss(rng);
  for (double snr_db : {10.0, 20.0, 30.0}) {
    double energy = 0;
    for (float v : band) energy += static_cast<double>(v) * v;
    const double allowed = energy / std::pow(10.0, snr_db / 10);
    const int sf = ScalefactorForNoise(band, allowed);
    const double noise = QuantizationNoise(band, sf);
    EXPECT_NEAR(10 * std::log10(noise / allowed), 0.0, 3.0) << snr_db;
  }
  EXPECT_EQ(ScalefactorForNoise(std::vector<float>(4, 0.0F), 1.0), kLdMaxScalefactor);
}

// Frames of a tone mix plus noise through the MDCT and the model.
struct Source {
  LdLayout layout = *LdLayoutFor(kRate, kN);
  LdMdct mdct = LdMdct::Create(kN).value();
  LdPsy psy{layout, LdFullScaleEnergy(kN)};
  std::mt19937 rng{9};
  std::vector<float> history = std::vector<float>(2 * kN, 0.0F);
  int64_t at = 0;

  void Next(std::vector<float>& spectrum, std::vector<double>& allowed) {
    std::uniform_real_distribution<float> uni(-0.05F, 0.05F);
    std::copy(history.begin() + kN, history.end(), history.begin());
    for (int i = 0; i < kN; ++i, ++at) {
      const double t = static_cast<double>(at) / kRate;
      history[kN + i] = static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * 440 * t) +
                                           0.1 * std::sin(2 * std::numbers::pi * 3100 * t)) +
                        uni(rng);
    }
    spectrum.resize(kN);
    mdct.Forward(history, 0, 0, spectrum);
    allowed = psy.AllowedDistortion(spectrum);
  }
};

TEST(LdQuantizerTest, RateLoopFitsEveryFrameAndSpendsTheTargetOnAverage) {
  for (int64_t rate : {48000, 96000}) {
    Source src;
    LdQuantizer quantizer(src.layout, 1, rate);
    const int frames = 60;
    int64_t used = 0;
    double noise_db = 0;
    for (int f = 0; f < frames; ++f) {
      std::vector<std::vector<float>> spectra(1);
      std::vector<std::vector<double>> allowed(1);
      src.Next(spectra[0], allowed[0]);
      const int budget = quantizer.frame_budget();
      auto channels = quantizer.Quantize(spectra, allowed);
      ASSERT_TRUE(channels.ok()) << channels.error().message;
      BitWriter w;
      ASSERT_TRUE(WriteLdRawDataBlock(src.layout, *channels, w).ok());
      const int bits = static_cast<int>(w.data().size() * 8);
      EXPECT_LE(bits, budget) << "frame " << f;
      quantizer.Commit(bits);
      EXPECT_LE(quantizer.reservoir_bits(), quantizer.reservoir_capacity());
      used += bits;

      const IcsChannel& ics = (*channels)[0];
      for (int k = src.layout.swb_offset[quantizer.cutoff_band()]; k < kN; ++k) {
        ASSERT_EQ(ics.quant[k], 0) << k;
      }
      int prev = -1;
      for (int b = 0; b < ics.max_sfb; ++b) {
        bool coded = false;
        for (int k = src.layout.swb_offset[b]; k < src.layout.swb_offset[b + 1]; ++k)
          coded |= ics.quant[k] != 0;
        if (!coded) continue;
        if (prev >= 0) {
          EXPECT_LE(std::abs(ics.scalefactors[b] - prev), kLdMaxScalefactorDelta);
        }
        prev = ics.scalefactors[b];
      }
      // Noise over every line below the cutoff (zeroed bands included).
      double noise = 0, energy = 0;
      for (int b = 0; b < quantizer.cutoff_band(); ++b) {
        const int sf = b < ics.max_sfb ? ics.scalefactors[b] : 0;
        for (int k = src.layout.swb_offset[b]; k < src.layout.swb_offset[b + 1]; ++k) {
          const double e = spectra[0][k] - Dequantize(ics.quant[k], sf);
          noise += e * e;
          energy += static_cast<double>(spectra[0][k]) * spectra[0][k];
        }
      }
      noise_db += 10 * std::log10(noise / energy) / frames;
    }
    const double bps = static_cast<double>(used) * kRate / (static_cast<double>(frames) * kN);
    std::printf("LD quantiser %lld bit/s mono: %.0f bit/s spent, in-band noise %.1f dB\n",
                static_cast<long long>(rate), bps, noise_db);
    EXPECT_GT(bps, 0.9 * rate);
    EXPECT_LE(bps, 1.01 * rate);
    // Measured -16.0 and -20.9 dB (tones plus -31 dBFS white noise); 3 dB of margin.
    EXPECT_LT(noise_db, rate == 48000 ? -13.0 : -18.0);
  }
}

// Short of bits, the allowed noise is raised by one amount in the fourth-root domain: a quiet
// band gives up more scalefactor steps than a loud band at the same signal-to-mask ratio, so
// the noise grows towards flat (a global scalefactor offset would move both alike); with bits
// to spare every band is finer than asked by one offset.
TEST(LdQuantizerTest, ShortOfBitsTheNoiseGrowsTowardsFlat) {
  EXPECT_DOUBLE_EQ(ReducedNoise(2.0, 0.0), 16.0);
  EXPECT_DOUBLE_EQ(ReducedNoise(1.0, 1.0), 16.0);
  // Relative to its own allowed noise, a quiet band's rises more: the noise flattens.
  EXPECT_GT(ReducedNoise(1.0, 1.0) / 1.0, ReducedNoise(10.0, 1.0) / 1e4);

  auto layout = LdLayoutFor(kRate, kN);
  ASSERT_TRUE(layout.ok());
  std::mt19937 rng(5);
  std::normal_distribution<float> gauss(0.0F, 1.0F);
  const int loud = 8, quiet = 20;
  for (int64_t rate : {12000, 64000}) {
    LdQuantizer quantizer(*layout, 1, rate);
    ASSERT_GT(quantizer.cutoff_band(), quiet);
    std::vector<std::vector<float>> spectra(1, std::vector<float>(kN, 0.0F));
    std::vector<std::vector<double>> allowed(1, std::vector<double>(layout->num_swb(), 1e-9));
    for (int b : {loud, quiet}) {
      const double level = b == loud ? 3e4 : 3e2;  // 40 dB apart
      double energy = 0;
      for (int k = layout->swb_offset[b]; k < layout->swb_offset[b + 1]; ++k) {
        spectra[0][k] = static_cast<float>(level * gauss(rng));
        energy += double{spectra[0][k]} * spectra[0][k];
      }
      allowed[0][b] = energy * 1e-5;  // 50 dB under each band
    }
    auto coded = quantizer.Quantize(spectra, allowed);
    ASSERT_TRUE(coded.ok()) << coded.error().message;
    const IcsChannel& ics = (*coded)[0];
    ASSERT_GT(ics.max_sfb, loud);
    auto base = [&](int b) {
      const int lo = layout->swb_offset[b], hi = layout->swb_offset[b + 1];
      return ScalefactorForNoise({spectra[0].data() + lo, static_cast<size_t>(hi - lo)},
                                 allowed[0][b]);
    };
    const int loud_rise = ics.scalefactors[loud] - base(loud);
    if (rate == 12000) {
      EXPECT_GT(loud_rise, 0);
      ASSERT_GT(ics.max_sfb, quiet);
      EXPECT_GT(ics.scalefactors[quiet] - base(quiet), loud_rise);
    } else {
      ASSERT_GT(ics.max_sfb, quiet);
      EXPECT_LT(loud_rise, 0);
      // The same offset, unless that would let a line pass 8191.
      const int lo = layout->swb_offset[quiet], hi = layout->swb_offset[quiet + 1];
      const int finest = MinScalefactor({spectra[0].data() + lo, static_cast<size_t>(hi - lo)});
      EXPECT_EQ(ics.scalefactors[quiet], std::max(base(quiet) + loud_rise, finest));
    }
  }
}

TEST(LdQuantizerTest, CutoffRisesWithTheBitRate) {
  EXPECT_LT(LdCutoffHz(32000, kRate), LdCutoffHz(64000, kRate));
  EXPECT_EQ(LdCutoffHz(128000, kRate), 20000);
  EXPECT_LE(LdCutoffHz(128000, 22050), 11025);
}

}  // namespace
}  // namespace floe::media::aac
