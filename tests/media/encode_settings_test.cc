#include "media/encode_settings.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace floe::media {
namespace {

core::TemplateSpec Normal() {
  core::TemplateSpec s;
  s.type = "normal";
  s.video.height = 720;
  s.video.fps = 30;
  s.video.bitrate = 2500;
  return s;
}

struct Bad {
  int rate, channels, kbps;
  const char* field;
};

// Each of `bads` set on `s` is refused as InvalidParam.AudioParams.<field> with a message naming
// `profile` (and, with http_400, HTTP status 400). `s` is the test's template, taken by value.
void ExpectRefused(core::TemplateSpec s, const std::string& profile,
                   std::initializer_list<Bad> bads, bool http_400 = false) {
  for (Bad b : bads) {
    s.audio.samplerate = b.rate;
    s.audio.channels = b.channels;
    s.audio.bitrate = b.kbps;
    auto bad = MakeEncodeSettings(s);
    ASSERT_FALSE(bad.ok()) << b.rate << " " << b.channels << " " << b.kbps;
    EXPECT_EQ(bad.error().code, std::string("InvalidParam.AudioParams.") + b.field);
    if (http_400) {
      EXPECT_EQ(bad.error().http_status, 400);
    }
    EXPECT_NE(bad.error().message.find(profile), std::string::npos) << bad.error().message;
  }
}

TEST(EncodeSettings, MapsEveryVideoField) {
  auto s = Normal();
  s.video.codec = "H.264";
  s.video.gop = 90;
  for (auto [profile, name] : {std::pair{1, "baseline"}, {2, "main"}, {3, "high"}}) {
    s.video.profile = profile;
    auto e = MakeEncodeSettings(s);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->video->encoder, "libx264");
    EXPECT_EQ(e->video->profile, name);
    EXPECT_EQ(e->video->gop, 90);
    EXPECT_EQ(e->video->fps, 30);
    EXPECT_EQ(e->video->bitrate, 2'500'000);
  }
  s.video.codec = "H.265";
  auto h265 = MakeEncodeSettings(s);
  EXPECT_EQ(h265->video->encoder, "libx265");
  EXPECT_EQ(h265->video->profile, "main");
  s.video.gop.reset();
  EXPECT_EQ(MakeEncodeSettings(s)->video->gop, 60);  // default: 2 s of frames
}

TEST(EncodeSettings, Types) {
  core::TemplateSpec audio_only;
  audio_only.type = "audio-only";
  auto a = MakeEncodeSettings(audio_only);
  EXPECT_FALSE(a->video.has_value());
  EXPECT_FALSE(a->copy_video);
  EXPECT_EQ(a->audio->encoder, "aac");
  core::TemplateSpec origin;
  origin.type = "origin";
  auto o = MakeEncodeSettings(origin);
  EXPECT_TRUE(o->copy_video);
  EXPECT_TRUE(o->copy_audio);
  EXPECT_FALSE(o->audio.has_value());
  origin.audio.codec = "MP3";
  o = MakeEncodeSettings(origin);
  EXPECT_TRUE(o->copy_video);
  EXPECT_FALSE(o->copy_audio);
  EXPECT_EQ(o->audio->encoder, "libmp3lame");
}

TEST(EncodeSettings, RefusesUnknownAacProfiles) {
  auto s = Normal();
  s.audio.codec = "AAC";
  s.audio.profile = "aac_main";
  auto e = MakeEncodeSettings(s);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "InvalidParam.AudioParams.Profile");
  EXPECT_NE(e.error().message.find("aac_ld"), std::string::npos);
  s.audio.profile = "aac_low";
  e = MakeEncodeSettings(s);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->audio->aac_profile, FF_PROFILE_AAC_LOW);
}

// AAC-LD: Floe's own encoder, always at 44100 Hz (FFmpeg decodes LD from FLV at that rate only).
TEST(EncodeSettings, AacLdUsesFloesOwnEncoderAt44100) {
  auto s = Normal();
  s.audio.codec = "AAC";
  s.audio.profile = "aac_ld";
  s.audio.samplerate = 44100;
  s.audio.channels = 2;
  s.audio.bitrate = 128;
  auto e = MakeEncodeSettings(s);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->audio->encoder, kFloeLdAacEncoder);
  EXPECT_EQ(e->audio->aac_profile, FF_PROFILE_AAC_LD);
  EXPECT_EQ(e->audio->sample_rate, 44100);
  for (int rate : {22050, 32000}) {
    s.audio.samplerate = rate;
    auto lower = MakeEncodeSettings(s);
    ASSERT_TRUE(lower.ok()) << rate;
    EXPECT_EQ(lower->audio->sample_rate, 44100) << rate;
  }
  s.audio.samplerate = 44100;
  for (auto [channels, kbps] : {std::pair{1, 32}, {1, 128}, {2, 64}, {2, 256}}) {
    s.audio.channels = channels;
    s.audio.bitrate = kbps;
    EXPECT_TRUE(MakeEncodeSettings(s).ok()) << channels << " " << kbps;
  }
  ExpectRefused(s, "aac_ld",
                {{48000, 2, 128, "Samplerate"},
                 {16000, 2, 128, "Samplerate"},
                 {44100, 6, 128, "Channels"},
                 {44100, 1, 24, "Bitrate"},
                 {44100, 1, 160, "Bitrate"},
                 {44100, 2, 48, "Bitrate"},
                 {44100, 2, 320, "Bitrate"}},
                /*http_400=*/true);
}

