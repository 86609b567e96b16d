// The raw data block writer (LD, and LC for Floe's LC core) against FFmpeg's own AAC decoder: a
// single line decodes to a tone at its frequency, random spectra in every book (and pairs with a
// common window, mid/side or not) decode cleanly and sample for sample as the standard's inverse
// MDCT says, counted bits equal written bits, and bad input is refused.
#include "media/aac/ics_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <set>

#include "media/aac/aac_huffman.h"
#include "media/aac/asc.h"
#include "media/aac/decode_helpers.h"
#include "media/ffmpeg.h"

namespace floe::media::aac {
namespace {

using Channels = std::vector<IcsChannel>;

using Decoded = test_helpers::AacDecoded;

Decoded Decode(const std::vector<uint8_t>& asc, const std::vector<std::vector<uint8_t>>& packets) {
  return test_helpers::DecodeAac(asc, packets, {.log_open = true});
}

std::vector<uint8_t> Write(const LdLayout& layout, const Channels& channels) {
  BitWriter w;
  auto ok = WriteLdRawDataBlock(layout, channels, w);
  EXPECT_TRUE(ok.ok()) << ok.error().message;
  return w.data();
}

IcsChannel Silent(const LdLayout& layout, int window_shape) {
  IcsChannel ch;
  ch.window_shape = window_shape;
  ch.max_sfb = layout.num_swb();
  ch.scalefactors.assign(static_cast<size_t>(ch.max_sfb), 100);
  ch.quant.assign(static_cast<size_t>(layout.frame_length), 0);
  return ch;
}

// The decoder output the standard's filterbank defines (inverse MDCT scaled 2/N, window,
// overlap-add), divided by 32768 as FFmpeg's float output is. Every frame keeps one
// window shape, so the overlap of frames k-1 and k uses that shape on both sides.
std::vector<double> Reference(const LdLayout& layout, const std::vector<IcsChannel>& frames) {
  const int f = layout.frame_length, n = 2 * f;
  std::vector<double> cosine(static_cast<size_t>(4 * n));
  for (int i = 0; i < 4 * n; ++i) cosine[i] = std::cos(std::numbers::pi * i / (2.0 * n));
  std::vector<double> window(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    if (frames.front().window_shape == 0) {
      window[i] = std::sin(std::numbers::pi / n * (i + 0.5));
      continue;
    }
    // Low-overlap window: zero for 3F/8, an F/4 sine slope, flat, slope down, zero.
    const int lo = 3 * f / 8, slope = f / 4;
    const int j = i < f ? i : n - 1 - i;
    window[i] = j < lo           ? 0
                : j < lo + slope ? std::sin(std::numbers::pi / (2 * slope) * (j - lo + 0.5))
                                 : 1;
  }
  std::vector<double> out, saved(static_cast<size_t>(f), 0.0);
  for (const IcsChannel& ch : frames) {
    std::vector<double> spec(static_cast<size_t>(f), 0.0);
    for (int b = 0; b < layout.num_swb(); ++b)
      for (int k = layout.swb_offset[b]; k < layout.swb_offset[b + 1]; ++k) {
        const int q = ch.quant[k];
        if (q == 0) continue;
        spec[k] = std::copysign(std::pow(std::abs(q), 4.0 / 3.0), q) *
                  std::pow(2.0, 0.25 * (ch.scalefactors[b] - 100));
      }
    for (int i = 0; i < n; ++i) {
      double x = 0;
      // cos(2π/N (i + n0)(k + 1/2)) with n0 = (N/2 + 1)/2, as an index into cosine[] (step π/2N).
      const int64_t a = 2 * i + f + 1;
      for (int k = 0; k < f; ++k)
        if (spec[k] != 0) x += spec[k] * cosine[(a * (2 * k + 1)) % (4 * n)];
      x *= 2.0 / n * window[i] / 32768.0;
      if (i < f)
        out.push_back(saved[i] + x);
      else
        saved[i - f] = x;
    }
  }
  return out;
}

// Bits individual_channel_stream() took: the block is byte-aligned, so write it after 0..7
// padding bits; exactly one offset needs no alignment bits.
int WrittenIcsBits(const LdLayout& layout, const IcsChannel& ch) {
  int fewest = 1 << 30;
  for (int pad = 0; pad < 8; ++pad) {
    BitWriter w;
    w.Put(0, pad);
    EXPECT_TRUE(WriteLdRawDataBlock(layout, Channels{ch}, w).ok());
    // element_instance_tag; with LC also the element id and END.
    const int framing = layout.frame_length == 1024 ? 4 + 3 + 3 : 4;
    fewest = std::min(fewest, static_cast<int>(w.bits()) - pad - framing);
  }
  return fewest;
}

// The section books of a mono block's ICS (tag, global_gain, ics_info, then section_data).
std::set<int> SectionBooks(const std::vector<uint8_t>& block) {
  BitReader r(block);
  r.Skip(4 + 8 + 1 + 2 + 1);
  const int max_sfb = static_cast<int>(r.Get(6));
  r.Skip(1);
  std::set<int> books;
  for (int band = 0; band < max_sfb && !r.overrun();) {
    books.insert(static_cast<int>(r.Get(4)));
    int len;
    do band += len = static_cast<int>(r.Get(5));
    while (len == 31);
  }
  return books;
}

// Random frame: each band draws a peak from every book's range (escapes included) and a
// scalefactor within ±20 of the previous coded band's.
IcsChannel RandomFrame(const LdLayout& layout, int window_shape, std::mt19937& rng) {
  const int peaks[] = {0, 1, 1, 2, 2, 4, 4, 7, 7, 12, 12, 16, 40, 300, 8191};
  IcsChannel ch = Silent(layout, window_shape);
  ch.max_sfb = layout.num_swb() - static_cast<int>(rng() % 4);
  int sf = 60 + static_cast<int>(rng() % 60);
  for (int b = 0; b < ch.max_sfb; ++b) {
    const int peak = peaks[rng() % std::size(peaks)];
    if (peak == 0) continue;
    sf = std::clamp(sf + static_cast<int>(rng() % 41) - 20, 40, 140);
    ch.scalefactors[b] = sf;
    // Sparse bands (a line in four non-zero) favour the odd books, dense ones (no zero line)
    // the even books.
    const int density = static_cast<int>(rng() % 3);
    for (int k = layout.swb_offset[b]; k < layout.swb_offset[b + 1]; ++k) {
      if (density == 0 && rng() % 4 != 0) continue;
      const int a = density == 2 ? 1 + static_cast<int>(rng() % static_cast<unsigned>(peak))
                                 : static_cast<int>(rng() % static_cast<unsigned>(peak + 1));
      ch.quant[k] = rng() % 2 ? -a : a;
    }
  }
  return ch;
}

// Largest |a - b| over the frames after the first (the decoder starts from the sine window),
// relative to the reference's peak.
double WorstError(const std::vector<float>& got, const std::vector<double>& want, int from) {
  double worst = 0, peak = 0;
  for (size_t i = static_cast<size_t>(from); i < want.size() && i < got.size(); ++i) {
    worst = std::max(worst, std::abs(got[i] - want[i]));
    peak = std::max(peak, std::abs(want[i]));
  }
  return peak > 0 ? worst / peak : 1;
}

double Energy(std::span<const float> x) {
  double e = 0;
  for (float v : x) e += double{v} * v;
  return e;
}

TEST(IcsWriter, OneLineDecodesToAToneAtItsFrequency) {
  for (int frame_length : {512, 480}) {
    const int rate = 48000, line = 100;
    auto layout = LdLayoutFor(rate, frame_length);
    ASSERT_TRUE(layout.ok());
    // A stationary cosine at the line's centre frequency advances its phase by
    // π (line + 1/2) per frame: for an even line the coefficient runs A, 0, -A, 0.
    std::vector<std::vector<uint8_t>> packets;
    for (int t = 0; t < 40; ++t) {
      IcsChannel ch = Silent(*layout, 0);
      ch.quant[line] = t % 2 ? 0 : t % 4 ? -20 : 20;
      packets.push_back(Write(*layout, {ch}));
    }
    Decoded dec = Decode(*LdConfig(rate, 1, frame_length), packets);
    EXPECT_TRUE(dec.log.empty()) << dec.log.front();
    EXPECT_EQ(dec.profile, FF_PROFILE_AAC_LD);
    EXPECT_EQ(dec.frames, 40);
    EXPECT_EQ(dec.frame_size, frame_length);
    ASSERT_EQ(dec.pcm.size(), 1u);
    // DFT magnitude around the expected frequency (line + 1/2) * fs / (2 * frame_length).
    const std::span<const float> x(dec.pcm[0].data() + 4 * frame_length, 32 * frame_length);
    auto magnitude = [&](double hz) {
      std::complex<double> s = 0;
      for (size_t i = 0; i < x.size(); ++i)
        s += double{x[i]} * std::polar(1.0, -2 * std::numbers::pi * hz * i / rate);
      return std::abs(s) / x.size();
    };
    const double expected = (line + 0.5) * rate / (2.0 * frame_length);
    double best_hz = 0, best = 0;
    for (double hz = expected - 600; hz <= expected + 600; hz += 5)
      if (magnitude(hz) > best) best = magnitude(hz), best_hz = hz;
    // FFmpeg 5.1 inverse-transforms LD frames with its 512-point MDCT whatever the frame length
    // (imdct_and_windowing_ld), so 480-sample frames decode at a wrong frequency (measured:
    // 4725 Hz for 5025 Hz); only the frame size and a clean decode are checked for them.
    if (frame_length == 512) {
      EXPECT_NEAR(best_hz, expected, 10);
    }
    // The tone holds the energy: a sinusoid of the peak's amplitude carries most of it.
    EXPECT_GT(2 * best * best * x.size(), 0.5 * Energy(x)) << "frame " << frame_length;
  }
}

TEST(IcsWriter, RandomSpectraInEveryBookDecodeAsTheStandardSays) {
  std::mt19937 rng(2323);
  auto layout = LdLayoutFor(44100, 512);
  ASSERT_TRUE(layout.ok());
  std::set<int> books;
  for (int channels : {1, 2}) {
    for (int shape : {0, 1}) {
      std::vector<std::vector<IcsChannel>> frames(static_cast<size_t>(channels));
      std::vector<std::vector<uint8_t>> packets;
      for (int t = 0; t < 6; ++t) {
        Channels block;
        for (int c = 0; c < channels; ++c) {
          block.push_back(RandomFrame(*layout, shape, rng));
          frames[c].push_back(block.back());
        }
        packets.push_back(Write(*layout, block));
        if (channels == 1) {
          const auto used = SectionBooks(packets.back());
          books.insert(used.begin(), used.end());
        }
      }
      Decoded dec = Decode(*LdConfig(44100, channels, 512), packets);
      EXPECT_TRUE(dec.log.empty()) << dec.log.front();
      ASSERT_EQ(dec.pcm.size(), static_cast<size_t>(channels));
      for (int c = 0; c < channels; ++c) {
        const std::vector<double> want = Reference(*layout, frames[c]);
        ASSERT_EQ(dec.pcm[c].size(), want.size());
        EXPECT_LT(WorstError(dec.pcm[c], want, 512), 1e-4)
            << channels << " ch, window " << shape << ", channel " << c;
        double want_energy = 0;
        for (size_t i = 512; i < want.size(); ++i) want_energy += want[i] * want[i];
        const double got_energy = Energy(std::span<const float>(dec.pcm[c]).subspan(512));
        EXPECT_NEAR(got_energy / want_energy, 1.0, 1e-4);
      }
    }
  }
  for (int b = 0; b <= 11; ++b) EXPECT_TRUE(books.count(b)) << "book " << b << " never chosen";
}

// AAC LC (Floe's LC core): the same channel streams in raw_data_block() with element ids and
// END decode as the standard's filterbank says, mono and as a pair with and without mid/side.
TEST(IcsWriter, LcBlocksDecodeAsTheStandardSays) {
  std::mt19937 rng(1024);
  for (int rate : {48000, 24000}) {
    auto layout = LdLayoutFor(rate, 1024);
    ASSERT_TRUE(layout.ok());
    for (int variant = 0; variant < 3; ++variant) {  // mono, pair, pair all mid/side
      const int channels = variant == 0 ? 1 : 2;
      const std::vector<uint8_t> ms(variant == 2 ? static_cast<size_t>(layout->num_swb()) : 0, 1);
      std::vector<std::vector<IcsChannel>> frames(static_cast<size_t>(channels));
      std::vector<std::vector<uint8_t>> packets;
      for (int t = 0; t < 5; ++t) {
        Channels block;
        for (int c = 0; c < channels; ++c) {
          block.push_back(RandomFrame(*layout, 0, rng));
          frames[c].push_back(block.back());
        }
        BitWriter w;
        auto ok = WriteLdRawDataBlock(*layout, block, w, ms);
        ASSERT_TRUE(ok.ok()) << ok.error().message;
        packets.push_back(w.data());
      }
      test_helpers::AacDecodeOptions options;
      options.frame_size = 1024;
      options.log_open = true;
      Decoded dec = test_helpers::DecodeAac(*LcConfig(rate, channels), packets, options);
      EXPECT_TRUE(dec.log.empty()) << dec.log.front();
      EXPECT_EQ(dec.profile, FF_PROFILE_AAC_LOW);
      ASSERT_EQ(dec.pcm.size(), static_cast<size_t>(channels));
      std::vector<std::vector<double>> want;
      for (int c = 0; c < channels; ++c) want.push_back(Reference(*layout, frames[c]));
      if (variant == 2) {
        for (size_t i = 0; i < want[0].size(); ++i) {
          const double m = want[0][i], s = want[1][i];
          want[0][i] = m + s;
          want[1][i] = m - s;
        }
      }
      for (int c = 0; c < channels; ++c) {
        EXPECT_LT(WorstError(dec.pcm[c], want[c], 1024), 1e-4)
            << rate << " Hz, variant " << variant << ", channel " << c;
      }
    }
  }
}

// A frame's dequantised lines in bitstream order (GroupedBandOffsets).
std::vector<double> DequantisedLines(const LdLayout& layout, const IcsChannel& ch) {
  const std::vector<uint16_t> offsets = GroupedBandOffsets(layout, ch.groups);
  std::vector<double> lines(1024, 0.0);
  for (size_t b = 0; b + 1 < offsets.size(); ++b) {
    for (int k = offsets[b]; k < offsets[b + 1]; ++k) {
      const int q = ch.quant[k];
      if (q != 0)
        lines[k] = std::copysign(std::pow(std::abs(q), 4.0 / 3.0), q) *
                   std::pow(2.0, 0.25 * (ch.scalefactors[b] - 100));
    }
  }
  return lines;
}

struct LcFrame {
  int window_sequence = kOnlyLong;
  std::vector<int> groups;
  std::vector<double> lines;  // dequantised, bitstream order
};

// The standard's synthesis of AAC LC frames with block switching (ISO/IEC 14496-3 4.6.11), sine
// windows only: each frame's inverse MDCT (2/N scaled) through the window of its sequence, the
// eight short windows at 448 + 128 w, overlap-added; divided by 32768 as FFmpeg's float output is.
std::vector<double> ReferenceLc(const LdLayout& layout, const std::vector<LcFrame>& frames) {
  const auto imdct = [](const std::vector<double>& spec, int half) {
    const int n = 2 * half;
    std::vector<double> x(static_cast<size_t>(n), 0.0);
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < half; ++k) {
        if (spec[k] == 0) continue;
        x[i] += spec[k] * std::cos(2 * std::numbers::pi / n * (i + (half + 1) / 2.0) * (k + 0.5));
      }
      x[i] *= 2.0 / n / 32768.0;
    }
    return x;
  };
  const auto sine = [](int i, int n) { return std::sin(std::numbers::pi / n * (i + 0.5)); };
  std::vector<double> out, saved(1024, 0.0);
  for (const LcFrame& f : frames) {
    std::vector<double> frame(2048, 0.0);
    if (f.window_sequence == kEightShort) {
      // Undo the interleaving: group by group, band by band, window by window.
      std::vector<std::vector<double>> windows(8, std::vector<double>(128, 0.0));
      int at = 0, first = 0;
      for (int len : f.groups) {
        for (int b = 0; b < layout.num_short_swb(); ++b)
          for (int w = first; w < first + len; ++w)
            for (int k = layout.short_offset[b]; k < layout.short_offset[b + 1]; ++k)
              windows[w][k] = f.lines[at++];
        first += len;
      }
      for (int w = 0; w < 8; ++w) {
        const std::vector<double> x = imdct(windows[w], 128);
        for (int i = 0; i < 256; ++i) frame[448 + 128 * w + i] += x[i] * sine(i, 256);
      }
    } else {
      const std::vector<double> x = imdct(f.lines, 1024);
      for (int i = 0; i < 2048; ++i) {
        double w = sine(i, 2048);
        if (f.window_sequence == kLongStart && i >= 1024)
          w = i < 1472 ? 1 : i < 1600 ? sine(i - 1472 + 128, 256) : 0;
        if (f.window_sequence == kLongStop && i < 1024)
          w = i < 448 ? 0 : i < 576 ? sine(i - 448, 256) : 1;
        frame[i] = x[i] * w;
      }
    }
    for (int i = 0; i < 1024; ++i) {
      out.push_back(saved[i] + frame[i]);
      saved[i] = frame[1024 + i];
    }
  }
  return out;
}

