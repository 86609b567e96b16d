// AudioSpecificConfig builders: the exact bytes measured in AAC-NOTES 1.8, 3 and 4, and what
// FFmpeg's own aac decoder makes of them.
#include "media/aac/asc.h"

#include <gtest/gtest.h>

#include <cstring>

#include "media/aac/bit_writer.h"
#include "media/ffmpeg.h"

namespace floe::media::aac {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(AscTest, SamplingIndexMapsEveryAacRateBothWays) {
  EXPECT_EQ(*SamplingFrequencyIndex(96000), 0);
  EXPECT_EQ(*SamplingFrequencyIndex(48000), 3);
  EXPECT_EQ(*SamplingFrequencyIndex(44100), 4);
  EXPECT_EQ(*SamplingFrequencyIndex(24000), 6);
  EXPECT_EQ(*SamplingFrequencyIndex(7350), 12);
  for (int i = 0; i <= 12; ++i) EXPECT_EQ(*SamplingFrequencyIndex(*SamplingFrequency(i)), i);
  EXPECT_FALSE(SamplingFrequencyIndex(50000).ok());
  EXPECT_EQ(SamplingFrequencyIndex(50000).error().code, "InvalidParam.AudioParams.SampleRate");
  EXPECT_FALSE(SamplingFrequency(13).ok());
  EXPECT_FALSE(SamplingFrequency(-1).ok());
}

TEST(AscTest, LcConfigIsTheTwoByteForm) {
  EXPECT_EQ(*LcConfig(24000, 2), (Bytes{0x13, 0x10}));
  EXPECT_EQ(*LcConfig(24000, 1), (Bytes{0x13, 0x08}));
  EXPECT_EQ(*LcConfig(48000, 2), (Bytes{0x11, 0x90}));
}

TEST(AscTest, HeConfigIsExplicitHierarchicalAsMeasured) {
  EXPECT_EQ(*HeConfig(48000, 2), (Bytes{0x2B, 0x11, 0x88, 0x00}));
  EXPECT_EQ(*HeConfig(44100, 2), (Bytes{0x2B, 0x92, 0x08, 0x00}));
  EXPECT_EQ(*HeConfig(32000, 2), (Bytes{0x2C, 0x12, 0x88, 0x00}));
  EXPECT_EQ(*HeV2Config(48000), (Bytes{0xEB, 0x09, 0x88, 0x00}));
}

TEST(AscTest, LdConfigCarriesFrameLengthAndResilienceOff) {
  EXPECT_EQ(*LdConfig(48000, 1, 512), (Bytes{0xB9, 0x89, 0x00}));
  EXPECT_EQ(*LdConfig(44100, 2, 512), (Bytes{0xBA, 0x11, 0x00}));
  EXPECT_EQ(*LdConfig(44100, 2, 480), (Bytes{0xBA, 0x15, 0x00}));
  EXPECT_EQ(*LdConfig(44100, 1, 480), (Bytes{0xBA, 0x0D, 0x00}));
}

TEST(AscTest, ConfigsWithoutAnEncodingAreRefused) {
  EXPECT_EQ(LcConfig(50000, 2).error().code, "InvalidParam.AudioParams.SampleRate");
  EXPECT_EQ(LcConfig(48000, 3).error().code, "InvalidParam.AudioParams.Channels");
  EXPECT_EQ(HeConfig(44100 * 2 + 2, 2).error().code, "InvalidParam.AudioParams.SampleRate");
  EXPECT_FALSE(HeConfig(7350, 1).ok());    // 3675 Hz core has no index
  EXPECT_FALSE(HeConfig(176400, 2).ok());  // extension rate has no index
  EXPECT_FALSE(HeConfig(48001, 2).ok());
  EXPECT_EQ(LdConfig(48000, 2, 1024).error().code, "InvalidParam.AudioParams.FrameLength");
  EXPECT_FALSE(LdConfig(48000, 0, 512).ok());
}

// FFmpeg's aac decoder opened with `asc` as extradata.
CodecContextPtr OpenDecoder(const Bytes& asc) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_AAC);
  if (!codec) return nullptr;
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  // The context owns extradata from here (avcodec_free_context releases it).
  ctx->extradata = static_cast<uint8_t*>(av_mallocz(asc.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  std::memcpy(ctx->extradata, asc.data(), asc.size());
  ctx->extradata_size = static_cast<int>(asc.size());
  if (avcodec_open2(ctx.get(), codec, nullptr) < 0) return nullptr;
  return ctx;
}

// A silent raw_data_block: one SCE (mono) or CPE (stereo) whose channels have max_sfb 0,
// then END. Decoding it makes FFmpeg report what it derived from the ASC.
Bytes SilentBlock(int channels) {
  BitWriter w;
  w.Put(channels == 1 ? 0 : 1, 3);     // ID_SCE / ID_CPE
  w.Put(0, 4);                         // element_instance_tag
  if (channels == 2) w.PutBit(false);  // common_window
  for (int ch = 0; ch < channels; ++ch) {
    w.Put(100, 8);                // global_gain
    w.Put(0, 1 + 2 + 1 + 6 + 1);  // ics_info: reserved, ONLY_LONG, sine, max_sfb 0, no predictor
    w.Put(0, 3);                  // pulse, tns, gain control absent
  }
  w.Put(7, 3);  // END
  w.AlignZero();
  return w.data();
}

struct Decoded {
  int sample_rate = 0;
  int channels = 0;
  int profile = 0;
  int samples = 0;
};

Decoded DecodeOne(AVCodecContext* ctx, const Bytes& block) {
  PacketPtr pkt = NewPacket();
  EXPECT_EQ(av_new_packet(pkt.get(), static_cast<int>(block.size())), 0);
  std::memcpy(pkt->data, block.data(), block.size());
  EXPECT_EQ(avcodec_send_packet(ctx, pkt.get()), 0);
  FramePtr frame = NewFrame();
  EXPECT_EQ(avcodec_receive_frame(ctx, frame.get()), 0);
  return {frame->sample_rate, ctx->ch_layout.nb_channels, ctx->profile, frame->nb_samples};
}

TEST(AscTest, FfmpegDecodesLcAtTheCoreRate) {
  CodecContextPtr ctx = OpenDecoder(*LcConfig(24000, 2));
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->ch_layout.nb_channels, 2);  // the only field FFmpeg sets at open
  Decoded d = DecodeOne(ctx.get(), SilentBlock(2));
  EXPECT_EQ(d.sample_rate, 24000);
  EXPECT_EQ(d.samples, 1024);
  EXPECT_EQ(d.profile, FF_PROFILE_AAC_LOW);
}

