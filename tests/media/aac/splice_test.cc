// The SBR FIL splice: bit-exact on hand-made packets, its refusals, and FFmpeg's native LC
// encoder + spliced SBR decoding as HE-AAC in FFmpeg's own decoder.
#include "media/aac/splice.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <string>

#include "media/aac/asc.h"
#include "media/aac/decode_helpers.h"
#include "media/aac/log_capture.h"
#include "media/ffmpeg.h"

namespace floe::media::aac {
namespace {

using Bytes = std::vector<uint8_t>;

// A raw block of `prefix_bits` deterministic pseudo-random bits (standing for the channel
// elements), then END and zero padding.
Bytes Packet(size_t prefix_bits, uint32_t seed) {
  BitWriter w;
  for (size_t i = 0; i < prefix_bits; ++i) {
    seed = seed * 1103515245U + 12345U;
    w.PutBit((seed >> 16) & 1U);
  }
  w.Put(7, 3);
  w.AlignZero();
  return w.data();
}

BitWriter Payload(size_t bits) {
  BitWriter w;
  for (size_t i = 0; i < bits; ++i) w.PutBit(i % 3 == 0);
  return w;
}

// Reads `out` back field by field: the first `prefix_bits` bits of `packet`, FIL, count,
// EXT_SBR_DATA, `payload`, zero fill, END, zero padding and nothing else.
void ExpectSpliced(const Bytes& out, const Bytes& packet, size_t prefix_bits,
                   const BitWriter& payload) {
  BitReader r(out);
  BitReader original(packet);
  for (size_t i = 0; i < prefix_bits; ++i) ASSERT_EQ(r.Get(1), original.Get(1)) << "bit " << i;
  EXPECT_EQ(r.Get(3), 6u);  // ID_FIL
  size_t count = r.Get(4);
  if (count == 15) count += r.Get(8) - 1;
  size_t payload_bytes = (4 + payload.bits() + 7) / 8;
  EXPECT_EQ(count, payload_bytes);
  size_t fil_start = r.position();
  EXPECT_EQ(r.Get(4), kExtSbrData);
  BitReader expected(payload.data(), payload.bits());
  for (size_t i = 0; i < payload.bits(); ++i) ASSERT_EQ(r.Get(1), expected.Get(1)) << "bit " << i;
  while (r.position() < fil_start + 8 * count) EXPECT_EQ(r.Get(1), 0u);
  EXPECT_EQ(r.Get(3), 7u);  // ID_END
  EXPECT_LT(r.left(), 8u);
  EXPECT_EQ(r.Get(static_cast<int>(r.left())), 0u);
  EXPECT_FALSE(r.overrun());
}

TEST(SpliceTest, KeepsEveryBitBeforeEndAndAppendsFilThenEnd) {
  for (size_t prefix = 0; prefix < 40; ++prefix) {
    for (size_t payload_bits : {0u, 1u, 4u, 11u, 12u, 100u}) {
      Bytes packet = Packet(prefix, static_cast<uint32_t>(prefix * 7 + 1));
      BitWriter payload = Payload(payload_bits);
      auto out = AppendSbrFil(packet, payload);
      ASSERT_TRUE(out.ok()) << out.error().message;
      ExpectSpliced(*out, packet, prefix, payload);
    }
  }
}

TEST(SpliceTest, PrefixEndingInOnesIsNotMistakenForEnd) {
  BitWriter w;
  w.Put(0x3F, 6);  // a core whose last bits are set just before END
  w.Put(7, 3);
  w.AlignZero();
  auto out = AppendSbrFil(w.data(), Payload(9));
  ASSERT_TRUE(out.ok());
  ExpectSpliced(*out, w.data(), 6, Payload(9));
}

TEST(SpliceTest, PayloadsOfFifteenBytesOrMoreUseEscCount) {
  for (size_t bytes : {14u, 15u, 16u, 200u, 269u}) {
    for (size_t slack : {0u, 7u}) {
      BitWriter payload = Payload(bytes * 8 - 4 - slack);
      Bytes packet = Packet(21, 5);
      auto out = AppendSbrFil(packet, payload);
      ASSERT_TRUE(out.ok()) << bytes;
      ExpectSpliced(*out, packet, 21, payload);
      BitReader r(*out);
      r.Skip(21 + 3);
      uint32_t count = r.Get(4);
      if (bytes < 15) {
        EXPECT_EQ(count, bytes);
      } else {
        EXPECT_EQ(count, 15u);
        EXPECT_EQ(r.Get(8), bytes - 14);
      }
    }
  }
}

TEST(SpliceTest, RefusesPacketsWithoutEndAndOversizedPayloads) {
  BitWriter small = Payload(8);
  for (const Bytes& bad : {Bytes{}, Bytes{0, 0, 0}, Bytes{0x80}, Bytes{0xC0}, Bytes{0xA0},
                           Bytes{0x12, 0x34, 0x50}, Bytes{0xE0, 0x00}}) {
    auto out = AppendSbrFil(bad, small);
    ASSERT_FALSE(out.ok()) << bad.size();
    EXPECT_EQ(out.error().code, "EncoderFailed");
  }
  EXPECT_NE(AppendSbrFil(Bytes{0, 0}, small).error().message.find("no END"), std::string::npos);
  EXPECT_NE(AppendSbrFil(Bytes{0xA0}, small).error().message.find("not END"), std::string::npos);
  auto big = AppendSbrFil(Packet(10, 1), Payload(kMaxFilPayloadBytes * 8 - 3));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("270 bytes"), std::string::npos);
}

// --- End to end: FFmpeg's LC encoder at 24 kHz + spliced SBR, decoded as HE-AAC at 48 kHz.

// sbr_extension_data() for a CPE, the minimal valid form of AAC-NOTES 1.6: a header every
// frame, FIXFIX with one envelope, frequency-delta coding, no inverse filtering, constant
// envelope and noise floor, no harmonics, uncoupled, no extended data.
BitWriter MinimalSbrCpe() {
  BitWriter w;
  w.PutBit(true);   // bs_header_flag
  w.Put(0, 1);      // bs_amp_res (FIXFIX with one envelope forces 1.5 dB anyway)
  w.Put(12, 4);     // bs_start_freq: k0 = startMin 11 + offset 11 = 22 at 48 kHz
  w.Put(14, 4);     // bs_stop_freq 14: k2 = 2·k0 = 44
  w.Put(0, 3);      // bs_xover_band: kx = k0
  w.Put(0, 2);      // reserved
  w.PutBit(true);   // bs_header_extra_1
  w.PutBit(false);  // bs_header_extra_2
  w.Put(0, 2);      // bs_freq_scale 0: linear master table
  w.Put(1, 1);      // bs_alter_scale: steps of 2, N_master = ((22 + 2) >> 2) << 1 = 12
  w.Put(2, 2);      // bs_noise_bands: N_Q = round(2·log2(44 / 22)) = 2
  constexpr int kHighBands = 12;  // N_high = N_master (xover 0); freq_res 1 uses it
  constexpr int kNoiseBands = 2;
  w.PutBit(false);                                     // bs_data_extra
  w.PutBit(false);                                     // bs_coupling
  for (int ch = 0; ch < 2; ++ch) w.Put(0b00'00'1, 5);  // FIXFIX, 1 envelope, freq_res 1
  for (int ch = 0; ch < 2; ++ch) w.Put(0, 2);          // dtdf: envelope and noise in frequency
  for (int ch = 0; ch < 2; ++ch) w.Put(0, 2 * kNoiseBands);  // bs_invf_mode 0 per noise band
  for (int ch = 0; ch < 2; ++ch) {
    w.Put(40, 7);  // first envelope value, raw 7 bits at 1.5 dB
    // The rest are zero deltas: symbol 60 (delta + lav 60) of f_huffman_env_1_5dB
    // (14496-3 Annex 4.A; FFmpeg aacdec's table of the same name) is the 2-bit code 00.
    for (int band = 1; band < kHighBands; ++band) w.Put(0, 2);
  }
  for (int ch = 0; ch < 2; ++ch) {
    w.Put(10, 5);  // first noise floor value, raw 5 bits
    // Noise frequency deltas use f_huffman_env_3_0dB: symbol 31 (delta 0) is the 1-bit code 0.
    for (int band = 1; band < kNoiseBands; ++band) w.Put(0, 1);
  }
  w.Put(0, 2);      // bs_add_harmonic_flag L, R
  w.PutBit(false);  // bs_extended_data
  return w;
}

// 0.5 s of a 1 kHz sine at 24 kHz stereo through FFmpeg's native aac encoder.
std::vector<Bytes> EncodeSineLc() {
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  EXPECT_NE(codec, nullptr);
  if (!codec) return {};
  CodecContextPtr enc(avcodec_alloc_context3(codec));
  enc->sample_rate = 24000;
  av_channel_layout_default(&enc->ch_layout, 2);
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
  enc->bit_rate = 44000;
  enc->time_base = {1, 24000};
  EXPECT_EQ(avcodec_open2(enc.get(), codec, nullptr), 0);
  std::vector<Bytes> packets;
  PacketPtr pkt = NewPacket();
  auto drain = [&] {
    while (avcodec_receive_packet(enc.get(), pkt.get()) == 0) {
      packets.emplace_back(pkt->data, pkt->data + pkt->size);
      av_packet_unref(pkt.get());
    }
  };
  constexpr int kTotal = 12000;
  for (int at = 0; at < kTotal; at += enc->frame_size) {
    FramePtr frame = NewFrame();
    frame->format = AV_SAMPLE_FMT_FLTP;
    frame->nb_samples = std::min(enc->frame_size, kTotal - at);
    frame->sample_rate = 24000;
    EXPECT_EQ(av_channel_layout_copy(&frame->ch_layout, &enc->ch_layout), 0);
    EXPECT_EQ(av_frame_get_buffer(frame.get(), 0), 0);
    for (int ch = 0; ch < 2; ++ch) {
      auto* s = reinterpret_cast<float*>(frame->data[ch]);
      for (int i = 0; i < frame->nb_samples; ++i)
        s[i] =
            0.3F * static_cast<float>(std::sin(2 * std::numbers::pi * 1000.0 * (at + i) / 24000.0));
    }
    frame->pts = at;
    EXPECT_EQ(avcodec_send_frame(enc.get(), frame.get()), 0);
    drain();
  }
  EXPECT_EQ(avcodec_send_frame(enc.get(), nullptr), 0);
  drain();
  return packets;
}

struct DecodedStream {
  int frames = 0;
  int profile = 0;
  int sample_rate = 0;
  std::vector<float> left;  // channel 0, every frame
  std::vector<std::string> log;
};

// Decodes `packets` with FFmpeg's aac decoder under HeConfig(48000, 2), each packet first
// given `sbr` in a FIL element when there is one.
DecodedStream DecodeAsHe(const std::vector<Bytes>& packets, const BitWriter* sbr) {
  DecodedStream out;
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_AAC);
  EXPECT_NE(codec, nullptr);
  if (!codec) return out;
  CodecContextPtr dec = test_helpers::NewAacDecoder(*HeConfig(48000, 2));
  EXPECT_EQ(avcodec_open2(dec.get(), codec, nullptr), 0);
  LogCapture log;
  PacketPtr pkt = NewPacket();
  FramePtr frame = NewFrame();
  for (size_t n = 0; n < packets.size(); ++n) {
    Bytes data = packets[n];
    if (sbr) {
      auto spliced = AppendSbrFil(packets[n], *sbr);
      EXPECT_TRUE(spliced.ok()) << "packet " << n << ": " << spliced.error().message;
      if (!spliced.ok()) return out;
      data = *spliced;
    }
    EXPECT_EQ(av_new_packet(pkt.get(), static_cast<int>(data.size())), 0);
    std::memcpy(pkt->data, data.data(), data.size());
    EXPECT_EQ(avcodec_send_packet(dec.get(), pkt.get()), 0) << "packet " << n;
    av_packet_unref(pkt.get());
    while (avcodec_receive_frame(dec.get(), frame.get()) == 0) {
      EXPECT_EQ(frame->sample_rate, 48000);
      EXPECT_EQ(frame->nb_samples, 2048);
      EXPECT_EQ(frame->ch_layout.nb_channels, 2);
      EXPECT_EQ(frame->format, AV_SAMPLE_FMT_FLTP);
      auto* s = reinterpret_cast<const float*>(frame->data[0]);
      out.left.insert(out.left.end(), s, s + frame->nb_samples);
      ++out.frames;
      av_frame_unref(frame.get());
    }
  }
  out.profile = dec->profile;
  out.sample_rate = dec->sample_rate;
  out.log = log.lines;
  return out;
}