// A random EIGHT_SHORT frame of `groups`: every coded band of every group draws a peak and a
// scalefactor as RandomFrame's do.
IcsChannel RandomShortFrame(const LdLayout& layout, std::vector<int> groups, std::mt19937& rng) {
  const int peaks[] = {0, 1, 2, 4, 7, 12, 16, 40, 300, 8191};
  IcsChannel ch = Silent(layout, 0);
  ch.window_sequence = kEightShort;
  ch.groups = std::move(groups);
  const std::vector<uint16_t> offsets = GroupedBandOffsets(layout, ch.groups);
  const int bands = layout.num_short_swb();
  ch.max_sfb = bands - static_cast<int>(rng() % 3);
  ch.scalefactors.assign(offsets.size() - 1, 100);
  int sf = 60 + static_cast<int>(rng() % 60);
  for (size_t b = 0; b + 1 < offsets.size(); ++b) {
    const int peak = peaks[rng() % std::size(peaks)];
    if (peak == 0 || static_cast<int>(b) % bands >= ch.max_sfb) continue;
    sf = std::clamp(sf + static_cast<int>(rng() % 41) - 20, 40, 140);
    ch.scalefactors[b] = sf;
    for (int k = offsets[b]; k < offsets[b + 1]; ++k) {
      const int a = static_cast<int>(rng() % static_cast<unsigned>(peak + 1));
      ch.quant[k] = rng() % 2 ? -a : a;
    }
  }
  return ch;
}

