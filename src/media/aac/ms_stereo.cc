// Mid/side decision per band (see ms_stereo.h).
#include "media/aac/ms_stereo.h"

#include <algorithm>
#include <cmath>

namespace floe::media::aac {
namespace {

// Perceptual entropy of a band of `lines` lines with energy e coded at noise `allowed`: about
// the bits a quantiser spends on it (half a bit per line per doubling of the signal-to-noise).
double Entropy(double e, double allowed, int lines) {
  return lines * std::log2(1.0 + e / std::max(allowed, 1e-30));
}

}  // namespace

std::vector<uint8_t> ChooseMidSide(const LdLayout& layout, std::span<std::vector<float>> spectra,
                                   std::span<std::vector<double>> allowed) {
  std::vector<uint8_t> ms(static_cast<size_t>(layout.num_swb()), 0);
  if (spectra.size() != 2 || allowed.size() != 2) return ms;
  std::vector<float>& left = spectra[0];
  std::vector<float>& right = spectra[1];
  for (int b = 0; b < layout.num_swb(); ++b) {
    const int lo = layout.swb_offset[b], hi = layout.swb_offset[b + 1];
    double el = 0, er = 0, em = 0, es = 0;
    for (int k = lo; k < hi; ++k) {
      const double l = left[k], r = right[k];
      el += l * l;
      er += r * r;
      em += (l + r) * (l + r) / 4;
      es += (l - r) * (l - r) / 4;
    }
    if (el + er == 0) continue;
    const double side_allowed = std::min(allowed[0][b], allowed[1][b]) / 2;
    const double lr = Entropy(el, allowed[0][b], hi - lo) + Entropy(er, allowed[1][b], hi - lo);
    const double mid_side = Entropy(em, side_allowed, hi - lo) + Entropy(es, side_allowed, hi - lo);
    if (mid_side >= lr) continue;
    ms[b] = 1;
    for (int k = lo; k < hi; ++k) {
      const float l = left[k], r = right[k];
      left[k] = (l + r) / 2;
      right[k] = (l - r) / 2;
    }
    allowed[0][b] = allowed[1][b] = side_allowed;
  }
  return ms;
}

}  // namespace floe::media::aac
