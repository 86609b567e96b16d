#include "core/audio_profile.h"

#include <gtest/gtest.h>

namespace floe::core {
namespace {

AudioParams Aac(const char* profile, std::optional<int> kbps, std::optional<int> rate,
                std::optional<int> channels) {
  AudioParams a;
  a.codec = "AAC";
  a.profile = profile;
  a.bitrate = kbps;
  a.samplerate = rate;
  a.channels = channels;
  return a;
}

std::string FieldOf(const AudioParams& a) {
  auto p = CheckAudioProfile(a);
  return p ? p->field : "OK";
}

TEST(AudioProfile, DefaultsFitEveryProfile) {
  for (const char* p : {"aac_low", "aac_he", "aac_he_v2", "aac_ld"}) {
    EXPECT_EQ(FieldOf(Aac(p, std::nullopt, std::nullopt, std::nullopt)), "OK") << p;
  }
  EXPECT_EQ(EffectiveAudioOf(Aac("aac_he_v2", std::nullopt, std::nullopt, std::nullopt)).kbps, 32);
  EXPECT_EQ(EffectiveAudioOf(Aac("aac_he", std::nullopt, std::nullopt, 1)).kbps, 48);
  EXPECT_EQ(EffectiveAudioOf(Aac("aac_low", std::nullopt, std::nullopt, std::nullopt)).kbps, 128);
  AudioParams mp3;
  mp3.codec = "MP3";
  EXPECT_TRUE(EffectiveAudioOf(mp3).mp3);
  EXPECT_EQ(FieldOf(mp3), "OK");
}

TEST(AudioProfile, HeRatesChannelsAndBitrates) {
  EXPECT_EQ(FieldOf(Aac("aac_he", 48, 48000, 2)), "OK");
  EXPECT_EQ(FieldOf(Aac("aac_he", 48, 22050, 2)), "AudioParams.Samplerate");
  EXPECT_EQ(FieldOf(Aac("aac_he", 48, 96000, 2)), "AudioParams.Samplerate");
  EXPECT_EQ(FieldOf(Aac("aac_he", 16, 48000, 1)), "OK");
  EXPECT_EQ(FieldOf(Aac("aac_he", 16, 48000, 2)), "AudioParams.Bitrate");
  EXPECT_EQ(FieldOf(Aac("aac_he", 128, 44100, 2)), "OK");
  EXPECT_EQ(FieldOf(Aac("aac_he", 129, 44100, 2)), "AudioParams.Bitrate");
  EXPECT_EQ(FieldOf(Aac("aac_he", 65, 44100, 1)), "AudioParams.Bitrate");
}

TEST(AudioProfile, HeV2NeedsStereoAndLowRates) {
  EXPECT_EQ(FieldOf(Aac("aac_he_v2", 24, 48000, 2)), "OK");
  auto mono = CheckAudioProfile(Aac("aac_he_v2", 24, 48000, 1));
  ASSERT_TRUE(mono);
  EXPECT_EQ(mono->field, "AudioParams.Channels");
  EXPECT_NE(mono->why.find("needs 2 channels"), std::string::npos);
  EXPECT_EQ(FieldOf(Aac("aac_he_v2", 96, 48000, 2)), "AudioParams.Bitrate");
  EXPECT_EQ(FieldOf(Aac("aac_he_v2", 15, 48000, 2)), "AudioParams.Bitrate");
  // A default the profile cannot carry is named as such.
  auto rate = CheckAudioProfile(Aac("aac_he_v2", 24, 22050, std::nullopt));
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->field, "AudioParams.Samplerate");
}

TEST(AudioProfile, LdBitratePerChannelAndRate) {
  EXPECT_EQ(FieldOf(Aac("aac_ld", 64, 44100, 2)), "OK");
  EXPECT_EQ(FieldOf(Aac("aac_ld", 32, 32000, 1)), "OK");
  EXPECT_EQ(FieldOf(Aac("aac_ld", 48, 44100, 2)), "AudioParams.Bitrate");
  EXPECT_EQ(FieldOf(Aac("aac_ld", 256, 44100, 2)), "OK");
  EXPECT_EQ(FieldOf(Aac("aac_ld", 129, 44100, 1)), "AudioParams.Bitrate");
  EXPECT_EQ(EncodedSampleRate("aac_ld", 32000), 44100);
  EXPECT_EQ(EncodedSampleRate("aac_he", 32000), 32000);
}

TEST(AudioProfile, BitrateMessageSaysTheDefault) {
  auto p = CheckAudioProfile(Aac("aac_he", std::nullopt, 48000, 1));
  EXPECT_FALSE(p);  // 48 kbit/s mono default fits
  AudioParams a = Aac("aac_ld", 40, 44100, 2);
  auto q = CheckAudioProfile(a);
  ASSERT_TRUE(q);
  EXPECT_NE(q->why.find("64-256 kbit/s"), std::string::npos) << q->why;
}

}  // namespace
}  // namespace floe::core
