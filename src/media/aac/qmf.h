// 64-band complex-modulated QMF analysis for the SBR encoder: turns PCM at the output rate into
// the subband samples whose energies the SBR envelope, noise floor and inverse filtering describe.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

namespace floe::media::aac {

// Shape as in 14496-3 4.6.18.4.1 (640-sample window, 64 new samples per slot, complex
// exponential modulation), but the prototype is Floe's own, not the standard's printed table: a
// 640-tap lowpass with crossover pi/128 whose squared magnitude is a raised cosine (neighbouring
// bands' powers sum to a constant within 0.8 dB), shortened by a Kaiser window. The encoder only
// needs band energies and never synthesises from these samples, so the consequence is only that
// the bank does not reconstruct perfectly and its phases differ from the decoder's; band edges,
// delay and (after kDecoderEnergyScale in sbr_estimate.h) energies are what the envelope needs.
// The prototype has unit energy: white noise of variance s2 gives a mean |X|^2 of s2 in every
// band, and a sine of power P near a band centre about 64 * P in that band alone.
class QmfAnalysis {
 public:
  static constexpr int kBands = 64;
  static constexpr int kWindow = 640;
  // The window's centre lies this many samples before the centre of the 64 newest samples of
  // a slot, so an impulse at input sample t peaks in slot (t + kDelaySamples) / 64.
  static constexpr int kDelaySamples = 288;
  using Slot = std::array<std::complex<float>, kBands>;

  QmfAnalysis();

  // Appends one slot to `out` per 64 samples completed; a remainder waits for the next call, so
  // any chunking of the same input yields the same slots.
  void Process(std::span<const float> in, std::vector<Slot>& out);
  // Back to silence, as if newly made.
  void Reset();

 private:
  void AnalyseSlot(Slot& slot);

  std::vector<float> history_;  // the last kWindow samples, oldest first
  std::array<float, kBands> pending_{};
  int pending_count_ = 0;
};

}  // namespace floe::media::aac
