// Scalefactors, x^(3/4) quantisation and the CBR loop of the AAC-LD encoder (see ld_quantizer.h).
#include "media/aac/ld_quantizer.h"

#include <algorithm>
#include <cmath>

namespace floe::media::aac {
namespace {

// The raw data block ends with up to 7 bits of byte alignment.
constexpr int kAlignBits = 7;

// 2^((sf - 100) / 4): the step of scalefactor sf in the decoder's units.
double Step(int sf) {
  return std::exp2((sf - 100) / 4.0);
}

}  // namespace

void QuantizeLines(std::span<const float> x, int sf, std::span<int> q) {
  const double inv = 1.0 / Step(sf);
  for (size_t i = 0; i < x.size(); ++i) {
    const double a = std::pow(std::fabs(x[i]) * inv, 0.75) + kLdRounding;
    const int v = a >= kLdMaxQuant ? kLdMaxQuant : static_cast<int>(a);
    q[i] = x[i] < 0 ? -v : v;
  }
}

double Dequantize(int q, int sf) {
  const double v = std::pow(std::abs(q), 4.0 / 3.0) * Step(sf);
  return q < 0 ? -v : v;
}

double QuantizationNoise(std::span<const float> x, int sf) {
  std::vector<int> q(x.size());
  QuantizeLines(x, sf, q);
  double noise = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double e = x[i] - Dequantize(q[i], sf);
    noise += e * e;
  }
  return noise;
}

int MinScalefactor(std::span<const float> x) {
  double peak = 0;
  for (float v : x) peak = std::max(peak, static_cast<double>(std::fabs(v)));
  if (peak == 0) return 0;
  // Largest |x| / step that still rounds to 8191: (8191.5 - 0.4054)^(4/3).
  const double limit = std::pow(kLdMaxQuant + 0.5 - kLdRounding, 4.0 / 3.0);
  int sf = std::max(0, static_cast<int>(std::ceil(100 + 4 * std::log2(peak / limit))));
  while (sf > 0 && peak / Step(sf - 1) < limit) --sf;
  while (sf < kLdMaxScalefactor && peak / Step(sf) >= limit) ++sf;
  return sf;
}

int ScalefactorForNoise(std::span<const float> x, double allowed) {
  double roots = 0;
  for (float v : x) roots += std::sqrt(std::fabs(v));
  return ScalefactorForRoots(roots, allowed);
}

double ReducedNoise(double allowed_quarter, double r) {
  const double q = allowed_quarter + r;
  return q * q * q * q;
}

int ScalefactorForRoots(double roots, double allowed) {
  if (roots == 0) return kLdMaxScalefactor;
  const double sf = 100 + 8.0 / 3.0 * std::log2(27.0 * std::max(allowed, 1e-30) / (4.0 * roots));
  return static_cast<int>(std::clamp(std::lround(sf), 0L, long{kLdMaxScalefactor}));
}

int LdCutoffHz(int64_t bits_per_channel, int sample_rate) {
  const int64_t hz = 4000 + bits_per_channel / 5;
  return static_cast<int>(std::min<int64_t>({hz, 20000, sample_rate / 2}));
}

LdQuantizer::LdQuantizer(const LdLayout& layout, int channels, int64_t bit_rate, int cutoff_hz)
    : layout_(layout), channels_(channels), bit_rate_(bit_rate) {
  const int cutoff =
      cutoff_hz > 0 ? cutoff_hz : LdCutoffHz(bit_rate / channels, layout.sample_rate);
  const double hz_per_line = layout.sample_rate / 2.0 / layout.frame_length;
  while (cutoff_band_ < layout.num_swb() &&
         layout.swb_offset[cutoff_band_ + 1] * hz_per_line <= cutoff)
    ++cutoff_band_;
  const double hz_per_short_line = layout.sample_rate / 2.0 / kShortWindowLines;
  while (short_cutoff_band_ < layout.num_short_swb() &&
         layout.short_offset[short_cutoff_band_ + 1] * hz_per_short_line <= cutoff)
    ++short_cutoff_band_;
  // Half a frame: every reservoir bit is delay a decoder must buffer (5.8 ms at 512 / 44.1 kHz).
  capacity_ = average_bits() / 2;
  // AAC LC: a decoder buffers 6144 bits a channel.
  if (layout.lc()) capacity_ = 6144 * channels - average_bits();
  lines_.resize(channels);
  base_sf_.resize(channels);
  min_sf_.resize(channels);
  roots_.resize(channels);
  quarter_.resize(channels);
}

int LdQuantizer::average_bits() const {
  const int64_t per = bit_rate_ * layout_.frame_length;
  return static_cast<int>((target_ + per) / layout_.sample_rate - target_ / layout_.sample_rate);
}