// Block switching: long, start, short (grouped four ways), stop and long frames, mono and as a
// common-window pair with mid/side in random bands, decode in FFmpeg sample for sample as the
// standard's filterbank says; the bits counted are the bits written.
TEST(IcsWriter, ShortWindowsAndTransitionsDecodeAsTheStandardSays) {
  std::mt19937 rng(8);
  const std::vector<std::vector<int>> groupings = {
      {8}, {3, 1, 4}, {1, 1, 1, 1, 1, 1, 1, 1}, {2, 6}};
  const int sequences[] = {kOnlyLong,   kLongStart,  kEightShort, kEightShort,
                           kEightShort, kEightShort, kLongStop,   kOnlyLong};
  for (int rate : {48000, 24000, 16000}) {
    auto layout = LdLayoutFor(rate, 1024);
    ASSERT_TRUE(layout.ok());
    for (int channels : {1, 2}) {
      std::vector<std::vector<LcFrame>> frames(static_cast<size_t>(channels));
      std::vector<std::vector<uint8_t>> packets;
      int shorts = 0;
      for (int seq : sequences) {
        std::vector<int> groups;
        if (seq == kEightShort) groups = groupings[shorts++];
        Channels block;
        for (int c = 0; c < channels; ++c) {
          IcsChannel ch = seq == kEightShort ? RandomShortFrame(*layout, groups, rng)
                                             : RandomFrame(*layout, 0, rng);
          ch.window_sequence = seq;
          block.push_back(ch);
        }
        const std::vector<uint16_t> offsets = GroupedBandOffsets(*layout, groups);
        std::vector<uint8_t> ms;
        if (channels == 2) {
          ms.resize(offsets.size() - 1);
          for (auto& m : ms) m = static_cast<uint8_t>(rng() % 2);
        }
        BitWriter w;
        auto ok = WriteLdRawDataBlock(*layout, block, w, ms);
        ASSERT_TRUE(ok.ok()) << ok.error().message;
        auto counted = CountElementBits(*layout, block, ms);
        ASSERT_TRUE(counted.ok());
        EXPECT_EQ(w.data().size(), static_cast<size_t>((*counted + 7) / 8));
        packets.push_back(w.data());
        std::vector<LcFrame> coded;
        for (int c = 0; c < channels; ++c)
          coded.push_back({seq, groups, DequantisedLines(*layout, block[c])});
        // The decoder gives back L = M + S and R = M - S in the mid/side bands.
        for (size_t b = 0; b < ms.size(); ++b) {
          if (!ms[b]) continue;
          for (int k = offsets[b]; k < offsets[b + 1]; ++k) {
            const double m = coded[0].lines[k], side = coded[1].lines[k];
            coded[0].lines[k] = m + side;
            coded[1].lines[k] = m - side;
          }
        }
        for (int c = 0; c < channels; ++c) frames[c].push_back(coded[c]);
      }
      test_helpers::AacDecodeOptions options;
      options.frame_size = 1024;
      options.log_open = true;
      Decoded dec = test_helpers::DecodeAac(*LcConfig(rate, channels), packets, options);
      EXPECT_TRUE(dec.log.empty()) << dec.log.front();
      ASSERT_EQ(dec.pcm.size(), static_cast<size_t>(channels));
      for (int c = 0; c < channels; ++c) {
        EXPECT_LT(WorstError(dec.pcm[c], ReferenceLc(*layout, frames[c]), 1024), 1e-4)
            << rate << " Hz, " << channels << " channels, channel " << c;
      }
    }
  }
}