TEST(AscTest, FfmpegDecodesExplicitHeAtTheOutputRate) {
  // Without SBR data in the frames the decoder upsamples: the rate and frame length come
  // from the ASC alone (the profile turns HE only once SBR arrives, see splice_test).
  for (int rate : {48000, 44100, 32000}) {
    CodecContextPtr ctx = OpenDecoder(*HeConfig(rate, 2));
    ASSERT_TRUE(ctx) << rate;
    Decoded d = DecodeOne(ctx.get(), SilentBlock(2));
    EXPECT_EQ(d.sample_rate, rate);
    EXPECT_EQ(d.channels, 2);
    EXPECT_EQ(d.samples, 2048);
  }
}

TEST(AscTest, FfmpegDecodesHeV2MonoCoreAsStereo) {
  CodecContextPtr ctx = OpenDecoder(*HeV2Config(48000));
  ASSERT_TRUE(ctx);
  Decoded d = DecodeOne(ctx.get(), SilentBlock(1));
  EXPECT_EQ(d.sample_rate, 48000);
  EXPECT_EQ(d.channels, 2);  // parametric stereo: two channels out of one SCE
  EXPECT_EQ(d.samples, 2048);
}

TEST(AscTest, MonoHeSignalsSbrAndNoParametricStereo) {
  // AOT 2 / 24 kHz / mono / GA, 0x2B7 AOT 5 sbr 1 48 kHz, 0x548 ps 0 (AAC-NOTES 3's bytes).
  EXPECT_EQ(*HeMonoConfig(48000), (Bytes{0x13, 0x08, 0x56, 0xE5, 0x9D, 0x48, 0x00}));
  for (int rate : {48000, 44100, 32000}) {
    CodecContextPtr ctx = OpenDecoder(*HeMonoConfig(rate));
    ASSERT_TRUE(ctx) << rate;
    Decoded d = DecodeOne(ctx.get(), SilentBlock(1));
    EXPECT_EQ(d.sample_rate, rate);
    EXPECT_EQ(d.channels, 1) << "the hierarchical form would decode as 2";
    EXPECT_EQ(d.samples, 2048);
  }
  EXPECT_FALSE(HeMonoConfig(44101).ok());  // odd: no core rate
}

TEST(AscTest, FfmpegDecodesLdFramesOfTheSignalledLength) {
  for (int frame_length : {512, 480}) {
    CodecContextPtr ctx = OpenDecoder(*LdConfig(44100, 2, frame_length));
    ASSERT_TRUE(ctx);
    // An all-zero ER frame is a valid silent one (no element ids in ER syntax). FFmpeg's ER
    // path leaves sample_rate unset (AAC-NOTES 4), so it is not checked here.
    Decoded d = DecodeOne(ctx.get(), Bytes(16, 0));
    EXPECT_EQ(d.profile, FF_PROFILE_AAC_LD);
    EXPECT_EQ(d.channels, 2);
    EXPECT_EQ(d.samples, frame_length);
  }
}

}  // namespace
}  // namespace floe::media::aac
