// The audio encode stage's codec: Floe's LC (FFmpeg's native AAC encoder) holds the template's
// bit rate on applause-like noise, where the bare encoder spends a quarter more; under FFmpeg's
// floor the codec is Floe's own LC core, which holds it too.
#include "media/encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "media/aac/decode_helpers.h"

namespace floe::media {
namespace {

constexpr int kRate = 48000;
constexpr int kSeconds = 10;

// Claps: 80 short decaying noise bursts a second, of random level and pan.
std::vector<std::vector<float>> Applause() {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::vector<std::vector<float>> x(2, std::vector<float>(kSeconds * kRate));
  for (int n = 0; n < kSeconds * 80; ++n) {
    const int start = static_cast<int>(uni(rng) * (kSeconds * kRate - 2000));
    const int length = static_cast<int>((0.005 + 0.025 * uni(rng)) * kRate);
    const double tau = (0.002 + 0.006 * uni(rng)) * kRate;
    const double level = std::pow(10.0, -20.0 * uni(rng) / 20.0);
    const double pan = (0.1 + 0.8 * uni(rng)) * M_PI / 2;
    for (int i = 0; i < length; ++i) {
      const double v = gauss(rng) * std::exp(-i / tau) * level;
      x[0][start + i] += static_cast<float>(v * std::cos(pan));
      x[1][start + i] += static_cast<float>(v * std::sin(pan));
    }
  }
  return x;
}

struct Spent {
  double all = 0, last_half = 0;  // bit/s
};

// Encodes the clip with `codec` (opened by the caller) frame by frame; the bits per second of
// the packets, over the whole clip and its second half.
Spent Encode(AVCodecContext* c,
             const std::function<core::Result<void>(const AVFrame*,
                                                    const std::function<void(AVPacket*)>&)>& send) {
  const auto x = Applause();
  std::vector<int> sizes;
  auto sink = [&](AVPacket* p) { sizes.push_back(p->size); };
  const int n = c->frame_size;
  for (int at = 0; at + n <= kSeconds * kRate; at += n) {
    FramePtr f = NewFrame();
    f->format = AV_SAMPLE_FMT_FLTP;
    f->nb_samples = n;
    f->sample_rate = kRate;
    av_channel_layout_default(&f->ch_layout, 2);
    EXPECT_EQ(av_frame_get_buffer(f.get(), 0), 0);
    for (int ch = 0; ch < 2; ++ch)
      std::copy_n(x[ch].begin() + at, n, reinterpret_cast<float*>(f->data[ch]));
    f->pts = at;
    EXPECT_TRUE(send(f.get(), sink).ok());
  }
  EXPECT_TRUE(send(nullptr, sink).ok());
  Spent s;
  const double frame_s = static_cast<double>(n) / kRate;
  for (size_t i = 0; i < sizes.size(); ++i) {
    s.all += sizes[i] * 8.0;
    if (i >= sizes.size() / 2) s.last_half += sizes[i] * 8.0;
  }
  s.all /= static_cast<double>(sizes.size()) * frame_s;
  s.last_half /= static_cast<double>(sizes.size() - sizes.size() / 2) * frame_s;
  return s;
}

TEST(EncoderTest, LcHoldsTheBitRateOnApplauseWhereTheBareEncoderOverspends) {
  constexpr int64_t kTarget = 64000;
  auto e = Encoder::OpenAudio({.encoder = "aac",
                               .bitrate = kTarget,
                               .sample_rate = kRate,
                               .channels = 2,
                               .aac_profile = FF_PROFILE_AAC_LOW});
  ASSERT_TRUE(e.ok()) << e.error().message;
  Encoder& enc = **e;
  const Spent floe = Encode(
      enc.context(), [&](const AVFrame* f, const auto& sink) { return enc.Encode(f, sink); });
  EXPECT_EQ(enc.context()->bit_rate, kTarget);  // what a muxer opened now reads

  // The same encoder, same settings, without Floe's loop.
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  ASSERT_NE(codec, nullptr);
  CodecContextPtr bare(avcodec_alloc_context3(codec));
  bare->sample_rate = kRate;
  av_channel_layout_default(&bare->ch_layout, 2);
  bare->sample_fmt = AV_SAMPLE_FMT_FLTP;
  bare->bit_rate = kTarget;
  bare->time_base = {1, kRate};
  bare->profile = FF_PROFILE_AAC_LOW;
  ASSERT_EQ(avcodec_open2(bare.get(), codec, nullptr), 0);
  PacketPtr pkt = NewPacket();
  const Spent ffmpeg = Encode(bare.get(), [&](const AVFrame* f, const auto& sink) {
    avcodec_send_frame(bare.get(), f);
    while (avcodec_receive_packet(bare.get(), pkt.get()) == 0) {
      sink(pkt.get());
      av_packet_unref(pkt.get());
    }
    return core::Result<void>{};
  });

  std::printf("LC 64 kbit/s on applause: Floe %.0f bit/s (second half %.0f), FFmpeg alone %.0f\n",
              floe.all, floe.last_half, ffmpeg.all);
  EXPECT_NEAR(floe.all, kTarget, 0.10 * kTarget);
  EXPECT_NEAR(floe.last_half, kTarget, 0.05 * kTarget);
  // What the loop is for (FFmpeg 5.1.x): the bare encoder is well over on this input.
  EXPECT_GT(ffmpeg.all, 1.15 * kTarget);
}

// Under FFmpeg's floor (aac::UsesFloeLcCore) aac_low is Floe's own LC core: at 24 and 32 kbit/s
// stereo on the same applause it holds the rate (FFmpeg with Floe's loop: 36.7 and 37.1 kbit/s
// on the bench's applause, `make bench-audio`), and the packets decode as AAC-LC.
TEST(EncoderTest, LcUnderFfmpegsFloorIsFloesOwnCoreAndHoldsTheRate) {
  for (int64_t target : {24000, 32000}) {
    auto e = Encoder::OpenAudio({.encoder = "aac",
                                 .bitrate = target,
                                 .sample_rate = kRate,
                                 .channels = 2,
                                 .aac_profile = FF_PROFILE_AAC_LOW});
    ASSERT_TRUE(e.ok()) << e.error().message;
    Encoder& enc = **e;
    AVCodecContext* face = enc.context();
    EXPECT_EQ(face->profile, FF_PROFILE_AAC_LOW);
    EXPECT_EQ(face->frame_size, 1024);
    EXPECT_EQ(face->bit_rate, target);
    std::vector<std::vector<uint8_t>> packets;
    const Spent floe = Encode(face, [&](const AVFrame* f, const auto& sink) {
      return enc.Encode(f, [&](AVPacket* p) {
        packets.emplace_back(p->data, p->data + p->size);
        sink(p);
      });
    });
    std::printf("LC %lld kbit/s on applause (Floe's core): %.0f bit/s (second half %.0f)\n",
                static_cast<long long>(target / 1000), floe.all, floe.last_half);
    EXPECT_NEAR(floe.all, static_cast<double>(target), 0.05 * static_cast<double>(target));

    // FFmpeg's decoder reads them as clean AAC-LC.
    const aac::test_helpers::AacDecoded dec = aac::test_helpers::DecodeAac(
        std::vector<uint8_t>(face->extradata, face->extradata + face->extradata_size), packets,
        {.frame_size = 1024});
    EXPECT_TRUE(dec.log.empty()) << dec.log.front();
    EXPECT_EQ(dec.profile, FF_PROFILE_AAC_LOW);
    EXPECT_EQ(dec.odd_frames, 0);
    EXPECT_EQ(dec.frames, static_cast<int>(packets.size()));
  }
}

}  // namespace
}  // namespace floe::media