// Short windows are refused where the bitstream cannot carry them: in LD, with groups that do
// not cover eight windows, with groups on a long window, and in a pair whose windows differ.
TEST(IcsWriter, RefusesShortWindowsThatDoNotFit) {
  auto lc = LdLayoutFor(48000, 1024);
  auto ld = LdLayoutFor(48000, 512);
  ASSERT_TRUE(lc.ok() && ld.ok());
  std::mt19937 rng(3);
  const auto code = [](const core::Result<int>& r) { return r.ok() ? "" : r.error().code; };
  IcsChannel ld_short = Silent(*ld, 0);
  ld_short.window_sequence = kLongStart;
  EXPECT_EQ(code(CountIcsBits(*ld, ld_short)), "InvalidParam.Ics.WindowSequence");
  IcsChannel seven = RandomShortFrame(*lc, {3, 4}, rng);
  seven.groups = {3, 3};
  EXPECT_EQ(code(CountIcsBits(*lc, seven)), "InvalidParam.Ics.Groups");
  IcsChannel long_groups = Silent(*lc, 0);
  long_groups.groups = {8};
  EXPECT_EQ(code(CountIcsBits(*lc, long_groups)), "InvalidParam.Ics.Groups");
  IcsChannel wide = RandomShortFrame(*lc, {8}, rng);
  wide.max_sfb = 15;  // 14 short bands at 48 kHz
  EXPECT_EQ(code(CountIcsBits(*lc, wide)), "InvalidParam.Ics.MaxSfb");
  const IcsChannel a = RandomShortFrame(*lc, {4, 4}, rng), b = RandomShortFrame(*lc, {8}, rng);
  const std::vector<uint8_t> ms(GroupedBandOffsets(*lc, a.groups).size() - 1, 0);
  EXPECT_EQ(code(CountElementBits(*lc, Channels{a, b}, ms)), "InvalidParam.Ics.WindowShape");
  EXPECT_TRUE(CountElementBits(*lc, Channels{a, a}, ms).ok());
}

