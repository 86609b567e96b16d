// SBR parameter estimation: from the QMF slots of one SBR frame, the quantised envelope, noise
// floor and inverse-filtering levels that sbr_data() carries (14496-3 4.5.2.8, 4.6.18.3).
#pragma once

#include <span>
#include <vector>

#include "media/aac/qmf.h"

namespace floe::media::aac {

// One SBR frame is 16 SBR time slots of 2 QMF slots (32 slots = 2048 samples at the output rate).
inline constexpr int kSbrTimeSlots = 16;
inline constexpr int kQmfSlotsPerTimeSlot = 2;
inline constexpr int kQmfSlotsPerFrame = kSbrTimeSlots * kQmfSlotsPerTimeSlot;

// bs_amp_res: the envelope step the decoder dequantises with (E = 64 * 2^(q * alpha)).
enum class AmpRes { k1_5dB, k3dB };

// Maps QmfAnalysis's energy scale (white noise of variance s2 -> s2 per QMF sample) to the
// decoder's dequantised envelope E (FFmpeg 5.1). Measured end to end with HeAacEncoder
// (he_encoder_test SbrBandCarriesTheInputsEnergyWhereTheCoreHasNone: white noise +-0.25, 48 kHz,
// SBR 8.25-20.25 kHz, band 12-20 kHz decoded vs input): the earlier constant 64 * 48 * 2^27 *
// sqrt(2) (AAC-NOTES 2.2, whose 13-24 kHz measurement band reached past that test's 16.5 kHz SBR
// stop, ~5 dB) gave +6.3 dB; 2^37 (16-bit scale 32768^2 times 128) is 6.27 dB lower.
inline constexpr double kDecoderEnergyScale = 137438953472.0;  // 2^37

// Quantised envelope q (0..127, clamped) for a mean QMF energy per sample in QmfAnalysis's scale.
// Silence or anything below the decoder's smallest step gives 0.
int QuantiseEnvelope(double energy, AmpRes amp_res);

// Mean |X|^2 over QMF slots [slot_begin, slot_end) and QMF bands [band_begin, band_end).
double MeanEnergy(std::span<const QmfAnalysis::Slot> slots, int slot_begin, int slot_end,
                  int band_begin, int band_end);

// Envelopes of one frame. `slots` holds the frame's 32 QMF slots, already aligned with what the
// decoder applies to the same packet (AAC-NOTES 2.4 is the caller's job). `borders` are the
// envelope time borders in SBR time slots (num_env + 1 values, 0 first, 16 last, increasing);
// `freq_res` one value per envelope selecting `low_bands` (0) or `high_bands` (1), each a band
// table of QMF band indices (N + 1 borders for N bands). Result: q[envelope][band].
std::vector<std::vector<int>> EstimateEnvelopes(std::span<const QmfAnalysis::Slot> slots,
                                                std::span<const int> borders,
                                                std::span<const int> freq_res,
                                                const std::vector<int>& low_bands,
                                                const std::vector<int>& high_bands, AmpRes amp_res);

// Per noise band of one noise envelope: how noise-like the original is there.
struct NoiseBandEstimate {
  int noise_q = 0;    // noise floor, Q = 2^(6 - noise_q), 0..30: the noise-to-tonal energy ratio
  int invf_mode = 0;  // bs_invf_mode 0..3 (off, low, mid, strong whitening)
  double tonality = 0.0;  // prediction gain in dB of the band's QMF samples, for logs and tests
};

// Noise floor and inverse filtering over QMF slots [slot_begin, slot_end) for each band of
// `noise_bands` (QMF band borders). Tonality is each QMF band's first-order complex prediction
// over time (TS 26.404 5.6.3 estimates the noise floor from such a prediction gain); the noise
// floor is the band's unpredictable energy over its predictable energy.
std::vector<NoiseBandEstimate> EstimateNoise(std::span<const QmfAnalysis::Slot> slots,
                                             int slot_begin, int slot_end,
                                             const std::vector<int>& noise_bands);

}  // namespace floe::media::aac
