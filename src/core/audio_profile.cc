#include "core/audio_profile.h"

#include <array>
#include <string_view>

namespace floe::core {

namespace {

struct ProfileRule {
  std::string_view name;
  bool fixed_rates = false;  // only 32000, 44100, 48000 (SBR over a 16-24 kHz core)
  int max_rate = 96000;      // the template's Samplerate range is 22050..max_rate
  int min_channels = 1;
  int min_kbps[2] = {1, 1};  // per channel count 1, 2
  int max_kbps[2] = {1000, 1000};
  int default_kbps[2] = {128, 128};
};

// aac_he: the SBR header table of media/aac/sbr_encoder.cc; aac_he_v2: a mono core plus
// parametric stereo on the same table's mono rows, stereo input only; aac_ld: Floe's LD core,
// 32-128 kbit/s per channel.
constexpr std::array<ProfileRule, 4> kRules = {{
    {"aac_low", false, 96000, 1, {1, 1}, {1000, 1000}, {128, 128}},
    {"aac_he", true, 48000, 1, {16, 24}, {64, 128}, {48, 64}},
    {"aac_he_v2", true, 48000, 2, {16, 16}, {64, 64}, {32, 32}},
    {"aac_ld", false, 44100, 1, {32, 64}, {128, 256}, {64, 128}},
}};

const ProfileRule* RuleOf(std::string_view profile) {
  for (const auto& r : kRules) {
    if (r.name == profile) return &r;
  }
  return nullptr;
}

}  // namespace

EffectiveAudio EffectiveAudioOf(const AudioParams& a) {
  EffectiveAudio e;
  e.mp3 = a.codec.value_or("AAC") == "MP3";
  e.profile = e.mp3 ? "" : a.profile.value_or("aac_low");
  e.sample_rate = a.samplerate.value_or(44100);
  e.channels = a.channels.value_or(2);
  const ProfileRule* rule = RuleOf(e.profile);
  int ch = e.channels == 1 ? 0 : 1;
  e.kbps = a.bitrate.value_or(rule ? rule->default_kbps[ch] : 128);
  return e;
}

std::optional<AudioProblem> CheckAudioProfile(const AudioParams& a) {
  EffectiveAudio e = EffectiveAudioOf(a);
  const ProfileRule* rule = RuleOf(e.profile);
  if (!rule) return std::nullopt;
  const std::string name(rule->name);
  auto stated = [](bool given) { return given ? "" : " (the default)"; };
  if (e.channels < 1 || e.channels > 2) {
    return AudioProblem{"AudioParams.Channels", std::to_string(e.channels) + " channels; Profile " +
                                                    name + " carries 1 or 2."};
  }
  if (!rule->fixed_rates && (e.sample_rate < 22050 || e.sample_rate > rule->max_rate)) {
    return AudioProblem{"AudioParams.Samplerate",
                        std::to_string(e.sample_rate) + " Hz is not carried by Profile " + name +
                            "; allowed 22050-" + std::to_string(rule->max_rate) + " Hz."};
  }
  if (rule->fixed_rates && e.sample_rate != 32000 && e.sample_rate != 44100 &&
      e.sample_rate != 48000) {
    return AudioProblem{"AudioParams.Samplerate", std::to_string(e.sample_rate) + " Hz" +
                                                      stated(a.samplerate.has_value()) +
                                                      " is not carried by Profile " + name +
                                                      "; allowed 32000, 44100 or 48000."};
  }
  if (e.channels < rule->min_channels) {
    return AudioProblem{"AudioParams.Channels",
                        "Profile " + name +
                            " is parametric stereo over a mono core and needs 2 channels; use "
                            "aac_he for mono."};
  }
  int ch = e.channels == 1 ? 0 : 1;
  if (e.kbps < rule->min_kbps[ch] || e.kbps > rule->max_kbps[ch]) {
    return AudioProblem{"AudioParams.Bitrate",
                        std::to_string(e.kbps) + " kbit/s" + stated(a.bitrate.has_value()) +
                            " is out of range; " + "Profile " + name + " with " +
                            std::to_string(e.channels) + " channel(s) carries " +
                            std::to_string(rule->min_kbps[ch]) + "-" +
                            std::to_string(rule->max_kbps[ch]) + " kbit/s."};
  }
  return std::nullopt;
}

int EncodedSampleRate(const std::string& profile, int template_rate) {
  return profile == "aac_ld" ? 44100 : template_rate;
}

}  // namespace floe::core
