// SBR frequency band tables, mirroring FFmpeg 5.1's sbr_make_f_master / sbr_make_f_derived
// step by step. The log scales use single-precision float there (powf, log2f, lrintf); the
// same float operations are used here, since one band more or less shifts every later field.
#include "media/aac/sbr_freq.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "media/aac/sbr_tables.h"

namespace floe::media::aac {
namespace {

core::Error Refuse(const std::string& field, const std::string& why) {
  return core::Error::InvalidParameter("Sbr." + field, why);
}

// num_bands band widths from start to stop on a geometric scale (14496-3 4.6.18.3.2).
std::vector<int> GeometricWidths(int start, int stop, int num_bands) {
  std::vector<int> widths(num_bands);
  const float base = std::pow(static_cast<float>(stop) / static_cast<float>(start),
                              1.0f / static_cast<float>(num_bands));
  float prod = static_cast<float>(start);
  int previous = start;
  for (int k = 0; k + 1 < num_bands; ++k) {
    prod *= base;
    const int present = static_cast<int>(std::lrint(prod));
    widths[k] = present - previous;
    previous = present;
  }
  widths[num_bands - 1] = stop - previous;
  return widths;
}

// lrintf(factor * log2f(num / den)), with the product in float as the decoder has it.
int RoundedLog2Bands(float factor, int num, int den) {
  return static_cast<int>(
      std::lrint(factor * std::log2(static_cast<float>(num) / static_cast<float>(den))));
}

// Borders from a start border and band widths; every width must be positive.
core::Result<std::vector<int>> Accumulate(int start, const std::vector<int>& widths) {
  std::vector<int> borders{start};
  for (int w : widths) {
    if (w <= 0) return Refuse("FreqScale", "the log scale yields an empty band");
    borders.push_back(borders.back() + w);
  }
  return borders;
}

core::Result<std::vector<int>> LinearMaster(int k0, int k2, const SbrSpectrum& s) {
  const int dk = s.alter_scale + 1;
  const int n = ((k2 - k0 + (dk & 2)) >> dk) << 1;
  if (n <= 0) return Refuse("StopFreq", "the stop band is not above the start band");
  std::vector<int> widths(n, dk);
  // The remainder goes to the first bands (fewer) or to the last one (more), as in the decoder.
  const int diff = k2 - k0 - n * dk;
  if (diff < 0) {
    widths[0]--;
    if (diff < -1) widths[1]--;
  } else if (diff > 0) {
    widths[n - 1]++;
  }
  return Accumulate(k0, widths);
}

core::Result<std::vector<int>> LogMaster(int k0, int k2, const SbrSpectrum& s) {
  const int half_bands = 7 - s.freq_scale;  // 6, 5, 4 = 12, 10, 8 bands per octave
  // Two regions when k2 / k0 > 2.2449 (integer form, as the decoder tests it).
  const bool two_regions = 49 * k2 > 110 * k0;
  const int k1 = two_regions ? 2 * k0 : k2;
  const int bands0 = RoundedLog2Bands(static_cast<float>(half_bands), k1, k0) * 2;
  if (bands0 <= 0) return Refuse("StopFreq", "the stop band is not above the start band");
  std::vector<int> widths0 = GeometricWidths(k0, k1, bands0);
  std::sort(widths0.begin(), widths0.end());
  auto master = Accumulate(k0, widths0);
  if (!master.ok() || !two_regions) return master;

  const float warp = s.alter_scale ? 0.76923076923076923077f : 1.0f;
  const int bands1 = RoundedLog2Bands(static_cast<float>(half_bands) * warp, k2, k1) * 2;
  if (bands1 <= 0) return Refuse("FreqScale", "the upper region has no band");
  std::vector<int> widths1 = GeometricWidths(k1, k2, bands1);
  // The upper region must not start with bands narrower than the lower region's widest.
  const int widest0 = widths0.back();
  if (*std::min_element(widths1.begin(), widths1.end()) < widest0) {
    std::sort(widths1.begin(), widths1.end());
    const int change = std::min(widest0 - widths1.front(), (widths1.back() - widths1.front()) >> 1);
    widths1.front() += change;
    widths1.back() -= change;
  }
  std::sort(widths1.begin(), widths1.end());
  auto upper = Accumulate(k1, widths1);
  if (!upper.ok()) return upper;
  master->insert(master->end(), upper->begin() + 1, upper->end());
  return master;
}

// Counts the patches of the HF generator (14496-3 Figure 4.48) as FFmpeg's
// sbr_hf_calc_npatches does; the decoder refuses more than five (and a stuck construction).
core::Result<int> CountPatches(int fs, const SbrFreqTables& t) {
  const std::vector<int>& master = t.master;
  const int n_master = static_cast<int>(master.size()) - 1;
  const int goal_sb = ((1000 << 11) + (fs >> 1)) / fs;  // round(2.048e6 / fs)
  int k = n_master;
  if (goal_sb < t.kx + t.m) {
    k = 0;
    while (master[k] < goal_sb) ++k;
  }
  int msb = t.k0, usb = t.kx, sb = 0, patches = 0, last_size = 0;
  int last_k = -1, last_msb = -1;
  do {
    if (k == last_k && msb == last_msb) return Refuse("StartFreq", "no valid HF patches");
    last_k = k;
    last_msb = msb;
    int odd = 0;
    for (int i = k;; --i) {
      sb = master[std::max(i, 0)];
      odd = (sb + t.k0) & 1;
      if (sb <= t.k0 - 1 + msb - odd || i == 0) break;
    }
    if (patches > 5) return Refuse("StartFreq", "more than five HF patches");
    const int size = std::max(sb - usb, 0);
    if (size > 0) {
      usb = msb = sb;
      last_size = size;
      ++patches;
    } else {
      msb = t.kx;
    }
    if (master[k] - sb < 3) k = n_master;
  } while (sb != t.kx + t.m);
  if (patches > 1 && last_size < 3) --patches;
  return patches;
}

core::Result<void> CheckFields(const SbrSpectrum& s) {
  auto in = [](int v, int hi) { return v >= 0 && v <= hi; };
  if (!in(s.start_freq, 15)) return Refuse("StartFreq", "must be 0..15");
  if (!in(s.stop_freq, 15)) return Refuse("StopFreq", "must be 0..15");
  if (!in(s.xover_band, 7)) return Refuse("XoverBand", "must be 0..7");
  if (!in(s.freq_scale, 3)) return Refuse("FreqScale", "must be 0..3");
  if (!in(s.alter_scale, 1)) return Refuse("AlterScale", "must be 0 or 1");
  if (!in(s.noise_bands, 3)) return Refuse("NoiseBands", "must be 0..3");
  return core::Ok();
}

}  // namespace

core::Result<SbrFreqTables> ComputeSbrFreqTables(int fs, const SbrSpectrum& s) {
  if (auto ok = CheckFields(s); !ok) return ok.error();
  const auto rate = GetSbrRateClass(fs);
  if (!rate) return Refuse("SampleRate", "SBR runs at 16000..192000 Hz standard rates only");

  SbrFreqTables t;
  t.k0 = rate->start_min + rate->start_offsets[s.start_freq];
  if (s.stop_freq < 14) {
    // stopMin plus the narrowest bs_stop_freq of 13 log-spaced widths from stopMin to 64.
    std::vector<int> widths = GeometricWidths(rate->stop_min, 64, 13);
    std::sort(widths.begin(), widths.end());
    t.k2 = rate->stop_min;
    for (int k = 0; k < s.stop_freq; ++k) t.k2 += widths[k];
  } else {
    t.k2 = (s.stop_freq - 12) * t.k0;  // 14: 2·k0, 15: 3·k0
  }
  t.k2 = std::min(t.k2, 64);
  if (t.k2 - t.k0 > rate->max_k2_minus_k0) {
    return Refuse("StopFreq", "k2 - k0 = " + std::to_string(t.k2 - t.k0) + " exceeds " +
                                  std::to_string(rate->max_k2_minus_k0) + " at this rate");
  }

  auto master = s.freq_scale == 0 ? LinearMaster(t.k0, t.k2, s) : LogMaster(t.k0, t.k2, s);
  if (!master.ok()) return master.error();
  t.master = std::move(*master);
  const int n_master = static_cast<int>(t.master.size()) - 1;
  if (s.xover_band >= n_master) {
    return Refuse("XoverBand", "must be below the " + std::to_string(n_master) + " master bands");
  }

  t.high.assign(t.master.begin() + s.xover_band, t.master.end());
  const int n_high = t.n_high();
  t.kx = t.high.front();
  t.m = t.high.back() - t.kx;
  if (t.kx + t.m > 64) return Refuse("StopFreq", "the SBR range ends above QMF band 64");
  if (t.kx > 32) return Refuse("StartFreq", "the crossover kx is above QMF band 32");

  // The low-resolution table keeps every second border, from the top down.
  const int n_low = (n_high + 1) >> 1;
  const int odd = n_high & 1;
  t.low = {t.high[0]};
  for (int k = 1; k <= n_low; ++k) t.low.push_back(t.high[2 * k - odd]);

  const int n_q = std::max(1, RoundedLog2Bands(static_cast<float>(s.noise_bands), t.k2, t.kx));
  if (n_q > 5) return Refuse("NoiseBands", "more than five noise bands");
  t.noise = {t.low[0]};
  for (int k = 1, i = 0; k <= n_q; ++k) {
    i += (n_low - i) / (n_q + 1 - k);
    t.noise.push_back(t.low[i]);
  }

  auto patches = CountPatches(fs, t);
  if (!patches.ok()) return patches.error();
  t.num_patches = *patches;
  return t;
}

}  // namespace floe::media::aac