core::Result<std::vector<IcsChannel>> LdQuantizer::Quantize(
    std::span<const std::vector<float>> spectra, std::span<const std::vector<double>> allowed,
    std::span<const uint8_t> ms, int window_sequence, std::span<const int> groups) {
  window_sequence_ = window_sequence;
  groups_.assign(groups.begin(), groups.end());
  offset_ = GroupedBandOffsets(layout_, groups);
  group_bands_ = groups.empty() ? layout_.num_swb() : layout_.num_short_swb();
  coded_bands_ = groups.empty() ? cutoff_band_ : short_cutoff_band_;
  const int bands = static_cast<int>(offset_.size()) - 1;
  double quarters = 0;
  int coded = 0;
  for (int ch = 0; ch < channels_; ++ch) {
    lines_[ch].assign(spectra[ch].begin(), spectra[ch].end());
    base_sf_[ch].assign(bands, kLdMaxScalefactor);
    min_sf_[ch].assign(bands, 0);
    roots_[ch].assign(bands, 0.0);
    quarter_[ch].assign(bands, 0.0);
    for (int b = 0; b < bands; ++b) {
      if (b % group_bands_ >= coded_bands_) continue;
      std::span<const float> band(lines_[ch].data() + offset_[b], offset_[b + 1] - offset_[b]);
      for (float v : band) roots_[ch][b] += std::sqrt(std::fabs(v));
      base_sf_[ch][b] = ScalefactorForRoots(roots_[ch][b], allowed[ch][b]);
      min_sf_[ch][b] = MinScalefactor(band);
      quarter_[ch][b] = std::pow(std::max(allowed[ch][b], 0.0), 0.25);
      if (roots_[ch][b] > 0) {
        quarters += quarter_[ch][b];
        ++coded;
      }
    }
  }
  unit_ = coded ? quarters / coded : 0;
  ms_ = ms;
  // Bits fall as the offset rises (coarser steps): the smallest offset that fits is the best.
  const int budget = frame_budget() - kAlignBits;
  std::vector<IcsChannel> out;
  int lo = -kLdMaxScalefactor, hi = kLdMaxScalefactor;  // hi zeroes every band: it always fits
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    auto bits = Build(mid, out);
    if (!bits) return bits.error();
    if (*bits <= budget) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  auto bits = Build(hi, out);
  if (!bits) return bits.error();
  return out;
}

int LdQuantizer::Scalefactor(int ch, int band, int offset, double r) const {
  if (offset <= 0) return base_sf_[ch][band] + offset;
  if (roots_[ch][band] == 0) return kLdMaxScalefactor;
  return std::max(base_sf_[ch][band],
                  ScalefactorForRoots(roots_[ch][band], ReducedNoise(quarter_[ch][band], r)));
}

core::Result<int> LdQuantizer::Build(int offset, std::vector<IcsChannel>& out) {
  out.assign(channels_, IcsChannel{});
  // The reduction's step grows geometrically: 8 offsets double it (used when offset > 0).
  const double r = unit_ * (std::exp2(offset / 8.0) - 1);
  const int bands = static_cast<int>(offset_.size()) - 1;
  for (int ch = 0; ch < channels_; ++ch) {
    IcsChannel& ics = out[ch];
    ics.window_sequence = window_sequence_;
    ics.groups = groups_;
    ics.quant.assign(layout_.frame_length, 0);
    ics.scalefactors.assign(bands, 0);
    int prev = -1;  // scalefactor of the last band with a non-zero line (bitstream order)
    for (int b = 0; b < bands; ++b) {
      if (b % group_bands_ >= coded_bands_) continue;
      int sf = std::clamp(Scalefactor(ch, b, offset, r), min_sf_[ch][b], kLdMaxScalefactor);
      if (prev >= 0)
        sf = std::clamp(sf, prev - kLdMaxScalefactorDelta, prev + kLdMaxScalefactorDelta);
      const int lo = offset_[b], width = offset_[b + 1] - lo;
      std::span<int> q(ics.quant.data() + lo, width);
      QuantizeLines({lines_[ch].data() + lo, static_cast<size_t>(width)}, sf, q);
      ics.scalefactors[b] = sf;
      if (std::any_of(q.begin(), q.end(), [](int v) { return v != 0; })) {
        prev = sf;
        ics.max_sfb = std::max(ics.max_sfb, b % group_bands_ + 1);
      }
    }
    if (groups_.empty()) ics.scalefactors.resize(ics.max_sfb);
  }
  return CountElementBits(layout_, out, ms_);
}

int LdQuantizer::frame_budget() const {
  const int average = average_bits();
  const int draw = layout_.lc() ? std::min(reservoir_, 2 * average) : reservoir_;
  const int budget = average + draw;
  return max_frame_bits_ > 0 ? std::min(budget, max_frame_bits_) : budget;
}

void LdQuantizer::Commit(int frame_bits) {
  reservoir_ = std::clamp(reservoir_ + average_bits() - frame_bits, 0, capacity_);
  target_ += bit_rate_ * layout_.frame_length;
}

}  // namespace floe::media::aac
