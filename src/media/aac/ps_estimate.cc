// Parametric stereo analysis: band energies and cross-correlation of the stereo QMF slots,
// quantised to the nearest table value.
#include "media/aac/ps_estimate.h"

#include <algorithm>
#include <cmath>
#include <complex>

#include "media/aac/ps_tables.h"

namespace floe::media::aac {
namespace {

// Band energy (QmfAnalysis scale, summed over a window) below which a side counts as silent:
// far below one 16-bit LSB's energy (about 1e-9 per sample).
constexpr double kSilence = 1e-12;

template <size_t N>
int Nearest(const std::array<double, N>& table, double v) {
  size_t best = 0;
  for (size_t i = 1; i < N; ++i) {
    if (std::abs(table[i] - v) < std::abs(table[best] - v)) best = i;
  }
  return static_cast<int>(best);
}

}  // namespace

void Downmix(std::span<const float> left, std::span<const float> right, std::span<float> out) {
  const size_t n = std::min({left.size(), right.size(), out.size()});
  for (size_t i = 0; i < n; ++i) out[i] = 0.5F * (left[i] + right[i]);
}

int QuantiseIid(double db) {
  return Nearest(kIidDb, db) - kIidMaxIndex;
}

int QuantiseIcc(double icc) {
  return Nearest(kIcc, icc);
}

std::vector<PsBandEstimate> EstimatePsBands(std::span<const QmfAnalysis::Slot> left,
                                            std::span<const QmfAnalysis::Slot> right,
                                            int slot_begin, int slot_end, int bands) {
  std::vector<PsBandEstimate> out;
  const int last = static_cast<int>(std::min(left.size(), right.size()));
  for (const QmfRange& r : PsBandQmfRanges(bands)) {
    double el = 0, er = 0, cross = 0;
    for (int t = std::max(slot_begin, 0); t < std::min(slot_end, last); ++t) {
      for (int k = r.begin; k < r.end; ++k) {
        const std::complex<float> l = left[t][k], rr = right[t][k];
        el += std::norm(l);
        er += std::norm(rr);
        cross +=
            static_cast<double>(l.real()) * rr.real() + static_cast<double>(l.imag()) * rr.imag();
      }
    }
    PsBandEstimate e;
    if (el > kSilence || er > kSilence) {
      e.iid_db = std::clamp(10 * std::log10((el + kSilence) / (er + kSilence)), -50.0, 50.0);
      if (el > kSilence && er > kSilence) e.icc = std::clamp(cross / std::sqrt(el * er), -1.0, 1.0);
    }
    e.iid = QuantiseIid(e.iid_db);
    e.icc_index = QuantiseIcc(e.icc);
    out.push_back(e);
  }
  return out;
}

}  // namespace floe::media::aac
