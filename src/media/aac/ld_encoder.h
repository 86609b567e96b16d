// ER AAC-LD (AOT 23) encoder: Floe's own core (AAC-NOTES 4): a sine-windowed MDCT, a per-band
// psychoacoustic model, x^(3/4) quantisation with a CBR rate loop, and er_raw_data_block
// packets of one frame each.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/result.h"
#include "media/aac/ld_mdct.h"
#include "media/aac/ld_psy.h"
#include "media/aac/ld_quantizer.h"
#include "media/ffmpeg.h"

namespace floe::media::aac {

struct LdAacSettings {
  int sample_rate = 44100;    // 22050..48000 (FFmpeg decodes LD from FLV only at 44100)
  int channels = 2;           // 1 or 2
  int64_t bit_rate = 128000;  // total
  int frame_length = 512;     // FFmpeg 5.1 synthesises LD frames of 512 only
};

class LdAacEncoder {
 public:
  static core::Result<std::unique_ptr<LdAacEncoder>> Open(const LdAacSettings& s);

  // Float planar frames at the output rate, any length; nullptr flushes (the input's tail is
  // padded with silence to a whole frame, plus the frame that carries its overlap). Hands every
  // packet to `sink` with timestamps in time_base().
  core::Result<void> Encode(const AVFrame* frame, const std::function<void(AVPacket*)>& sink);

  // What muxers read: AAC, profile LD, frame_size N, FLTP, extradata = the LD ASC, bit_rate.
  // Never opened.
  AVCodecContext* context() { return face_.get(); }
  AVRational time_base() const { return {1, settings_.sample_rate}; }

 private:
  LdAacEncoder() = default;
  core::Result<void> EncodeFrame(const std::function<void(AVPacket*)>& sink);

  LdAacSettings settings_;
  CodecContextPtr face_;
  AudioFifoPtr fifo_;
  std::unique_ptr<LdMdct> mdct_;
  std::unique_ptr<LdPsy> psy_;
  std::unique_ptr<LdQuantizer> quantizer_;
  LdLayout layout_;
  std::vector<std::vector<float>> blocks_;  // per channel: previous frame, then this frame
  std::vector<std::vector<float>> spectra_;
  std::vector<std::vector<double>> allowed_;
  std::vector<int> shapes_;             // per channel: the previous frame's window_shape
  int64_t first_pts_ = AV_NOPTS_VALUE;  // pts of the first input sample
  int64_t frames_ = 0;                  // packets sent
  PacketPtr packet_ = NewPacket();
};

}  // namespace floe::media::aac