TEST(IcsWriter, CountedBitsAreTheBitsWritten) {
  std::mt19937 rng(7);
  for (int frame_length : {512, 480, 1024}) {
    for (int rate : {48000, 32000, 22050}) {
      auto layout = LdLayoutFor(rate, frame_length);
      ASSERT_TRUE(layout.ok());
      for (int round = 0; round < 20; ++round) {
        IcsChannel ch = RandomFrame(*layout, static_cast<int>(rng() % 2), rng);
        if (round == 0) ch = Silent(*layout, 1);  // nothing coded
        if (round == 1) {  // one long section: the section length needs its escape
          ch = Silent(*layout, 1);
          for (int& q : ch.quant) q = 1;
        }
        auto counted = CountIcsBits(*layout, ch);
        ASSERT_TRUE(counted.ok()) << counted.error().message;
        EXPECT_EQ(*counted, WrittenIcsBits(*layout, ch)) << rate << "/" << frame_length;
        // Never worse than one section per band with the band's cheapest book.
        int naive = 8 + 11 + 3, last = -1;
        for (int b = 0; b < ch.max_sfb; ++b) {
          const std::span<const int> q(ch.quant.data() + layout->swb_offset[b],
                                       layout->swb_offset[b + 1] - layout->swb_offset[b]);
          naive += 9 + BandBits(q);
          if (BandBits(q) == 0) continue;
          const int sf = ch.scalefactors[b];
          naive += ScalefactorCode(last < 0 ? 0 : sf - last).length;
          last = sf;
        }
        EXPECT_LE(*counted, naive);
      }
    }
  }
}

