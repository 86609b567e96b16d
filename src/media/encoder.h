// The encode stage's codec: opens libx264/libx265/aac/libmp3lame (or Floe's HE-AAC or AAC-LD
// encoder) from EncodeSettings with the live rules (capped VBR, exact GOP, no scene-cut keyframes;
// FFmpeg's aac held on its bit rate by aac/rate_loop.h).
#pragma once

#include <functional>

#include "core/result.h"
#include "media/aac/he_encoder.h"
#include "media/aac/ld_encoder.h"
#include "media/aac/rate_loop.h"
#include "media/encode_settings.h"
#include "media/ffmpeg.h"

namespace floe::media {

class Encoder {
 public:
  static core::Result<std::unique_ptr<Encoder>> OpenVideo(const VideoSettings& v, int width,
                                                          int height, const LiveDefaults& d);
  static core::Result<std::unique_ptr<Encoder>> OpenAudio(const AudioSettings& a);

  // Sends a frame (nullptr flushes) and hands every packet that comes out to `sink`, with
  // timestamps in time_base().
  core::Result<void> Encode(const AVFrame* frame, const std::function<void(AVPacket*)>& sink);

  // For HE-AAC, the HeAacEncoder's face: what it outputs, not its half-rate core; for AAC-LD,
  // the LdAacEncoder's face.
  AVCodecContext* context() { return he_ ? he_->context() : ld_ ? ld_->context() : ctx_.get(); }
  AVRational time_base() const {
    return he_ ? he_->time_base() : ld_ ? ld_->time_base() : ctx_->time_base;
  }

 private:
  CodecContextPtr ctx_;
  std::unique_ptr<aac::HeAacEncoder> he_;  // set instead of ctx_ for encoder "floe_he_aac"
  // Set instead of ctx_ for encoder "floe_aac_ld", and for "aac" under FFmpeg's floor (Floe's LC).
  std::unique_ptr<aac::LdAacEncoder> ld_;
  std::unique_ptr<aac::RateLoop> rate_;  // FFmpeg's "aac" (LC) only
  PacketPtr packet_ = NewPacket();
};

}  // namespace floe::media
