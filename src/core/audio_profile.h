// What each AAC profile of AudioParams.Profile can carry with Floe's encoders: sample rates,
// channels and bitrates, and the bitrate a template without Bitrate gets. One table, read by the
// API (a 400 naming the field at Create/Update) and by the media engine (which encodes to it).
#pragma once

#include <optional>
#include <string>

#include "core/template_spec.h"

namespace floe::core {

// The effective audio of a template: its values or the defaults (AAC, aac_low, 44100 Hz,
// 2 channels, the profile's default bitrate).
struct EffectiveAudio {
  bool mp3 = false;
  std::string profile;  // aac_low | aac_he | aac_he_v2 | aac_ld; empty for MP3
  int kbps = 128;
  int sample_rate = 44100;
  int channels = 2;
};
EffectiveAudio EffectiveAudioOf(const AudioParams& a);

// Which template field a profile cannot carry, and why (in words for the error message).
struct AudioProblem {
  std::string field;  // e.g. "AudioParams.Bitrate"
  std::string why;
};
std::optional<AudioProblem> CheckAudioProfile(const AudioParams& a);

// The rate a profile is encoded at for a template rate: aac_ld runs at 44100 Hz, the only rate
// at which FFmpeg-based players decode LD from FLV (the template rule keeps it at most 44100).
int EncodedSampleRate(const std::string& profile, int template_rate);

}  // namespace floe::core
