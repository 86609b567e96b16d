// Quantiser and rate control of Floe's AAC core (LD, and LC with 1024-line frames): scalefactors
// per band from the noise the psychoacoustic model allows, AAC's x^(3/4) quantisation, and a
// constant-bit-rate loop that searches one offset until the frame fits its budget (average bits
// per frame plus a reservoir: half a frame for LD, up to the AAC buffer for LC). Where the bits
// do not reach the model's thresholds, the offset raises every band's allowed noise the 3GPP
// way (its fourth root by one amount, as 3GPP TS 26.403's encoder does): a band with a low
// threshold gives up more, relative to it, than one with a high threshold, so the noise grows
// towards flat instead of keeping the mask's shape at a higher level everywhere (measured on
// speech and music at 64-128 kbit/s: +1 to +5 dB SNR, a lower log-spectral distance); with bits
// to spare it lowers every scalefactor alike.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "media/aac/ics_writer.h"
#include "media/aac/ld_tables.h"

namespace floe::media::aac {

inline constexpr int kLdMaxQuant = 8191;       // largest |q| the escape book codes
inline constexpr double kLdRounding = 0.4054;  // AAC's rounding towards zero in the x^(3/4) domain
inline constexpr int kLdMaxScalefactor = 255;  // global_gain is 8 bits
inline constexpr int kLdMaxScalefactorDelta = 60;

// q = sign(x) * floor((|x| / 2^((sf - 100) / 4))^(3/4) + 0.4054), saturated at +-8191.
void QuantizeLines(std::span<const float> x, int sf, std::span<int> q);
// The value a decoder gives q at scalefactor sf: sign(q) |q|^(4/3) 2^((sf - 100) / 4).
double Dequantize(int q, int sf);
// Squared error of coding x at sf.
double QuantizationNoise(std::span<const float> x, int sf);
// The smallest scalefactor at which no line of x exceeds +-8191 (0 for silence).
int MinScalefactor(std::span<const float> x);
// The scalefactor at which the quantisation noise of x is expected to be `allowed` (uniform
// noise in the x^(3/4) domain: (4/27) step^(3/2) sum sqrt|x|); 255 for silence.
int ScalefactorForNoise(std::span<const float> x, double allowed);
// The same from sum sqrt|x| (`roots`) of the band.
int ScalefactorForRoots(double roots, double allowed);
// The allowed noise raised by r in the fourth-root domain: (allowed^(1/4) + r)^4, from
// allowed^(1/4).
double ReducedNoise(double allowed_quarter, double r);
// Highest frequency coded at `bits_per_channel` bit/s: the rest of the budget is better spent
// below it (about 10 kHz at 32 kbit/s, 17 kHz at 64, 20 kHz from 80).
int LdCutoffHz(int64_t bits_per_channel, int sample_rate);

class LdQuantizer {
 public:
  // bit_rate: total over `channels` (1 or 2).
  // cutoff_hz: the highest frequency coded; 0 = LdCutoffHz of the rate.
  LdQuantizer(const LdLayout& layout, int channels, int64_t bit_rate, int cutoff_hz = 0);
  // The rate of the frames quantised from now on (an outer loop's ask).
  void set_bit_rate(int64_t bit_rate) { bit_rate_ = bit_rate; }

  // Quantises one frame: a spectrum and the allowed noise per band for every channel, and the
  // mid/side flags the element will be written with (ChooseMidSide; empty for none). The
  // returned channels take at most frame_budget() bits with the element header and byte padding
  // (window_shape is left for the caller, the same in both channels: it does not change the
  // bits). An EIGHT_SHORT frame (LC) passes its window groups: spectra, allowed noise and `ms`
  // are then in the order of GroupedBandOffsets.
  core::Result<std::vector<IcsChannel>> Quantize(std::span<const std::vector<float>> spectra,
                                                 std::span<const std::vector<double>> allowed,
                                                 std::span<const uint8_t> ms = {},
                                                 int window_sequence = kOnlyLong,
                                                 std::span<const int> groups = {});
  // The size of the frame as written: updates the reservoir.
  void Commit(int frame_bits);

  // The bits this frame may take: its average plus the reservoir (with LC frames at most twice
  // the average from it, so that bits banked in a silence are spent over several frames), never
  // more than the largest frame set.
  int frame_budget() const;
  // The largest frame the element may be, in bits (0: no bound but the reservoir's).
  void set_max_frame_bits(int bits) { max_frame_bits_ = bits; }
  int reservoir_bits() const { return reservoir_; }
  int reservoir_capacity() const { return capacity_; }
  int cutoff_band() const { return cutoff_band_; }
  // The same for short windows (LC).
  int short_cutoff_band() const { return short_cutoff_band_; }

 private:
  int average_bits() const;
  core::Result<int> Build(int offset, std::vector<IcsChannel>& out);
  // Band `band` of channel `ch` at `offset`: the base moved by it (<= 0) or reduced by r,
  // the reduction of that offset (> 0).
  int Scalefactor(int ch, int band, int offset, double r) const;

  LdLayout layout_;
  int channels_;
  int64_t bit_rate_;
  int cutoff_band_ = 0;
  int short_cutoff_band_ = 0;
  int capacity_ = 0;
  int max_frame_bits_ = 0;
  int reservoir_ = 0;
  // Sum of bit_rate * frame_length over the frames committed: each frame's average is the
  // whole bits between its start and end, so the stream's is exact.
  int64_t target_ = 0;
  // Per channel, for the frame being quantised.
  std::vector<std::vector<float>> lines_;
  std::vector<std::vector<int>> base_sf_, min_sf_;
  std::vector<std::vector<double>> roots_;    // sum sqrt|x| of each band
  std::vector<std::vector<double>> quarter_;  // allowed^(1/4) of each band
  double unit_ = 0;  // the mean allowed^(1/4) of the frame's coded bands: the reduction's scale
  std::span<const uint8_t> ms_;
  // The frame's shape: its bands in bitstream order, how many a group has and codes.
  int window_sequence_ = kOnlyLong;
  std::vector<int> groups_;
  std::vector<uint16_t> offset_;
  int group_bands_ = 0, coded_bands_ = 0;
};

}  // namespace floe::media::aac