// Mean energy of 10–16 kHz at 48 kHz (above the core's 12 kHz Nyquist, inside the SBR range
// 8.25–16.5 kHz) over `n` samples from `from`, by a plain DFT of those bins; the Hann window
// keeps the 1 kHz tone's leakage out of the band.
double HighBandEnergy(const std::vector<float>& x, size_t from, size_t n) {
  double sum = 0;
  for (size_t bin = n * 10 / 48; bin < n * 16 / 48; ++bin) {
    double re = 0, im = 0;
    for (size_t i = 0; i < n; ++i) {
      double hann = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) /
                                         static_cast<double>(n));
      double phase = 2 * std::numbers::pi * static_cast<double>(bin * i) / static_cast<double>(n);
      re += hann * x[from + i] * std::cos(phase);
      im -= hann * x[from + i] * std::sin(phase);
    }
    sum += re * re + im * im;
  }
  return sum;
}

TEST(SpliceTest, NativeLcCoreWithSplicedSbrDecodesAsHeAacAt48k) {
  std::vector<Bytes> packets = EncodeSineLc();
  ASSERT_GE(packets.size(), 12u);
  BitWriter sbr = MinimalSbrCpe();
  ASSERT_EQ(sbr.bits(), 119u);  // 22 header + 2 + 2 × 47 per channel + 1: a 16-byte FIL payload

  DecodedStream he = DecodeAsHe(packets, &sbr);
  EXPECT_EQ(he.frames, static_cast<int>(packets.size()));
  EXPECT_EQ(he.profile, FF_PROFILE_AAC_HE);
  EXPECT_EQ(he.sample_rate, 48000);
  EXPECT_TRUE(he.log.empty()) << he.log.front();

  // The same core without SBR is only upsampled: the band above 12 kHz stays empty. With the
  // spliced envelope the decoder fills it (the test fails if SBR is parsed but not applied).
  DecodedStream plain = DecodeAsHe(packets, nullptr);
  ASSERT_EQ(plain.frames, he.frames);
  EXPECT_EQ(plain.profile, FF_PROFILE_AAC_LOW);
  size_t from = 6 * 2048;  // a frame well past the encoder's priming
  double with_sbr = HighBandEnergy(he.left, from, 2048);
  double without = HighBandEnergy(plain.left, from, 2048);
  EXPECT_GT(with_sbr, 1000 * without) << with_sbr << " vs " << without;
}

}  // namespace
}  // namespace floe::media::aac
