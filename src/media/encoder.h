// The encode stage's codec: opens libx264/libx265/aac/libmp3lame from EncodeSettings with the
// live rules (capped VBR, exact GOP, no scene-cut keyframes) and turns frames into packets.
#pragma once

#include <functional>

#include "core/result.h"
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

  AVCodecContext* context() { return ctx_.get(); }
  AVRational time_base() const { return ctx_->time_base; }

 private:
  CodecContextPtr ctx_;
  PacketPtr packet_ = NewPacket();
};

}  // namespace floe::media
