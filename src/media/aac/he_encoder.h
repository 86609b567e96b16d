// HE-AAC v1 encoder: FFmpeg's native AAC-LC encoder at half rate as the core, plus Floe's own
// SBR data spliced into every packet (AAC-NOTES 1.7, 2.2). Packets and face are at the output rate.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "core/result.h"
#include "media/aac/qmf.h"
#include "media/aac/sbr_encoder.h"
#include "media/ffmpeg.h"

namespace floe::media::aac {

// Where the SBR frame of a core packet starts, in QMF slots of the input relative to 2 * (the
// core packet's pts). Measured with FFmpeg 5.1's decoder (FLOE_HE_ALIGN_SWEEP=1 he_encoder_test:
// 8 bursts of a 15 kHz tone at varying frame phases, energy-equivalent edges after removing the
// decoder's 3009-sample delay): each 2 slots moves both edges ~2.5 ms; onsets read +3.4 ms and
// offsets -14.6 ms at 0, +10.0 / -8.6 at -4. The decoded bursts are ~17 ms shorter at every
// offset, so -3 splits that evenly (about +8 / -9 ms).
inline constexpr int kSbrSlotOffset = -3;

// Output samples by which a decoder's HE output lags what the core's timestamps say: the SBR
// QMF analysis and synthesis path (AAC-NOTES 2.3: an impulse decodes 3009 samples late at
// 48 kHz, 2 * 1024 of them the core's priming that its pts already carry). Packets are stamped
// this much earlier, so that audio stays in sync with the video it came with.
inline constexpr int kSbrDecoderDelay = 961;

struct HeAacSettings {
  int sample_rate = 48000;  // output rate: 32000, 44100 or 48000
  int channels = 2;
  int64_t bit_rate = 48000;              // total, core + SBR
  int sbr_slot_offset = kSbrSlotOffset;  // for the alignment measurement only
};

class HeAacEncoder {
 public:
  static core::Result<std::unique_ptr<HeAacEncoder>> Open(const HeAacSettings& s);

  // Float planar frames at the output rate, any length (2048 is what context() asks for);
  // nullptr flushes. Hands every packet to `sink` with timestamps in time_base().
  core::Result<void> Encode(const AVFrame* frame, const std::function<void(AVPacket*)>& sink);

  // What muxers and converters read: output rate, frame_size 2048, FLTP, AAC, profile HE,
  // extradata = explicit hierarchical HE-AAC ASC, bit_rate = the target. Never opened.
  AVCodecContext* context() { return face_.get(); }
  AVRational time_base() const { return {1, settings_.sample_rate}; }
  const SbrConfig& sbr_config() const { return sbr_->config(); }
  int64_t core_bit_rate() const { return core_->bit_rate; }

 private:
  HeAacEncoder() = default;
  core::Result<void> SendCore(const std::function<void(AVPacket*)>& sink, bool flush);
  core::Result<void> Drain(const std::function<void(AVPacket*)>& sink);
  core::Result<void> Emit(const AVPacket* core, const std::function<void(AVPacket*)>& sink);

  HeAacSettings settings_;
  CodecContextPtr core_;
  CodecContextPtr face_;
  SwrPtr swr_;
  AudioFifoPtr fifo_;  // core-rate samples waiting for a whole core frame
  std::unique_ptr<SbrEncoder> sbr_;
  std::vector<QmfAnalysis> qmf_;
  std::vector<std::deque<QmfAnalysis::Slot>> slots_;  // per channel, from slot slot_base_ on
  int64_t slot_base_ = 0;
  std::vector<QmfAnalysis::Slot> scratch_;
  int64_t first_pts_ = AV_NOPTS_VALUE;  // output-rate pts of the first input sample
  int64_t core_pts_ = 0;                // core samples sent so far
  PacketPtr core_packet_ = NewPacket();
  PacketPtr out_packet_ = NewPacket();
};

}  // namespace floe::media::aac