// A pair with a common window: with every band mid/side the decoder gives back L = M + S and
// R = M - S, with none each channel as coded; the two channels' max_sfb differ (the element
// takes the larger), and the bits counted are the bits written (before the byte alignment).
TEST(IcsWriter, ACommonWindowPairDecodesMidSideAsTheStandardSays) {
  std::mt19937 rng(4242);
  auto layout = LdLayoutFor(44100, 512);
  ASSERT_TRUE(layout.ok());
  for (bool all_ms : {true, false}) {
    const std::vector<uint8_t> ms(static_cast<size_t>(layout->num_swb()), all_ms ? 1 : 0);
    std::vector<IcsChannel> mid, side;
    std::vector<std::vector<uint8_t>> packets;
    for (int t = 0; t < 6; ++t) {
      Channels pair{RandomFrame(*layout, 0, rng), RandomFrame(*layout, 0, rng)};
      pair[1].max_sfb = std::min(pair[1].max_sfb, 20);  // lines above it cleared below
      for (size_t k = layout->swb_offset[20]; k < pair[1].quant.size(); ++k) pair[1].quant[k] = 0;
      mid.push_back(pair[0]);
      side.push_back(pair[1]);
      BitWriter w;
      auto ok = WriteLdRawDataBlock(*layout, pair, w, ms);
      ASSERT_TRUE(ok.ok()) << ok.error().message;
      auto counted = CountElementBits(*layout, pair, ms);
      ASSERT_TRUE(counted.ok());
      EXPECT_EQ(w.data().size(), static_cast<size_t>((*counted + 7) / 8));
      packets.push_back(w.data());
    }
    Decoded dec = Decode(*LdConfig(44100, 2, 512), packets);
    EXPECT_TRUE(dec.log.empty()) << dec.log.front();
    ASSERT_EQ(dec.pcm.size(), 2u);
    const std::vector<double> m = Reference(*layout, mid), s = Reference(*layout, side);
    std::vector<double> left(m.size()), right(m.size());
    for (size_t i = 0; i < m.size(); ++i) {
      left[i] = all_ms ? m[i] + s[i] : m[i];
      right[i] = all_ms ? m[i] - s[i] : s[i];
    }
    EXPECT_LT(WorstError(dec.pcm[0], left, 512), 1e-4) << "ms " << all_ms;
    EXPECT_LT(WorstError(dec.pcm[1], right, 512), 1e-4) << "ms " << all_ms;
  }
}

