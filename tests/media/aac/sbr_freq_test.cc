// SBR band tables against values derived by hand from FFmpeg 5.1's decoder algorithm.
#include "media/aac/sbr_freq.h"

#include <gtest/gtest.h>

namespace floe::media::aac {
namespace {

SbrSpectrum Spectrum(int start, int stop, int scale, int alter, int noise_bands, int xover = 0) {
  return {start, stop, xover, scale, alter, noise_bands};
}

TEST(SbrFreqTest, LinearExampleOfTheNotesGivesTwelveHighBandsAndOneNoiseBand) {
  // 48 kHz, start 12 → k0 = 11 + 11 = 22; stop 14 → k2 = 2·k0 = 44. alter_scale 1: steps of
  // 2, N_master = ((22 + 2) >> 2) << 1 = 12, remainder 22 − 24 = −2 takes one from each of
  // the first two bands. noise_bands 0 or 1: N_Q = max(1, round(nb · log2(2))) = 1.
  for (int noise_bands : {0, 1}) {
    auto t = ComputeSbrFreqTables(48000, Spectrum(12, 14, 0, 1, noise_bands));
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->k0, 22);
    EXPECT_EQ(t->k2, 44);
    EXPECT_EQ(t->kx, 22);
    EXPECT_EQ(t->m, 22);
    EXPECT_EQ(t->n_high(), 12);
    EXPECT_EQ(t->n_low(), 6);
    EXPECT_EQ(t->n_q(), 1);
    EXPECT_EQ(t->master, (std::vector<int>{22, 23, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44}));
    // N_high even: the low table is every second border from the start.
    EXPECT_EQ(t->low, (std::vector<int>{22, 24, 28, 32, 36, 40, 44}));
    EXPECT_EQ(t->noise, (std::vector<int>{22, 44}));
  }
  // alter_scale 0: steps of 1, 22 bands.
  auto fine = ComputeSbrFreqTables(48000, Spectrum(12, 14, 0, 0, 2));
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->n_high(), 22);
  EXPECT_EQ(fine->n_q(), 2);
}

TEST(SbrFreqTest, StartFrequencyGivesK0At48kHz) {
  const int starts[] = {10, 12, 13};
  const int k0s[] = {18, 22, 24};
  for (int i = 0; i < 3; ++i) {
    auto t = ComputeSbrFreqTables(48000, Spectrum(starts[i], 14, 0, 1, 2));
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->k0, k0s[i]);
  }
}

struct LogCase {
  int rate, start, stop, scale, alter, noise_bands, xover;
  int k0, k2, n_high, n_low, n_q;
};

