// What a template means for the encoders: TemplateSpec (validated API values) plus the live
// defaults become concrete libavcodec settings, after checking that the linked libavcodec can
// honour them (no silent substitution of an AAC profile, a sample rate or a codec).
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "core/template_spec.h"

namespace floe::media {

// Live defaults, chosen from the measurements in bench/RESULTS.md.
struct LiveDefaults {
  std::string x264_preset = "veryfast";
  std::string x264_tune = "zerolatency";  // "none": x264's own (lookahead, frame threads)
  std::string x265_preset = "ultrafast";
  // Narrow-band spends CPU to save bits: one preset slower (trellis, subpel refinement) and a
  // low CRF so that easy content stays near-lossless, capped at Bitrate (bench/RESULTS.md).
  std::string narrow_band_x264_preset = "faster";
  int narrow_band_x264_crf = 12;
  std::string narrow_band_x265_preset = "superfast";
  int narrow_band_x265_crf = 14;
  double vbv_seconds = 1.5;  // VBV buffer = maxrate × this
  int default_gop_seconds = 2;
  int scaler_flags = 2;  // SWS_BILINEAR: ~3× cheaper than bicubic, see MEDIA-NOTES
};

struct VideoSettings {
  std::string encoder;                         // libx264 | libx265
  int width = 0, height = 0;                   // 0: decided from the source (see OutputSize)
  std::optional<int> want_width, want_height;  // as the template says
  bool fit_720p_box = false;                   // H.265 narrow-band: fit within 1280×720
  int fps = 30;
  int64_t bitrate = 0;  // bit/s (also maxrate)
  int gop = 60;         // frames; keyframes exactly every gop frames
  std::string profile;  // baseline | main | high (H.265: main)
  bool narrow_band = false;
};

// Not an FFmpeg encoder: Floe's HE-AAC v1 and v2 (native LC core + own SBR, plus parametric
// stereo for v2; media/aac/he_encoder.h). aac_profile tells v1 (HE) and v2 (HE_V2) apart.
inline constexpr char kFloeHeAacEncoder[] = "floe_he_aac";
// Not an FFmpeg encoder: Floe's ER AAC-LD core (media/aac/ld_encoder.h), always at 44100 Hz.
inline constexpr char kFloeLdAacEncoder[] = "floe_aac_ld";

struct AudioSettings {
  std::string encoder;  // aac | libmp3lame | kFloeHeAacEncoder | kFloeLdAacEncoder
  int64_t bitrate = 128000;
  int sample_rate = 44100;
  int channels = 2;
  int aac_profile = -1;  // FF_PROFILE_AAC_LOW for aac_low; -1 for MP3
};

struct EncodeSettings {
  std::string type;                    // normal | narrow-band | audio-only | origin
  std::optional<VideoSettings> video;  // absent: no video (audio-only) or copied (origin)
  bool copy_video = false;
  std::optional<AudioSettings> audio;  // absent with copy_audio: audio copied
  bool copy_audio = false;
};

// Fails (with the field named) when this build cannot encode what the template asks: an unknown
// AAC profile, HE-AAC (v1 or v2) or AAC-LD at a rate, channel count or bit rate Floe's own
// encoders do not cover, MP3 at a rate neither the encoder nor FLV carries, a codec whose
// encoder is not linked.
core::Result<EncodeSettings> MakeEncodeSettings(const core::TemplateSpec& spec,
                                                const LiveDefaults& defaults = {});

// The output picture size for a source of src_w×src_h: one side alone keeps the aspect ratio,
// none keeps the source size; always even.
void OutputSize(const VideoSettings& v, int src_w, int src_h, int& out_w, int& out_h);

}  // namespace floe::media
