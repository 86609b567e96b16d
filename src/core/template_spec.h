// A live transcoding template validated into typed values (ice/template_config.h makes it): what
// the media engine takes, and trusts.
#pragma once

#include <optional>
#include <string>

namespace floe::core {

struct VideoParams {
  std::optional<std::string> codec;  // "H.264" | "H.265"
  std::optional<int> width, height, fps, bitrate, gop, profile;
};

struct AudioParams {
  std::optional<std::string> codec;  // "AAC" | "MP3"
  std::optional<int> bitrate, samplerate, channels;
  std::optional<std::string> profile;  // aac_low | aac_he | aac_he_v2 | aac_ld
};

struct TemplateSpec {
  std::string type;  // normal | narrow-band | audio-only | origin
  VideoParams video;
  AudioParams audio;
  bool HasAudioParams() const {
    return audio.codec || audio.bitrate || audio.samplerate || audio.channels || audio.profile;
  }
};

}  // namespace floe::core
