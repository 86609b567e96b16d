// A simple psychoacoustic model for the AAC-LD encoder: per scalefactor band, the energy of the
// frame's lines spread across bands on the Bark scale, lowered by a masking offset that depends on
// how tonal the masker is (spectral flatness), and never below the absolute threshold of hearing.
// The result is the quantisation noise each band may carry without being heard (an estimate: one
// frame, no temporal masking).
#pragma once

#include <span>
#include <vector>

#include "media/aac/ld_tables.h"

namespace floe::media::aac {

// Masking offsets below the spread energy, in dB: a tone hides much less noise than noise does.
inline constexpr double kLdToneMaskingOffsetDb = 20.0;
inline constexpr double kLdNoiseMaskingOffsetDb = 6.0;
// Level of a full-scale sine in dB SPL, to place the threshold in quiet (16-bit playback).
inline constexpr double kLdFullScaleSpl = 96.0;

// Threshold in quiet at `hz`, dB SPL (Terhardt's approximation, capped at 96 dB at the edges).
double AbsoluteThresholdDb(double hz);
// Critical-band rate of `hz` in Bark (Zwicker and Terhardt).
double BarkOf(double hz);

class LdPsy {
 public:
  // full_scale_energy: a full-scale sine's spectral energy over one frame (LdFullScaleEnergy).
  LdPsy(const LdLayout& layout, double full_scale_energy);

  // Allowed noise energy per band (squared spectrum units summed over the band's lines).
  std::vector<double> AllowedDistortion(std::span<const float> spectrum) const;
  // Tonality per band, 0 (noise) to 1 (a pure tone), from the spectral flatness around it.
  std::vector<double> Tonality(std::span<const float> spectrum) const;
  // The threshold in quiet per band, in the same units (what silence is allowed).
  const std::vector<double>& absolute_threshold() const { return quiet_; }

 private:
  LdLayout layout_;
  std::vector<double> width_bark_;      // per band
  std::vector<double> spread_;          // num_swb x num_swb: masker j onto band b at [b * num + j]
  std::vector<int> flat_lo_, flat_hi_;  // per band: the lines its flatness is measured over
  std::vector<double> quiet_;
};

}  // namespace floe::media::aac
