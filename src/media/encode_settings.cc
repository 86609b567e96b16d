#include "media/encode_settings.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <algorithm>
#include <cmath>

#include "core/audio_profile.h"

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
    if (profile == "aac_he" || profile == "aac_he_v2") {
      a.encoder = kFloeHeAacEncoder;
      a.aac_profile = profile == "aac_he" ? FF_PROFILE_AAC_HE : FF_PROFILE_AAC_HE_V2;
    } else if (profile == "aac_ld") {
      a.encoder = kFloeLdAacEncoder;
      a.aac_profile = FF_PROFILE_AAC_LD;
    } else if (profile != "aac_low") {
      return Unsupported("AudioParams.Profile",
                         profile +
                             " is not an AAC profile Floe encodes; allowed aac_low, aac_he, "
                             "aac_he_v2 or aac_ld.");
    } else {
      a.encoder = "aac";
      a.aac_profile = FF_PROFILE_AAC_LOW;
    }
  }
  // The profile's rules and defaults, the same table the API validates with.
  if (auto problem = core::CheckAudioProfile(spec.audio)) {
    return Unsupported(problem->field, problem->why);
  }
  const core::EffectiveAudio eff = core::EffectiveAudioOf(spec.audio);
  a.bitrate = int64_t{eff.kbps} * 1000;
  a.channels = eff.channels;
  // aac_ld runs at 44100 Hz: FFmpeg 5.1 decodes LD from FLV at that rate whatever the
  // AudioSpecificConfig says (AAC-NOTES 4); the converter resamples to it.
  a.sample_rate = core::EncodedSampleRate(eff.profile, eff.sample_rate);
  if (a.encoder == kFloeHeAacEncoder || a.encoder == kFloeLdAacEncoder) {
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
