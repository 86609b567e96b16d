// LdAacEncoder end to end: FFmpeg's own decoder reads its packets as clean AAC-LD, the decoded
// audio matches the input at the stated SNR once placed by the packets' pts, and the rate meets
// the target.
#include "media/aac/ld_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>

#include "media/aac/decode_helpers.h"
#include "media/encoder.h"

namespace floe::media::aac {
namespace {

using Planar = std::vector<std::vector<float>>;

constexpr int kRate = 44100;
constexpr int kN = 512;

struct Encoded {
  std::vector<std::vector<uint8_t>> packets;
  std::vector<int64_t> pts, duration;
  std::vector<uint8_t> extradata;
  int profile = 0, frame_size = 0;
};

// Feeds `in` in frames of 1000 samples (not a multiple of N: the fifo regroups them).
Encoded Encode(const LdAacSettings& s, const Planar& in, int64_t first_pts = 0) {
  Encoded out;
  auto e = LdAacEncoder::Open(s);
  EXPECT_TRUE(e.ok()) << e.error().message;
  if (!e.ok()) return out;
  LdAacEncoder& enc = **e;
  const AVCodecContext* face = enc.context();
  out.extradata.assign(face->extradata, face->extradata + face->extradata_size);
  out.profile = face->profile;
  out.frame_size = face->frame_size;
  auto sink = [&](AVPacket* p) {
    out.packets.emplace_back(p->data, p->data + p->size);
    out.pts.push_back(p->pts);
    out.duration.push_back(p->duration);
  };
  test_helpers::EncodePlanar(enc, in, s.sample_rate, s.channels, 1000, first_pts, sink);
  return out;
}

using Decoded = test_helpers::AacDecoded;

// container_rate: what a demuxer sets before opening the decoder. FFmpeg 5.1's ER AAC path never
// sets the rate itself (AAC-NOTES 4: from FLV it is the flag's 44100); 0 leaves it unset.
Decoded Decode(const std::vector<uint8_t>& extradata,
               const std::vector<std::vector<uint8_t>>& packets, int container_rate = kRate) {
  return test_helpers::DecodeAac(
      extradata, packets, {.container_rate = container_rate, .frame_size = kN, .log_open = true});
}

// A few tones per channel (a chord with some upper partials), at about -9 dBFS in all.
Planar Tones(int channels, int samples) {
  Planar x(channels, std::vector<float>(samples));
  for (int ch = 0; ch < channels; ++ch) {
    for (int i = 0; i < samples; ++i) {
      const double t = static_cast<double>(i) / kRate;
      double v = 0;
      for (double f : {196.0, 440.0 + 5 * ch, 659.3, 1318.5, 2637.0, 5274.0})
        v += 0.06 * std::sin(2 * std::numbers::pi * f * t);
      x[ch][i] = static_cast<float>(v);
    }
  }
  return x;
}

// Noise falling off above ~3 kHz (two one-pole lowpasses), about -20 dBFS: nothing in it is
// predictable, and nearly all of it lies below every rate's cutoff, so the SNR is the coder's.
Planar Noise(int channels, int samples) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> uni(-0.6F, 0.6F);
  const double a = std::exp(-2 * std::numbers::pi * 3000 / kRate);
  Planar x(channels, std::vector<float>(samples));
  for (auto& c : x) {
    double y1 = 0, y2 = 0;
    for (float& v : c) {
      y1 = a * y1 + (1 - a) * uni(rng);
      y2 = a * y2 + (1 - a) * y1;
      v = static_cast<float>(y2);
    }
  }
  return x;
}

struct Measured {
  double snr_db = 0, bps = 0;
};

// Encodes, decodes and compares: decoded sample j is at time pts[0] + j, so it is matched with
// input sample pts[0] + j (no search: a wrong pts shows as a bad SNR).
Measured EncodeDecodeCompare(const LdAacSettings& s, const Planar& in) {
  Measured m;
  Encoded enc = Encode(s, in);
  EXPECT_EQ(enc.profile, FF_PROFILE_AAC_LD);
  EXPECT_EQ(enc.frame_size, kN);
  const size_t samples = in[0].size();
  EXPECT_EQ(enc.packets.size(), (samples + kN - 1) / kN + 1);
  EXPECT_EQ(enc.pts.front(), -kN);
  for (size_t i = 1; i < enc.pts.size(); ++i) EXPECT_EQ(enc.pts[i] - enc.pts[i - 1], kN);
  EXPECT_EQ(enc.duration.front(), kN);

  Decoded dec = Decode(enc.extradata, enc.packets);
  EXPECT_TRUE(dec.log.empty()) << dec.log.front();
  EXPECT_EQ(dec.profile, FF_PROFILE_AAC_LD);
  EXPECT_EQ(dec.sample_rate, s.sample_rate);  // see FfmpegLeavesTheRateToTheContainer
  EXPECT_EQ(dec.channels, s.channels);
  EXPECT_EQ(dec.frames, static_cast<int>(enc.packets.size()));
  EXPECT_EQ(dec.odd_frames, 0);
  if (dec.pcm.size() != static_cast<size_t>(s.channels)) return m;

  // Skip the first and last 0.1 s (the start-up frame and the padded tail).
  double signal = 0, noise = 0;
  const int64_t offset = -enc.pts.front();
  for (int ch = 0; ch < s.channels; ++ch) {
    for (size_t i = kRate / 10; i + kRate / 10 < samples; ++i) {
      const double x = in[ch][i], y = dec.pcm[ch][i + offset];
      signal += x * x;
      noise += (x - y) * (x - y);
    }
  }
  m.snr_db = 10 * std::log10(signal / noise);
  size_t bytes = 0;
  for (const auto& p : enc.packets) bytes += p.size();
  m.bps = static_cast<double>(bytes) * 8 * kRate / (static_cast<double>(enc.packets.size()) * kN);
  EXPECT_NEAR(m.bps, static_cast<double>(s.bit_rate), 0.1 * static_cast<double>(s.bit_rate));
  return m;
}

void Report(const char* what, const LdAacSettings& s, const Measured& m) {
  std::printf("LD %s %d ch %lld bit/s: SNR %.1f dB, %.0f bit/s (%+.1f %%)\n", what, s.channels,
              static_cast<long long>(s.bit_rate), m.snr_db, m.bps,
              100.0 * (m.bps / static_cast<double>(s.bit_rate) - 1));
}

TEST(LdAacEncoderTest, StereoTonesDecodeCleanlyAsLdAtEveryRate) {
  const Planar in = Tones(2, 2 * kRate);
  // Floors: the measured SNR (25.7, 32.9, 39.7 dB) less about 3 dB. Before mid/side and the
  // 3GPP-style threshold reduction: 15.3, 24.2, 30.1 dB (16.5, 24.2, 30.1 with the reduction
  // alone).
  const std::pair<int64_t, double> cases[] = {{64000, 22.0}, {96000, 29.0}, {128000, 36.0}};
  for (const auto& [rate, floor_db] : cases) {
    LdAacSettings s{kRate, 2, rate, kN};
    Measured m = EncodeDecodeCompare(s, in);
    Report("tones", s, m);
    EXPECT_GE(m.snr_db, floor_db) << rate;
  }
}

// One source panned a little left (0.85 / 0.52): its side is 12 dB under its mid, so coding the
// pair as mid/side needs fewer bits for the same noise. Measured 19.3 dB; 16.6 with left/right
// only.
TEST(LdAacEncoderTest, APannedSourceCodesBetterAsMidSide) {
  Planar in = Tones(1, 2 * kRate);
  in.push_back(in[0]);
  for (size_t i = 0; i < in[0].size(); ++i) {
    in[0][i] *= 0.85F;
    in[1][i] *= 0.52F;
  }
  LdAacSettings s{kRate, 2, 64000, kN};
  Measured m = EncodeDecodeCompare(s, in);
  Report("panned tones", s, m);
  EXPECT_GE(m.snr_db, 18.0);
}

TEST(LdAacEncoderTest, StereoNoiseKeepsTheRate) {
  LdAacSettings s{kRate, 2, 96000, kN};
  Measured m = EncodeDecodeCompare(s, Noise(2, 2 * kRate));
  Report("noise", s, m);
  // Measured 4.3 dB: ~1.3 bits per coded line leave little SNR on noise, and the model spends
  // them where noise masks noise (6 dB below it), not on SNR.
  EXPECT_GE(m.snr_db, 3.0);
}

TEST(LdAacEncoderTest, MonoAt48kbitDecodesCleanly) {
  LdAacSettings s{kRate, 1, 48000, kN};
  Measured tones = EncodeDecodeCompare(s, Tones(1, 2 * kRate));
  Report("tones", s, tones);
  EXPECT_GE(tones.snr_db, 21.0);  // measured 24.5
  Measured noise = EncodeDecodeCompare(s, Noise(1, 2 * kRate));
  Report("noise", s, noise);
  EXPECT_GE(noise.snr_db, 3.0);  // measured 4.3
}

// The edges of what encode_settings lets through: 32 kbit/s mono, 128 kbit/s per channel stereo.
TEST(LdAacEncoderTest, ReachesTheEdgesOfItsRateRange) {
  for (auto [channels, rate] : {std::pair{1, int64_t{32000}}, {2, int64_t{256000}}}) {
    LdAacSettings s{kRate, channels, rate, kN};
    Measured tones = EncodeDecodeCompare(s, Tones(channels, kRate));
    Report("tones", s, tones);
    Measured noise = EncodeDecodeCompare(s, Noise(channels, kRate));
    Report("noise", s, noise);
    // Measured 15.1 / 1.9 dB at 32 kbit/s mono, 46.7 / 17.0 dB at 256 kbit/s stereo.
    EXPECT_GE(tones.snr_db, rate == 32000 ? 12.0 : 43.0);
    EXPECT_GE(noise.snr_db, rate == 32000 ? 1.0 : 14.0);
  }
}

// Clicks over the tones: broadband and sudden, the hardest input for one long window. They
// decode cleanly, and the error in the 10 ms before each (pre-echo) stays under the tones.
TEST(LdAacEncoderTest, ClicksDecodeCleanlyWithLittlePreEcho) {
  Planar in = Tones(2, 2 * kRate);
  for (int at = 3000; at < 2 * kRate; at += 4410) {
    for (int ch = 0; ch < 2; ++ch) {
      for (int i = 0; i < 200; ++i)
        in[ch][at + i] += 0.4F * std::exp(-i / 30.0F) * (i % 2 ? 1 : -1);
    }
  }
  LdAacSettings s{kRate, 2, 96000, kN};
  Measured m = EncodeDecodeCompare(s, in);
  Report("tones+clicks", s, m);
  EXPECT_GE(m.snr_db, 9.0);  // measured 12.0 (clicks are broadband: costly to code)

  // Pre-echo: the error in the 10 ms before each click, against the tones' level there.
  Encoded enc = Encode(s, in);
  Decoded dec = Decode(enc.extradata, enc.packets);
  ASSERT_EQ(dec.pcm.size(), 2u);
  const Planar tones = Tones(2, 2 * kRate);
  double err = 0, ref = 0;
  for (int at = 3000; at < 2 * kRate; at += 4410) {
    for (int i = at - 441; i < at; ++i) {
      const double d = in[0][i] - dec.pcm[0][i + kN];
      err += d * d;
      ref += static_cast<double>(tones[0][i]) * tones[0][i];
    }
  }
  const double pre_echo_db = 10 * std::log10(err / ref);
  std::printf("LD pre-echo before clicks: %.1f dB under the tones\n", -pre_echo_db);
  EXPECT_LT(pre_echo_db, -9.5);  // measured -12.8
}

// window_sequence of an LC packet: after id_syn_ele (3) and the tag (4), an SCE has global_gain
// (8) before its ics_info, a CPE common_window (1, always set by Floe's core for a pair).
int WindowSequenceOf(const std::vector<uint8_t>& packet, int channels) {
  BitReader r(packet);
  r.Skip(3 + 4 + (channels == 2 ? 1 : 8) + 1);
  return static_cast<int>(r.Get(2));
}

// A quiet tone with loud noise bursts: what block switching is for.
Planar ToneAndBursts(int channels, int rate, int samples, std::vector<int>& onsets) {
  Planar x(channels, std::vector<float>(samples));
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> uni(-0.5F, 0.5F);
  for (int i = 0; i < samples; ++i) {
    const float tone = 0.01F * static_cast<float>(std::sin(2 * std::numbers::pi * 440 * i / rate));
    for (auto& c : x) c[i] = tone;
  }
  for (int at = rate / 4 + 123; at + rate / 10 < samples; at += rate * 37 / 100) {
    onsets.push_back(at);
    for (int i = 0; i < rate / 10; ++i) {
      const float env = std::exp(-static_cast<float>(i) / (0.02F * static_cast<float>(rate)));
      for (auto& c : x) c[at + i] += env * uni(rng);
    }
  }
  return x;
}

// AAC LC (Floe's core, as the HE core at 24 kHz): on attacks it switches to eight short windows
// (through LONG_START and LONG_STOP, which the decoder must take without a warning), and the
// noise before each burst falls by far against long windows only; between bursts it stays long.
TEST(LdAacEncoderTest, LcShortWindowsOnAttacksCutThePreEcho) {
  constexpr int kLcRate = 24000;
  for (int channels : {1, 2}) {
    std::vector<int> onsets;
    const Planar in = ToneAndBursts(channels, kLcRate, 4 * kLcRate, onsets);
    double pre_echo_db[2] = {0, 0};
    for (bool switching : {false, true}) {
      LdAacSettings s{kLcRate, channels, 16000 * channels, 1024};
      s.block_switching = switching;
      Encoded enc = Encode(s, in);
      ASSERT_FALSE(enc.packets.empty());
      EXPECT_EQ(enc.pts.front(), -1024);  // the lookahead delays packets, not what they decode
      int sequences[4] = {0, 0, 0, 0};
      for (const auto& p : enc.packets) ++sequences[WindowSequenceOf(p, channels)];
      Decoded dec = test_helpers::DecodeAac(enc.extradata, enc.packets,
                                            {.frame_size = 1024, .log_open = true});
      EXPECT_TRUE(dec.log.empty()) << dec.log.front();
      EXPECT_EQ(dec.profile, FF_PROFILE_AAC_LOW);
      EXPECT_EQ(dec.frames, static_cast<int>(enc.packets.size()));
      ASSERT_EQ(dec.pcm.size(), static_cast<size_t>(channels));
      size_t bytes = 0;
      for (const auto& p : enc.packets) bytes += p.size();
      const double bps = static_cast<double>(bytes) * 8 * kLcRate / (enc.packets.size() * 1024.0);
      EXPECT_NEAR(bps, 16000.0 * channels, 1600.0 * channels);
      // The error in the 20 ms before each onset (the last millisecond left out), against the
      // tone's level there.
      double err = 0, ref = 0;
      for (int at : onsets) {
        for (int i = at - kLcRate / 50; i < at - kLcRate / 1000; ++i) {
          for (int c = 0; c < channels; ++c) {
            const double d = in[c][i] - dec.pcm[c][i + 1024];
            err += d * d;
            ref += static_cast<double>(in[c][i]) * in[c][i];
          }
        }
      }
      pre_echo_db[switching] = 10 * std::log10(err / ref);
      std::printf(
          "LC %d ch 16 kbit/s a channel, block switching %s: %d long, %d start, %d short, "
          "%d stop; noise before bursts %+.1f dB against the tone, %.0f bit/s\n",
          channels, switching ? "on" : "off", sequences[0], sequences[1], sequences[2],
          sequences[3], pre_echo_db[switching], bps);
      if (!switching) {
        EXPECT_EQ(sequences[0], static_cast<int>(enc.packets.size()));
        continue;
      }
      // Every burst is one or two short frames (an onset near a frame's edge reaches both),
      // each after a start and before a stop.
      const int bursts = static_cast<int>(onsets.size());
      EXPECT_GE(sequences[2], bursts);
      EXPECT_LE(sequences[2], 2 * bursts);
      EXPECT_EQ(sequences[1], bursts);
      EXPECT_EQ(sequences[3], bursts);
    }
    EXPECT_LT(pre_echo_db[1], pre_echo_db[0] - 6.0) << channels << " channels";
  }
}

// An impulse comes out of the decoder N samples late (the overlap), which the first packet's pts
// of -N takes back: on the timeline the decoded peak sits where the input's was.
TEST(LdAacEncoderTest, ImpulseDecodesOneFrameLateAndPtsPutsItBackInPlace) {
  for (int at : {5000, 5000 + 3 * kN + 100}) {
    Planar in(1, std::vector<float>(kRate / 2, 0.0F));
    in[0][at] = 0.9F;
    LdAacSettings s{kRate, 1, 64000, kN};
    Encoded enc = Encode(s, in, 1000);
    Decoded dec = Decode(enc.extradata, enc.packets);
    ASSERT_EQ(dec.pcm.size(), 1u);
    size_t peak = 0;
    for (size_t i = 0; i < dec.pcm[0].size(); ++i)
      if (std::fabs(dec.pcm[0][i]) > std::fabs(dec.pcm[0][peak])) peak = i;
    const int64_t delay = static_cast<int64_t>(peak) - at;
    const int64_t on_timeline = enc.pts.front() + static_cast<int64_t>(peak) - 1000;
    std::printf("LD impulse at %d: decoded at %zu (delay %lld samples), pts places it at %lld\n",
                at, peak, static_cast<long long>(delay), static_cast<long long>(on_timeline));
    EXPECT_GT(dec.pcm[0][peak], 0.0F);  // same polarity
    EXPECT_NEAR(static_cast<double>(delay), kN, 2);
    EXPECT_NEAR(static_cast<double>(on_timeline), at, 2);
  }
}

// Every LD packet stands alone: a decoder that joins mid-stream decodes cleanly at once.
TEST(LdAacEncoderTest, JoiningMidStreamDecodesCleanly) {
  LdAacSettings s{kRate, 2, 64000, kN};
  Encoded enc = Encode(s, Tones(2, kRate));
  for (size_t join : {7u, 30u}) {
    std::vector<std::vector<uint8_t>> tail(enc.packets.begin() + join, enc.packets.end());
    Decoded dec = Decode(enc.extradata, tail);
    EXPECT_TRUE(dec.log.empty()) << "join at " << join << ": " << dec.log.front();
    EXPECT_EQ(dec.frames, static_cast<int>(tail.size()));
  }
}

TEST(LdAacEncoderTest, FfmpegLeavesTheRateToTheContainer) {
  LdAacSettings s{kRate, 1, 64000, kN};
  Encoded enc = Encode(s, Tones(1, kRate / 4));
  Decoded dec = Decode(enc.extradata, enc.packets, 0);
  EXPECT_EQ(dec.profile, FF_PROFILE_AAC_LD);
  EXPECT_EQ(dec.channels, 1);
  EXPECT_EQ(dec.sample_rate, 0);  // why FLV (whose flag says 44 kHz) decodes LD at 44100 only
}

// The media engine's Encoder opens this encoder for "floe_aac_ld" and hands out its face.
TEST(LdAacEncoderTest, MediaEncoderRoutesFloeAacLdHere) {
  AudioSettings a;
  a.encoder = kFloeLdAacEncoder;
  a.bitrate = 96000;
  a.sample_rate = kRate;
  a.channels = 2;
  a.aac_profile = FF_PROFILE_AAC_LD;
  auto e = Encoder::OpenAudio(a);
  ASSERT_TRUE(e.ok()) << e.error().message;
  Encoder& enc = **e;
  EXPECT_EQ(enc.context()->profile, FF_PROFILE_AAC_LD);
  EXPECT_EQ(enc.context()->frame_size, kN);
  EXPECT_EQ(enc.context()->sample_rate, kRate);
  EXPECT_EQ(enc.time_base().den, kRate);
  const Planar in = Tones(2, 3 * kN);
  FramePtr f = NewFrame();
  f->format = AV_SAMPLE_FMT_FLTP;
  f->nb_samples = 3 * kN;
  f->sample_rate = kRate;
  f->pts = 0;
  av_channel_layout_default(&f->ch_layout, 2);
  ASSERT_EQ(av_frame_get_buffer(f.get(), 0), 0);
  for (int ch = 0; ch < 2; ++ch) std::memcpy(f->data[ch], in[ch].data(), sizeof(float) * 3 * kN);
  std::vector<int64_t> pts;
  auto sink = [&](AVPacket* p) { pts.push_back(p->pts); };
  ASSERT_TRUE(enc.Encode(f.get(), sink).ok());
  ASSERT_TRUE(enc.Encode(nullptr, sink).ok());
  EXPECT_EQ(pts, (std::vector<int64_t>{-kN, 0, kN, 2 * kN}));
}

// Garbage from upstream (NaN, infinities, absurd levels) still gives valid packets.
TEST(LdAacEncoderTest, NonFiniteAndHugeSamplesStillEncode) {
  Planar in = Tones(1, 4 * kN);
  in[0][100] = std::numeric_limits<float>::quiet_NaN();
  in[0][700] = std::numeric_limits<float>::infinity();
  in[0][1300] = -1e30F;
  LdAacSettings s{kRate, 1, 64000, kN};
  Encoded enc = Encode(s, in);
  EXPECT_EQ(enc.packets.size(), 5u);
  Decoded dec = Decode(enc.extradata, enc.packets);
  EXPECT_TRUE(dec.log.empty()) << dec.log.front();
  EXPECT_EQ(dec.frames, 5);
}

TEST(LdAacEncoderTest, RefusesWhatFfmpegCannotDecode) {
  EXPECT_FALSE(LdAacEncoder::Open({kRate, 3, 64000, kN}).ok());
  EXPECT_FALSE(LdAacEncoder::Open({kRate, 2, 64000, 480}).ok());
  EXPECT_FALSE(LdAacEncoder::Open({16000, 2, 64000, kN}).ok());
}

}  // namespace
}  // namespace floe::media::aac