TEST(EncodeSettings, AacHeUsesFloesOwnEncoderWithinItsRatesChannelsAndBitrates) {
  auto s = Normal();
  s.audio.codec = "AAC";
  s.audio.profile = "aac_he";
  s.audio.samplerate = 48000;
  s.audio.channels = 2;
  s.audio.bitrate = 48;
  auto e = MakeEncodeSettings(s);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->audio->encoder, kFloeHeAacEncoder);
  EXPECT_EQ(e->audio->aac_profile, FF_PROFILE_AAC_HE);
  for (int rate : {32000, 44100}) {
    s.audio.samplerate = rate;
    EXPECT_TRUE(MakeEncodeSettings(s).ok()) << rate;
  }
  s.audio.samplerate = 48000;
  for (auto [channels, kbps] : {std::pair{2, 24}, {2, 128}, {1, 16}, {1, 64}}) {
    s.audio.channels = channels;
    s.audio.bitrate = kbps;
    EXPECT_TRUE(MakeEncodeSettings(s).ok()) << channels << " " << kbps;
  }
  ExpectRefused(s, "aac_he",
                {{22050, 2, 48, "Samplerate"},
                 {96000, 2, 48, "Samplerate"},
                 {48000, 6, 96, "Channels"},
                 {48000, 2, 20, "Bitrate"},
                 {48000, 2, 160, "Bitrate"},
                 {48000, 1, 12, "Bitrate"},
                 {48000, 1, 96, "Bitrate"}});
}

TEST(EncodeSettings, AacHeV2UsesFloesOwnEncoderForStereoOnly) {
  auto s = Normal();
  s.audio.codec = "AAC";
  s.audio.profile = "aac_he_v2";
  s.audio.samplerate = 48000;
  s.audio.channels = 2;
  s.audio.bitrate = 24;
  auto e = MakeEncodeSettings(s);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->audio->encoder, kFloeHeAacEncoder);
  EXPECT_EQ(e->audio->aac_profile, FF_PROFILE_AAC_HE_V2);
  for (auto [rate, kbps] : {std::pair{32000, 16}, {44100, 32}, {48000, 64}}) {
    s.audio.samplerate = rate;
    s.audio.bitrate = kbps;
    EXPECT_TRUE(MakeEncodeSettings(s).ok()) << rate << " " << kbps;
  }
  ExpectRefused(s, "aac_he_v2",
                {{48000, 1, 24, "Channels"},
                 {48000, 6, 24, "Channels"},
                 {22050, 2, 24, "Samplerate"},
                 {48000, 2, 12, "Bitrate"},
                 {48000, 2, 96, "Bitrate"}});
}

TEST(EncodeSettings, Mp3RatesFlvCanCarry) {
  auto s = Normal();
  s.audio.codec = "MP3";
  s.audio.samplerate = 44100;
  EXPECT_TRUE(MakeEncodeSettings(s).ok());
  s.audio.samplerate = 22050;
  EXPECT_TRUE(MakeEncodeSettings(s).ok());
  s.audio.samplerate = 48000;
  EXPECT_EQ(MakeEncodeSettings(s).error().code, "InvalidParam.AudioParams.Samplerate");
  s.audio.samplerate = 96000;
  EXPECT_EQ(MakeEncodeSettings(s).error().code, "InvalidParam.AudioParams.Samplerate");
  s.audio.codec = "AAC";
  EXPECT_TRUE(MakeEncodeSettings(s).ok());  // AAC at 96 kHz is fine
}

TEST(OutputSize, KeepsAspectAndEvenDimensions) {
  VideoSettings v;
  int w = 0, h = 0;
  v.want_height = 480;
  OutputSize(v, 1280, 720, w, h);
  EXPECT_EQ(w, 854);
  EXPECT_EQ(h, 480);
  v.want_height.reset();
  v.want_width = 320;
  OutputSize(v, 1280, 720, w, h);
  EXPECT_EQ(w, 320);
  EXPECT_EQ(h, 180);
  v.want_width.reset();
  OutputSize(v, 1279, 719, w, h);  // none: the source size, made even
  EXPECT_EQ(w % 2, 0);
  EXPECT_EQ(h % 2, 0);
  v.want_width = 1000;
  v.want_height = 500;
  OutputSize(v, 640, 360, w, h);
  EXPECT_EQ(w, 1000);
  EXPECT_EQ(h, 500);
}

TEST(OutputSize, NarrowBandH265FitsIn720pBox) {
  VideoSettings v;
  v.fit_720p_box = true;
  int w = 0, h = 0;
  v.want_height = 1080;  // one side: 1920x1080 from a 16:9 source, then fit
  OutputSize(v, 1920, 1080, w, h);
  EXPECT_EQ(w, 1280);
  EXPECT_EQ(h, 720);
  v.want_height.reset();
  OutputSize(v, 1080, 1920, w, h);  // portrait source
  EXPECT_EQ(w, 720);
  EXPECT_EQ(h, 1280);
}

}  // namespace
}  // namespace floe::media
