// Band energies, Bark spreading and threshold in quiet (see ld_psy.h).
#include "media/aac/ld_psy.h"

#include <algorithm>
#include <cmath>

namespace floe::media::aac {
namespace {

// Slopes of the spreading function, dB per Bark: masking reaches further up in frequency than
// down (the ear's excitation patterns).
constexpr double kSlopeUpDb = 15.0;
constexpr double kSlopeDownDb = 27.0;

// Spectral flatness (geometric over arithmetic mean of the line energies) of white noise in MDCT
// lines is about -5.5 dB (each line's energy is chi-squared with one degree of freedom); from
// -20 dB on, a band counts as a pure tone.
constexpr double kNoiseFlatnessDb = -5.5;
constexpr double kToneFlatnessDb = -20.0;
// Flatness needs enough lines to mean anything: narrow bands borrow their neighbours'.
constexpr int kFlatnessLines = 16;

double FromDb(double db) {
  return std::pow(10.0, db / 10.0);
}

}  // namespace

double AbsoluteThresholdDb(double hz) {
  const double khz = std::max(hz, 20.0) / 1000.0;
  const double db = 3.64 * std::pow(khz, -0.8) - 6.5 * std::exp(-0.6 * (khz - 3.3) * (khz - 3.3)) +
                    1e-3 * std::pow(khz, 4);
  return std::min(db, 96.0);
}

double BarkOf(double hz) {
  return 13.0 * std::atan(0.00076 * hz) + 3.5 * std::atan((hz / 7500.0) * (hz / 7500.0));
}

LdPsy::LdPsy(const LdLayout& layout, double full_scale_energy) : layout_(layout) {
  const int bands = layout.num_swb();
  const double hz_per_line = layout.sample_rate / 2.0 / layout.frame_length;
  std::vector<double> center(bands);
  width_bark_.resize(bands);
  quiet_.resize(bands);
  for (int b = 0; b < bands; ++b) {
    const int lo = layout.swb_offset[b], hi = layout.swb_offset[b + 1];
    center[b] = BarkOf((lo + hi) / 2.0 * hz_per_line);
    width_bark_[b] = BarkOf(hi * hz_per_line) - BarkOf(lo * hz_per_line);
    // The quietest line of the band sets its floor: a sine at the threshold there, per line.
    double floor_db = 96.0;
    for (int k = lo; k < hi; ++k)
      floor_db = std::min(floor_db, AbsoluteThresholdDb((k + 0.5) * hz_per_line));
    quiet_[b] = full_scale_energy * FromDb(floor_db - kLdFullScaleSpl) * (hi - lo);
  }
  spread_.resize(static_cast<size_t>(bands) * bands);
  for (int b = 0; b < bands; ++b) {
    for (int j = 0; j < bands; ++j) {
      const double dz = center[b] - center[j];  // > 0: band b lies above masker j
      const double db = dz >= 0 ? -kSlopeUpDb * dz : kSlopeDownDb * dz;
      spread_[static_cast<size_t>(b) * bands + j] = FromDb(db);
    }
  }
  flat_lo_.resize(bands);
  flat_hi_.resize(bands);
  for (int b = 0; b < bands; ++b) {
    const int lo = layout.swb_offset[b], hi = layout.swb_offset[b + 1];
    const int grow = std::max(0, kFlatnessLines - (hi - lo)) / 2;
    flat_lo_[b] = std::max(0, lo - grow);
    flat_hi_[b] = std::min(layout.frame_length, hi + grow);
  }
}

std::vector<double> LdPsy::Tonality(std::span<const float> spectrum) const {
  std::vector<double> tonality(layout_.num_swb(), 0.0);
  for (int b = 0; b < layout_.num_swb(); ++b) {
    double sum = 0;
    for (int k = flat_lo_[b]; k < flat_hi_[b]; ++k)
      sum += static_cast<double>(spectrum[k]) * spectrum[k];
    if (sum == 0) continue;
    const int count = flat_hi_[b] - flat_lo_[b];
    const double mean = sum / count, floor = mean * 1e-6;  // -60 dB: silent lines count as deep
    double logs = 0;
    for (int k = flat_lo_[b]; k < flat_hi_[b]; ++k)
      logs += std::log(static_cast<double>(spectrum[k]) * spectrum[k] + floor);
    const double flatness_db = 10 * std::log10(std::exp(logs / count) / mean);
    tonality[b] = std::clamp(
        (kNoiseFlatnessDb - flatness_db) / (kNoiseFlatnessDb - kToneFlatnessDb), 0.0, 1.0);
  }
  return tonality;
}

std::vector<double> LdPsy::AllowedDistortion(std::span<const float> spectrum) const {
  const int bands = layout_.num_swb();
  std::vector<double> energy(bands, 0.0);
  for (int b = 0; b < bands; ++b) {
    for (int k = layout_.swb_offset[b]; k < layout_.swb_offset[b + 1]; ++k)
      energy[b] += static_cast<double>(spectrum[k]) * spectrum[k];
  }
  // Each masker's energy, lowered by its offset, spreads as a density per Bark; band b may hide
  // noise of that density over its own width (at most one Bark: the density falls off away from
  // the band's centre).
  const std::vector<double> tonality = Tonality(spectrum);
  for (int j = 0; j < bands; ++j) {
    energy[j] *= FromDb(-(kLdNoiseMaskingOffsetDb +
                          tonality[j] * (kLdToneMaskingOffsetDb - kLdNoiseMaskingOffsetDb)));
  }
  std::vector<double> allowed(bands);
  for (int b = 0; b < bands; ++b) {
    double density = 0;
    const double* row = &spread_[static_cast<size_t>(b) * bands];
    for (int j = 0; j < bands; ++j) density += energy[j] * row[j];
    const double masked = density * std::min(width_bark_[b], 1.0);
    allowed[b] = std::max(masked, quiet_[b]);
  }
  return allowed;
}

}  // namespace floe::media::aac