TEST(IcsWriter, RefusesMidSideThatDoesNotFit) {
  auto layout = LdLayoutFor(48000, 512);
  ASSERT_TRUE(layout.ok());
  const std::vector<uint8_t> ms(static_cast<size_t>(layout->num_swb()), 1);
  BitWriter w;
  auto mono = WriteLdRawDataBlock(*layout, Channels{Silent(*layout, 0)}, w, ms);
  ASSERT_FALSE(mono.ok());
  EXPECT_EQ(mono.error().code, "InvalidParam.Ics.MidSide");
  auto shapes =
      WriteLdRawDataBlock(*layout, Channels{Silent(*layout, 0), Silent(*layout, 1)}, w, ms);
  ASSERT_FALSE(shapes.ok());
  EXPECT_EQ(shapes.error().code, "InvalidParam.Ics.WindowShape");
  const std::vector<uint8_t> short_ms(3, 1);
  auto few =
      WriteLdRawDataBlock(*layout, Channels{Silent(*layout, 0), Silent(*layout, 0)}, w, short_ms);
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error().code, "InvalidParam.Ics.MidSide");
  EXPECT_EQ(w.bits(), 0u);
}

TEST(IcsWriter, BandBitsIsTheCheapestBook) {
  const std::vector<int> zeros(16, 0);
  EXPECT_EQ(BandBits(zeros), 0);
  std::mt19937 rng(11);
  for (int peak : {1, 2, 4, 7, 12, 16, 1000}) {
    std::vector<int> q(16);
    for (int& v : q)
      v = static_cast<int>(rng() % static_cast<unsigned>(peak + 1)) * (rng() % 2 ? -1 : 1);
    q[5] = peak;
    const int bits = BandBits(q);
    bool found = false;
    for (int b = 1; b <= 11; ++b) {
      const int s = SpectralBits(b, q);
      if (s < 0) continue;
      EXPECT_LE(bits, s) << "peak " << peak << " book " << b;
      found = found || s == bits;
    }
    EXPECT_TRUE(found) << "peak " << peak;
  }
  EXPECT_EQ(BandBits(std::vector<int>{0, 0, 8192, 0}), -1);
}