// Derivations (stop_dk at 48 kHz: stopMin 21, 13 widths 21→64 sorted 2,2,2,2,3,3,3,3,4,4,5,5,5;
// at 44.1 kHz stopMin 23: 2,2,2,2,3,3,3,3,4,4,4,4,5; at 32/24 kHz stopMin 32: 2×7,3×6):
// a) 48k 12/9/2: k0 22, k2 21+24 = 45; 49·45 < 110·22 → one region; 2·lrint(5·log2 45/22 = 5.16)
//    = 10 bands (widths 1,2,2,2,2,2,3,3,3,3); N_Q = lrint(2·1.03) = 2.
// b) 48k 10/9/2: k0 18, k2 45; 49·45 > 110·18 → k1 36; 10 bands to 36; 2·lrint(5·0.769·log2 1.25
//    = 1.24) = 2 more (4, 5) → 12; N_Q = lrint(2·log2 2.5 = 2.64) = 3.
// c) b) with xover 2: f_high from master[2] = 20 → 10 bands; N_Q = lrint(2·log2 2.25 = 2.34) = 2.
// d) b) with xover 1: 11 high bands (odd), N_low 6; N_Q = lrint(2·log2 45/19 = 2.49) = 2.
// e) 48k 7/8/2: k0 15, k2 21+20 = 41, k1 30: 10 + 2·lrint(3.85·log2 1.367 = 1.74) = 14;
//    N_Q = lrint(2·log2 2.73 = 2.90) = 3.
// f) 48k 13/10/1: k0 24, k2 21+28 = 49, one region: 2·lrint(6·log2 2.04 = 6.18) = 12;
//    N_Q = lrint(2·1.03) = 2.
// g) 44.1k 5/9/2: k0 12+2 = 14, k2 23+24 = 47 (33 ≤ 35), k1 28: 10 + 2·lrint(3.85·log2 1.68
//    = 2.87) = 16; N_Q = lrint(2·log2 3.36 = 3.50) = 3 (3.4957).
// h) 32k 5/9/2: k0 16+1 = 17, k2 32+20 = 52, k1 34: 10 + 2·lrint(3.85·log2 1.53 = 2.36) = 14;
//    N_Q = lrint(2·log2 3.06 = 3.23) = 3.
// i) 24k 8/9/2: k0 16+4 = 20, k2 52, k1 40: 10 + 2·lrint(3.85·log2 1.3 = 1.46) = 12;
//    N_Q = lrint(2·log2 2.6 = 2.76) = 3.
// j) 48k 1/6/3 alter 0: k0 9, k2 21+14 = 35, k1 18: 2·lrint(4·1) = 8, then 2·lrint(4·log2 1.94
//    = 3.83) = 8 more, whose narrowest (1) is below the lower region's widest (2): widened to
//    2 at the cost of the widest → 16; N_Q = lrint(2·log2 3.89 = 3.92) = 4.
const LogCase kLogCases[] = {
    {48000, 12, 9, 2, 1, 2, 0, 22, 45, 10, 5, 2},   // a
    {48000, 10, 9, 2, 1, 2, 0, 18, 45, 12, 6, 3},   // b
    {48000, 10, 9, 2, 1, 2, 2, 18, 45, 10, 5, 2},   // c
    {48000, 10, 9, 2, 1, 2, 1, 18, 45, 11, 6, 2},   // d
    {48000, 7, 8, 2, 1, 2, 0, 15, 41, 14, 7, 3},    // e
    {48000, 13, 10, 1, 1, 2, 0, 24, 49, 12, 6, 2},  // f
    {44100, 5, 9, 2, 1, 2, 0, 14, 47, 16, 8, 3},    // g
    {32000, 5, 9, 2, 1, 2, 0, 17, 52, 14, 7, 3},    // h
    {24000, 8, 9, 2, 1, 2, 0, 20, 52, 12, 6, 3},    // i
    {48000, 1, 6, 3, 0, 2, 0, 9, 35, 16, 8, 4},     // j
};

TEST(SbrFreqTest, LogScalesMatchTheDecodersArithmetic) {
  for (const LogCase& c : kLogCases) {
    SCOPED_TRACE(testing::Message() << c.rate << " start " << c.start << " stop " << c.stop
                                    << " scale " << c.scale << " xover " << c.xover);
    auto t = ComputeSbrFreqTables(
        c.rate, Spectrum(c.start, c.stop, c.scale, c.alter, c.noise_bands, c.xover));
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->k0, c.k0);
    EXPECT_EQ(t->k2, c.k2);
    EXPECT_EQ(t->n_high(), c.n_high);
    EXPECT_EQ(t->n_low(), c.n_low);
    EXPECT_EQ(t->n_q(), c.n_q);
    EXPECT_EQ(t->high.back(), c.k2);
    EXPECT_EQ(t->kx + t->m, c.k2);
    EXPECT_GE(t->num_patches, 1);
    EXPECT_LE(t->num_patches, 5);
  }
}

