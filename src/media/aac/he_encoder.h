// HE-AAC encoder: an AAC-LC core at half rate, plus Floe's own SBR data spliced into every
// packet (AAC-NOTES 1.7, 2.2); v2 codes a mono downmix and carries parametric stereo in the SBR
// data (AAC-NOTES 3). Packets and face are at the output rate. The core is FFmpeg's native
// encoder, or Floe's own LC core (LdAacEncoder with 1024-sample frames) where FFmpeg's cannot
// spend as little as asked (UsesFloeLcCore).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "core/result.h"
#include "media/aac/ld_encoder.h"
#include "media/aac/qmf.h"
#include "media/aac/rate_loop.h"
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
// this much earlier, so that audio stays in sync with the video it came with. HE-AACv2 measured
// the same within a sample (he_v2_test FLOE_HE_V2_DELAY=1: 3010).
inline constexpr int kSbrDecoderDelay = 961;

// Parametric stereo layout by total bit rate, after fdk's psTuningTable: 10 stereo bands below
// 22 kbit/s, 20 from there; one envelope per frame below 28 kbit/s, two from there. fdk goes to
// four from 36 kbit/s; Floe stays at two, as each envelope costs at least 42 bits a frame
// (1 kbit/s at 48 kHz) even on steady sound.
struct PsLayout {
  int bands = 20;     // iid/icc mode 0 (10) or 1 (20)
  int envelopes = 1;  // FIX class: 1 or 2
};
PsLayout ChoosePsLayout(int64_t bit_rate);

struct HeAacSettings {
  int sample_rate = 48000;  // output rate: 32000, 44100 or 48000
  int channels = 2;
  int64_t bit_rate = 48000;              // total, core + SBR (+ PS)
  int sbr_slot_offset = kSbrSlotOffset;  // for the alignment measurement only
  // HE-AACv2: stereo input coded as a mono core + SBR + parametric stereo (channels must be 2).
  bool parametric_stereo = false;
  bool sbr_transients = true;  // VAR grids at transients; false = FIXFIX only (comparisons)
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
  int64_t core_bit_rate() const { return rate_->nominal_bps(); }
  // Whether the core is Floe's own LC (UsesFloeLcCore) rather than FFmpeg's native encoder.
  bool floe_lc_core() const { return own_core_ != nullptr; }
  // SBR channel frames that went out with a transient (VAR) grid so far.
  int64_t sbr_var_frames() const { return sbr_->var_frames(); }
  // Packets whose core left too little room under the AAC frame limit: sent with a smaller SBR
  // frame, or (no room at all) without SBR data.
  int64_t sbr_fallback_frames() const { return sbr_fallback_frames_; }
  int64_t sbr_dropped_frames() const { return sbr_dropped_frames_; }

 private:
  HeAacEncoder() = default;
  core::Result<void> SendCore(const std::function<void(AVPacket*)>& sink, bool flush);
  core::Result<void> Drain(const std::function<void(AVPacket*)>& sink);
  core::Result<void> EncodeOwnCore(const AVFrame* f, const std::function<void(AVPacket*)>& sink);
  core::Result<void> Emit(const AVPacket* core, const std::function<void(AVPacket*)>& sink);
  // For a core packet near the AAC frame limit: the normal SBR frame, the reduced ones
  // (SbrEncoder::EncodeReducedFrame), and the smallest without parametric stereo.
  enum class SbrFallback { kNone, kNoHeader, kSmallest, kSmallestNoPs };
  core::Result<BitWriter> EncodeSbr(int64_t start, SbrFallback fallback);
  core::Result<BitWriter> EncodeSbrLevel(std::span<const std::vector<QmfAnalysis::Slot>> slots,
                                         SbrFallback fallback, const SbrExtension* extension);
  std::vector<QmfAnalysis::Slot> TakeSlots(int ch, int64_t start, int count) const;

  HeAacSettings settings_;
  CodecContextPtr core_;  // FFmpeg's core, or null with own_core_
  CodecContextPtr face_;
  SwrPtr swr_;
  AudioFifoPtr fifo_;  // core-rate samples waiting for a whole core frame
  std::unique_ptr<SbrEncoder> sbr_;
  std::vector<QmfAnalysis> qmf_;
  int core_channels_ = 0;  // 1 with parametric stereo
  PsLayout ps_layout_;
  std::vector<std::deque<QmfAnalysis::Slot>> slots_;  // per input channel, from slot_base_ on
  int64_t slot_base_ = 0;
  std::vector<QmfAnalysis::Slot> scratch_;
  std::vector<float> downmix_;
  int64_t first_pts_ = AV_NOPTS_VALUE;  // output-rate pts of the first input sample
  int64_t core_pts_ = 0;                // core samples sent so far
  int64_t sbr_fallback_frames_ = 0;
  int64_t sbr_dropped_frames_ = 0;
  std::unique_ptr<RateLoop> rate_;
  std::unique_ptr<LdAacEncoder> own_core_;  // Floe's core, or null with core_
  PacketPtr core_packet_ = NewPacket();
  PacketPtr out_packet_ = NewPacket();
};

}  // namespace floe::media::aac