TEST(IcsWriter, RefusesWhatTheBitstreamCannotCarry) {
  auto layout = LdLayoutFor(48000, 512);
  ASSERT_TRUE(layout.ok());
  auto refused = [&](const IcsChannel& ch, const std::string& field) {
    BitWriter w;
    auto ok = WriteLdRawDataBlock(*layout, Channels{Silent(*layout, 1), ch}, w);
    EXPECT_FALSE(ok.ok());
    if (!ok.ok()) {
      EXPECT_EQ(ok.error().code, "InvalidParam.Ics." + field) << ok.error().message;
    }
    EXPECT_EQ(w.bits(), 0u);  // nothing written
    EXPECT_FALSE(CountIcsBits(*layout, ch).ok());
  };
  IcsChannel ch = Silent(*layout, 1);
  ch.quant[0] = 1;
  ch.quant[40] = 1;  // band 10
  ch.scalefactors[0] = 100;
  ch.scalefactors[10] = 161;
  refused(ch, "Scalefactors");  // delta 61
  ch.scalefactors[10] = 160;
  EXPECT_TRUE(CountIcsBits(*layout, ch).ok());  // delta 60
  ch.quant[3] = -8192;
  refused(ch, "Quant");
  ch.quant[3] = -8191;
  EXPECT_TRUE(CountIcsBits(*layout, ch).ok());
  ch.max_sfb = 10;  // line 40 is above band 10's start
  refused(ch, "Quant");
  ch.max_sfb = 37;
  refused(ch, "MaxSfb");
  ch.max_sfb = 36;
  ch.scalefactors[10] = 256;
  refused(ch, "Scalefactors");
  ch.scalefactors.resize(5);
  refused(ch, "Scalefactors");
  BitWriter w;
  EXPECT_FALSE(WriteLdRawDataBlock(*layout, Channels{}, w).ok());
}

}  // namespace
}  // namespace floe::media::aac