TEST(SbrFreqTest, TablesOfCaseBAndJBorderByBorder) {
  auto b = ComputeSbrFreqTables(48000, Spectrum(10, 9, 2, 1, 2));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->master, (std::vector<int>{18, 19, 20, 21, 23, 25, 27, 29, 31, 33, 36, 40, 45}));
  // N_low 6, N_Q 3: low indices 0, 0+6/3 = 2, 2+4/2 = 4, 4+2/1 = 6.
  EXPECT_EQ(b->low, (std::vector<int>{18, 20, 23, 27, 31, 36, 45}));
  EXPECT_EQ(b->noise, (std::vector<int>{18, 23, 31, 45}));
  auto d = ComputeSbrFreqTables(48000, Spectrum(10, 9, 2, 1, 2, 1));
  ASSERT_TRUE(d.ok());
  // N_high 11 (odd): low borders are high[0], high[1], high[3], … high[11].
  EXPECT_EQ(d->low, (std::vector<int>{19, 20, 23, 27, 31, 36, 45}));
  auto j = ComputeSbrFreqTables(48000, Spectrum(1, 6, 3, 0, 2));
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->master,
            (std::vector<int>{9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26, 28, 30, 32, 35}));
}

TEST(SbrFreqTest, RefusesWhatTheDecoderRefuses) {
  // k2 − k0 = 38 > 32 at 48 kHz (start 0: k0 7; stop 9: k2 45).
  EXPECT_FALSE(ComputeSbrFreqTables(48000, Spectrum(0, 9, 2, 1, 2)).ok());
  // At 32 kHz the limit is 48: k0 16 − 6 = 10, k2 52, 42 ≤ 48 (linear, 22 bands). The 10 kHz
  // patch goal is above k2, so patches of 8 bands (k0 − 1 + msb − odd) fill 10..52: five, and a
  // sixth of 2 bands that is merged away.
  auto wide = ComputeSbrFreqTables(32000, Spectrum(0, 9, 0, 1, 2));
  ASSERT_TRUE(wide.ok()) << wide.error().message;
  EXPECT_EQ(wide->n_high(), 22);
  EXPECT_EQ(wide->n_q(), 5);
  EXPECT_EQ(wide->num_patches, 5);
  // The same at 10 bands per octave: 10 log bands from 10 to 20 round two widths to 0.
  EXPECT_FALSE(ComputeSbrFreqTables(32000, Spectrum(0, 9, 2, 1, 2)).ok());
  // xover beyond N_master (12 bands in the notes' example).
  EXPECT_FALSE(ComputeSbrFreqTables(48000, Spectrum(12, 14, 0, 1, 1, 7)).ok());
  EXPECT_TRUE(ComputeSbrFreqTables(48000, Spectrum(12, 14, 0, 1, 1, 7 - 1)).ok());
  // Empty log bands (vDk0 = 0 at k0 11, 12 bands per octave to 22).
  EXPECT_FALSE(ComputeSbrFreqTables(48000, Spectrum(3, 15, 1, 0, 3)).ok());
  // kx > 32: 44.1 kHz start 15 gives k0 12 + 20 = 32, k2 64; xover 1 puts kx at 34.
  EXPECT_FALSE(ComputeSbrFreqTables(44100, Spectrum(15, 14, 0, 1, 0, 1)).ok());
  // N_Q > 5: 32 kHz start 0 stop 9 spans 10 → 52; noise_bands 3: lrint(3·2.38) = 7.
  EXPECT_FALSE(ComputeSbrFreqTables(32000, Spectrum(0, 9, 0, 1, 3)).ok());
  // Out-of-range fields and rates.
  EXPECT_FALSE(ComputeSbrFreqTables(48000, Spectrum(16, 9, 2, 1, 2)).ok());
  EXPECT_FALSE(ComputeSbrFreqTables(48000, Spectrum(5, 9, 4, 1, 2)).ok());
  EXPECT_FALSE(ComputeSbrFreqTables(8000, Spectrum(5, 9, 2, 1, 2)).ok());
}

}  // namespace
}  // namespace floe::media::aac
