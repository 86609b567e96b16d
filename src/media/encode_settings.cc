#include "media/encode_settings.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <algorithm>
#include <cmath>

namespace floe::media {

using core::Error;

namespace {

Error Unsupported(const std::string& field, const std::string& why) {
  return {"InvalidParam." + field, 400, "This Floe cannot honour " + field + ": " + why,
          "Choose a value this server's media stack supports."};
}

bool EncoderHasSampleRate(const AVCodec* codec, int rate) {
  if (!codec->supported_samplerates) return true;
  for (const int* r = codec->supported_samplerates; *r; ++r) {
    if (*r == rate) return true;
  }
  return false;
}

// What Floe's HE-AAC encoder covers (its SBR header table, media/aac/sbr_encoder.cc): SBR at
// 32-48 kHz over a 16-24 kHz core, mono 16-64 and stereo 24-128 kbit/s.
core::Result<void> CheckHeAac(const AudioSettings& a) {
  if (a.sample_rate != 32000 && a.sample_rate != 44100 && a.sample_rate != 48000) {
    return Unsupported("AudioParams.Samplerate",
                       "aac_he is encoded at 32000, 44100 or 48000 Hz, not " +
                           std::to_string(a.sample_rate) + ".");
  }
  if (a.channels != 1 && a.channels != 2) {
    return Unsupported("AudioParams.Channels",
                       "aac_he carries 1 or 2 channels, not " + std::to_string(a.channels) + ".");
  }
  const int64_t lo = a.channels == 1 ? 16 : 24, hi = a.channels == 1 ? 64 : 128;
  const int64_t kbps = a.bitrate / 1000;
  if (kbps < lo || kbps > hi) {
    return Unsupported("AudioParams.Bitrate", "aac_he with " + std::to_string(a.channels) +
                                                  " channel(s) carries " + std::to_string(lo) +
                                                  "-" + std::to_string(hi) + " kbit/s, not " +
                                                  std::to_string(kbps) + ".");
  }
  return core::Ok();
}

int Even(double v) {
  return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2);
}

}  // namespace

core::Result<EncodeSettings> MakeEncodeSettings(const core::TemplateSpec& spec,
                                                const LiveDefaults& d) {
  EncodeSettings s;
  s.type = spec.type;
  if (spec.type == "normal" || spec.type == "narrow-band") {
    VideoSettings v;
    bool h265 = spec.video.codec.value_or("H.264") == "H.265";
    v.encoder = h265 ? "libx265" : "libx264";
    if (!avcodec_find_encoder_by_name(v.encoder.c_str())) {
      return Unsupported("VideoParams.Codec",
                         v.encoder + " is not available in the linked libavcodec.");
    }
    v.want_width = spec.video.width;
    v.want_height = spec.video.height;
    v.narrow_band = spec.type == "narrow-band";
    v.fit_720p_box = v.narrow_band && h265;
    v.fps = spec.video.fps.value_or(30);
    v.bitrate = int64_t{spec.video.bitrate.value_or(2500)} * 1000;
    v.gop = spec.video.gop.value_or(v.fps * d.default_gop_seconds);
    int profile = spec.video.profile.value_or(3);
    v.profile = h265 ? "main" : (profile == 1 ? "baseline" : profile == 2 ? "main" : "high");
    s.video = v;
  } else if (spec.type == "origin") {
    s.copy_video = true;
  }
  if (spec.type == "origin" && !spec.HasAudioParams()) {
    s.copy_audio = true;
    return s;
  }
  AudioSettings a;
  bool mp3 = spec.audio.codec.value_or("AAC") == "MP3";
  if (mp3) {
    a.encoder = "libmp3lame";
  } else {
    std::string profile = spec.audio.profile.value_or("aac_low");
    if (profile == "aac_he") {
      a.encoder = kFloeHeAacEncoder;
      a.aac_profile = FF_PROFILE_AAC_HE;
    } else if (profile != "aac_low") {
      // The native encoder writes LC whatever profile it is asked for, with a header claiming
      // the other object type: never ask it. Only libfdk_aac encodes HEv2/LD today.
      if (!avcodec_find_encoder_by_name("libfdk_aac")) {
        return Unsupported("AudioParams.Profile",
                           profile +
                               " needs libfdk_aac, which this libavcodec does not include, and "
                               "Floe's own encoder does not implement it yet; only aac_low and "
                               "aac_he can be encoded here.");
      }
      a.encoder = "libfdk_aac";
      a.aac_profile = profile == "aac_he_v2" ? FF_PROFILE_AAC_HE_V2 : FF_PROFILE_AAC_LD;
    } else {
      a.encoder = "aac";
      a.aac_profile = FF_PROFILE_AAC_LOW;
    }
  }
  a.bitrate = int64_t{spec.audio.bitrate.value_or(128)} * 1000;
  a.sample_rate = spec.audio.samplerate.value_or(44100);
  a.channels = spec.audio.channels.value_or(2);
  if (a.encoder == kFloeHeAacEncoder) {
    if (auto he = CheckHeAac(a); !he) return he.error();
    s.audio = a;
    return s;
  }
  const AVCodec* codec = avcodec_find_encoder_by_name(a.encoder.c_str());
  if (!codec) {
    return Unsupported("AudioParams.Codec",
                       a.encoder + " is not available in the linked libavcodec.");
  }
  if (!EncoderHasSampleRate(codec, a.sample_rate)) {
    return Unsupported("AudioParams.Samplerate", std::to_string(a.sample_rate) +
                                                     " Hz is not supported by " + a.encoder + ".");
  }
  if (mp3 && a.sample_rate != 44100 && a.sample_rate != 22050) {
    return Unsupported("AudioParams.Samplerate",
                       "MP3 in FLV (RTMP) carries only 22050 or 44100 Hz, not " +
                           std::to_string(a.sample_rate) + ".");
  }
  s.audio = a;
  return s;
}

void OutputSize(const VideoSettings& v, int src_w, int src_h, int& out_w, int& out_h) {
  src_w = std::max(src_w, 2);
  src_h = std::max(src_h, 2);
  double w, h;
  if (v.want_width && v.want_height) {
    w = *v.want_width;
    h = *v.want_height;
  } else if (v.want_width) {
    w = *v.want_width;
    h = w * src_h / src_w;
  } else if (v.want_height) {
    h = *v.want_height;
    w = h * src_w / src_h;
  } else {
    w = src_w;
    h = src_h;
  }
  if (v.fit_720p_box) {
    double box_w = w >= h ? 1280 : 720, box_h = w >= h ? 720 : 1280;
    double scale = std::min({1.0, box_w / w, box_h / h});
    w *= scale;
    h *= scale;
  }
  out_w = Even(w);
  out_h = Even(h);
}

}  // namespace floe::media
