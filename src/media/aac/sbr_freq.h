// The SBR frequency band tables (ISO/IEC 14496-3 4.6.18.3), computed exactly as FFmpeg's
// decoder computes them, so that the encoder writes as many values as the decoder reads.
#pragma once

#include <vector>

#include "core/result.h"

namespace floe::media::aac {

// The sbr_header fields that define the band tables (FFmpeg: SpectrumParameters). The defaults
// are what the decoder assumes when bs_header_extra_1 is 0.
struct SbrSpectrum {
  int start_freq = 0;   // bs_start_freq 0..15
  int stop_freq = 0;    // bs_stop_freq 0..15
  int xover_band = 0;   // bs_xover_band 0..7
  int freq_scale = 2;   // bs_freq_scale 0 = linear, 1..3 = 12/10/8 bands per octave
  int alter_scale = 1;  // bs_alter_scale 0..1
  int noise_bands = 2;  // bs_noise_bands 0..3 (noise bands per octave)
  bool operator==(const SbrSpectrum&) const = default;
};

// Band borders are QMF band indices (64 bands over 0..fs/2).
struct SbrFreqTables {
  int k0 = 0;               // first band of the master table
  int k2 = 0;               // stop band
  int kx = 0;               // first SBR band (the crossover): kx * fs / 128 Hz
  int m = 0;                // number of SBR bands
  std::vector<int> master;  // N_master + 1 borders
  std::vector<int> high;    // N_high + 1 borders (freq_res 1)
  std::vector<int> low;     // N_low + 1 borders (freq_res 0)
  std::vector<int> noise;   // N_Q + 1 borders
  int num_patches = 0;

  int n_high() const { return static_cast<int>(high.size()) - 1; }
  int n_low() const { return static_cast<int>(low.size()) - 1; }
  int n_q() const { return static_cast<int>(noise.size()) - 1; }
  // Bands of an envelope with this freq_res.
  int bands(bool freq_res) const { return freq_res ? n_high() : n_low(); }
};

// sample_rate is the SBR (output) rate, twice the core's. Refuses every combination FFmpeg's
// decoder refuses (it would otherwise fall back to plain upsampling).
core::Result<SbrFreqTables> ComputeSbrFreqTables(int sample_rate, const SbrSpectrum& spectrum);

}  // namespace floe::media::aac
