// Envelope, noise-floor and inverse-filtering estimation for one SBR frame.
#include "media/aac/sbr_estimate.h"

#include <algorithm>
#include <cmath>
#include <complex>

namespace floe::media::aac {
namespace {

constexpr int kMaxEnvelopeQ = 127;  // the decoder rejects larger env_facs_q
constexpr int kNoiseFloorOffset = 6;
constexpr int kMaxNoiseQ = 30;
// Prediction lag in QMF slots. One slot apart, white noise is still ~0.6 correlated (the complex
// bank samples each band twice as often as its bandwidth needs), which would read as tonality;
// two slots apart (one SBR time slot) it is uncorrelated, while a steady tone stays predictable.
constexpr int kPredictionLag = 2;
// Prediction gain thresholds (dB) for bs_invf_mode: the more noise-like the original band, the
// more the decoder must whiten the (usually more tonal) transposed low band.
constexpr double kInvfOffDb = 10.0;
constexpr double kInvfLowDb = 5.0;
constexpr double kInvfMidDb = 2.0;

int ClampIndex(int v, int hi) {
  return std::clamp(v, 0, hi);
}

}  // namespace

int QuantiseEnvelope(double energy, AmpRes amp_res) {
  const double decoder_energy = energy * kDecoderEnergyScale;
  // E = 64 * 2^(q * alpha): q = 0 is the decoder's floor. The negated test also catches NaN.
  if (!(decoder_energy > 64.0)) return 0;
  const double alpha = amp_res == AmpRes::k1_5dB ? 0.5 : 1.0;
  const double q = std::log2(decoder_energy / 64.0) / alpha;
  if (!(q < kMaxEnvelopeQ)) return kMaxEnvelopeQ;  // also +inf
  return static_cast<int>(std::lround(q));
}

double MeanEnergy(std::span<const QmfAnalysis::Slot> slots, int slot_begin, int slot_end,
                  int band_begin, int band_end) {
  const int last_slot = static_cast<int>(slots.size());
  slot_begin = ClampIndex(slot_begin, last_slot);
  slot_end = ClampIndex(slot_end, last_slot);
  band_begin = ClampIndex(band_begin, QmfAnalysis::kBands);
  band_end = ClampIndex(band_end, QmfAnalysis::kBands);
  if (slot_end <= slot_begin || band_end <= band_begin) return 0.0;
  double sum = 0.0;
  for (int t = slot_begin; t < slot_end; ++t) {
    for (int k = band_begin; k < band_end; ++k) sum += std::norm(slots[t][k]);
  }
  return sum / (static_cast<double>(slot_end - slot_begin) * (band_end - band_begin));
}

std::vector<std::vector<int>> EstimateEnvelopes(std::span<const QmfAnalysis::Slot> slots,
                                                std::span<const int> borders,
                                                std::span<const int> freq_res,
                                                const std::vector<int>& low_bands,
                                                const std::vector<int>& high_bands,
                                                AmpRes amp_res) {
  std::vector<std::vector<int>> q;
  const size_t num_env = borders.empty() ? 0 : borders.size() - 1;
  for (size_t e = 0; e < num_env; ++e) {
    const bool high = e < freq_res.size() && freq_res[e] != 0;
    const std::vector<int>& table = high ? high_bands : low_bands;
    const int slot_begin = borders[e] * kQmfSlotsPerTimeSlot;
    const int slot_end = borders[e + 1] * kQmfSlotsPerTimeSlot;
    std::vector<int>& row = q.emplace_back();
    for (size_t b = 0; b + 1 < table.size(); ++b) {
      row.push_back(QuantiseEnvelope(
          MeanEnergy(slots, slot_begin, slot_end, table[b], table[b + 1]), amp_res));
    }
  }
  return q;
}

std::vector<NoiseBandEstimate> EstimateNoise(std::span<const QmfAnalysis::Slot> slots,
                                             int slot_begin, int slot_end,
                                             const std::vector<int>& noise_bands) {
  const int last_slot = static_cast<int>(slots.size());
  slot_begin = ClampIndex(slot_begin, last_slot);
  slot_end = ClampIndex(slot_end, last_slot);
  std::vector<NoiseBandEstimate> out;
  for (size_t b = 0; b + 1 < noise_bands.size(); ++b) {
    const int band_begin = ClampIndex(noise_bands[b], QmfAnalysis::kBands);
    const int band_end = ClampIndex(noise_bands[b + 1], QmfAnalysis::kBands);
    // Per QMF band, the best single complex coefficient predicting X[t] from X[t - lag]; summed
    // over the noise band, what it cannot predict is noise and what it can is tonal.
    double residual = 0.0;
    double total = 0.0;
    for (int k = band_begin; k < band_end; ++k) {
      double r00 = 0.0;
      double r11 = 0.0;
      std::complex<double> r01 = 0.0;
      for (int t = slot_begin + kPredictionLag; t < slot_end; ++t) {
        const std::complex<double> x(slots[t][k]);
        const std::complex<double> prev(slots[t - kPredictionLag][k]);
        r00 += std::norm(x);
        r11 += std::norm(prev);
        r01 += x * std::conj(prev);
      }
      const double predicted = r11 > 0.0 ? std::min(r00, std::norm(r01) / r11) : 0.0;
      residual += r00 - predicted;
      total += r00;
    }
    NoiseBandEstimate& est = out.emplace_back();
    const double tonal = total - residual;
    // Silence counts as noise-like: nothing there is predictable, and its envelope is 0 anyway.
    const double gain = residual > 0.0 ? total / residual : (total > 0.0 ? 1e12 : 1.0);
    est.tonality = 10.0 * std::log10(gain);
    // Q = noise / tonal energy = 2^(6 - q).
    double noise_q = kMaxNoiseQ;
    if (tonal <= 0.0) {
      noise_q = 0.0;
    } else if (residual > 0.0) {
      noise_q = kNoiseFloorOffset - std::log2(residual / tonal);
    }
    est.noise_q = static_cast<int>(std::lround(std::clamp(noise_q, 0.0, double{kMaxNoiseQ})));
    if (est.tonality >= kInvfOffDb) {
      est.invf_mode = 0;
    } else if (est.tonality >= kInvfLowDb) {
      est.invf_mode = 1;
    } else if (est.tonality >= kInvfMidDb) {
      est.invf_mode = 2;
    } else {
      est.invf_mode = 3;
    }
  }
  return out;
}

}  // namespace floe::media::aac
