// 64-band complex QMF analysis with Floe's own power-complementary, Kaiser-windowed prototype.
#include "media/aac/qmf.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace floe::media::aac {
namespace {

constexpr int kFold = 2 * QmfAnalysis::kBands;  // the modulation repeats (negated) every 128
constexpr double kPi = std::numbers::pi;
// Crossover between bands: half the band spacing of pi/64.
constexpr double kCutoff = kPi / 128.0;
// The prototype's magnitude is flat up to (1 - kRolloff) * kCutoff and falls as a quarter cosine
// to 0 at (1 + kRolloff) * kCutoff, so |H|^2 of neighbouring bands sums to 1 across their
// crossover (power complementary): a tone reads the same energy wherever it sits in a band.
// The Kaiser window (kKaiserBeta) then limits it to 640 taps. Chosen by sweeping both: ripple of
// the summed |H|^2 within -0.55..+0.21 dB, and every band whose centre is 1.6 bandwidths or more
// from a tone at least 41 dB down (49 dB from 1.8); wider roll-off or window trade one for the
// other.
constexpr double kRolloff = 0.35;
constexpr double kKaiserBeta = 2.5;

double BesselI0(double x) {
  // Power series; converges fast for the beta used here.
  double sum = 1.0;
  double term = 1.0;
  for (int k = 1; k < 50; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

// Ideal (infinitely long) prototype at tap offset m from the centre: the inverse transform of
// the magnitude above, integrated numerically (it runs once).
double IdealTap(double m) {
  constexpr int kSteps = 2048;
  constexpr double kFlat = (1.0 - kRolloff) * kCutoff;
  constexpr double kTop = (1.0 + kRolloff) * kCutoff;
  double sum = 0.0;
  for (int i = 0; i < kSteps; ++i) {
    const double w = (i + 0.5) * kTop / kSteps;
    const double mag = w <= kFlat ? 1.0 : std::cos(kPi * (w - kFlat) / (4.0 * kRolloff * kCutoff));
    sum += mag * std::cos(w * m);
  }
  return sum * kTop / kSteps / kPi;
}

struct Tables {
  std::array<float, QmfAnalysis::kWindow> prototype;
  // cos/sin of pi/64 * (k + 0.5) * n for band k and folded tap n: band k centred on
  // (k + 0.5) * fs/128, so the 64 bands tile 0..fs/2.
  std::array<std::array<float, kFold>, QmfAnalysis::kBands> cos_mod;
  std::array<std::array<float, kFold>, QmfAnalysis::kBands> sin_mod;

  Tables() {
    constexpr double kCentre = (QmfAnalysis::kWindow - 1) / 2.0;
    const double norm_i0 = BesselI0(kKaiserBeta);
    std::array<double, QmfAnalysis::kWindow> h{};
    double energy = 0.0;
    for (int n = 0; n < QmfAnalysis::kWindow; ++n) {
      const double m = n - kCentre;
      const double r = m / kCentre;
      const double kaiser = BesselI0(kKaiserBeta * std::sqrt(std::max(0.0, 1.0 - r * r))) / norm_i0;
      h[n] = IdealTap(m) * kaiser;
      energy += h[n] * h[n];
    }
    // Unit energy, so that a band's mean |X|^2 is the signal's power density in that band.
    const double scale = 1.0 / std::sqrt(energy);
    for (int n = 0; n < QmfAnalysis::kWindow; ++n) prototype[n] = static_cast<float>(h[n] * scale);
    for (int k = 0; k < QmfAnalysis::kBands; ++k) {
      for (int n = 0; n < kFold; ++n) {
        const double phase = kPi / 64.0 * (k + 0.5) * n;
        cos_mod[k][n] = static_cast<float>(std::cos(phase));
        sin_mod[k][n] = static_cast<float>(std::sin(phase));
      }
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

QmfAnalysis::QmfAnalysis() : history_(kWindow, 0.0f) {}

void QmfAnalysis::Reset() {
  std::fill(history_.begin(), history_.end(), 0.0f);
  pending_count_ = 0;
}

void QmfAnalysis::Process(std::span<const float> in, std::vector<Slot>& out) {
  size_t i = 0;
  while (i < in.size()) {
    const size_t take = std::min<size_t>(in.size() - i, kBands - pending_count_);
    std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(i), take,
                pending_.begin() + pending_count_);
    pending_count_ += static_cast<int>(take);
    i += take;
    if (pending_count_ < kBands) break;
    std::copy(history_.begin() + kBands, history_.end(), history_.begin());
    std::copy(pending_.begin(), pending_.end(), history_.end() - kBands);
    pending_count_ = 0;
    AnalyseSlot(out.emplace_back());
  }
}

void QmfAnalysis::AnalyseSlot(Slot& slot) {
  const Tables& t = GetTables();
  // exp(-i w_k (n + 128)) = -exp(-i w_k n) for every band, so the 640 windowed taps fold into
  // 128 with alternating signs before the 64x128 modulation.
  std::array<float, kFold> u{};
  for (int j = 0; j < kWindow / kFold; ++j) {
    const float sign = (j % 2 == 0) ? 1.0f : -1.0f;
    for (int n = 0; n < kFold; ++n) {
      const int tap = j * kFold + n;
      u[n] += sign * history_[tap] * t.prototype[tap];
    }
  }
  for (int k = 0; k < kBands; ++k) {
    float re = 0.0f;
    float im = 0.0f;
    for (int n = 0; n < kFold; ++n) {
      re += u[n] * t.cos_mod[k][n];
      im -= u[n] * t.sin_mod[k][n];
    }
    slot[k] = {re, im};
  }
}

}  // namespace floe::media::aac
