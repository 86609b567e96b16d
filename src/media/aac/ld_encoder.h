// Floe's own AAC core (AAC-NOTES 4): a sine-windowed MDCT, a per-band psychoacoustic model,
// mid/side stereo, x^(3/4) quantisation with a CBR rate loop, packets of one frame each. With
// frames of 512 it is the ER AAC-LD (AOT 23) encoder (er_raw_data_block); with frames of 1024
// an AAC-LC (AOT 2) one with block switching on attacks (raw_data_block with element ids and END;
// one frame of lookahead, block_switch.h), which Floe
// uses where FFmpeg's native encoder cannot spend as little as asked (UsesFloeLcCore).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/result.h"
#include "media/aac/block_switch.h"
#include "media/aac/ld_mdct.h"
#include "media/aac/ld_psy.h"
#include "media/aac/ld_quantizer.h"
#include "media/ffmpeg.h"

namespace floe::media::aac {

// FFmpeg 5.1's native AAC encoder does not code a frame in fewer than about 450-700 bits a
// channel at 24 kHz whatever it is asked (its twoloop refills every zeroed band under the
// cutoff): measured by `make bench-audio`, HE-AAC at 24-32 kbit/s stereo on speech and applause
// came out 1.3-1.7x the target and AAC-LC at 24-32 on applause 1.2-1.5x. Under this rate a
// channel Floe's own LC core codes instead: it holds any rate (its frames fit their budget).
// With block switching (block_switch.h) the bound covers HE-AAC at 48 kbit/s stereo too (a core
// of 21.6 kbit/s a channel): against FFmpeg's core there (bench clips, LSD) music 5.20 against
// 5.44, speech 5.11 against 5.15 with 4.4 dB more SNR under 6 kHz, pink noise 6.95 against
// 7.04, applause 10.67 against 9.53 (still half of fdk's), at a third to a quarter of the CPU.
// At 64 kbit/s (29 kbit/s a channel) FFmpeg's core stays: there the two were even (speech 4.43
// against 4.37, pink noise 7.09 against 6.64, music 4.83 against 4.95).
inline constexpr int64_t kFloeLcCoreBelowBitsPerChannel = 24000;
inline bool UsesFloeLcCore(int64_t bit_rate, int channels) {
  return bit_rate < kFloeLcCoreBelowBitsPerChannel * channels;
}

struct LdAacSettings {
  int sample_rate = 44100;      // LD: 22050..48000 (FFmpeg decodes LD from FLV only at 44100);
                                // LC: 16000..48000
  int channels = 2;             // 1 or 2
  int64_t bit_rate = 128000;    // total
  int frame_length = 512;       // 512: AAC-LD (FFmpeg 5.1 synthesises LD frames of 512 only);
                                // 1024: AAC-LC
  int cutoff_hz = 0;            // highest frequency coded; 0 = by the rate
  int max_frame_bits = 0;       // largest packet; 0 = LC: the AAC limit (6144 a channel), LD: none
                                // (its reservoir is half a frame)
  bool block_switching = true;  // LC: short windows on attacks (block_switch.h); LD: long only
};

class LdAacEncoder {
 public:
  static core::Result<std::unique_ptr<LdAacEncoder>> Open(const LdAacSettings& s);

  // Float planar frames at the output rate, any length; nullptr flushes (the input's tail is
  // padded with silence to a whole frame, plus the frame that carries its overlap). Hands every
  // packet to `sink` with timestamps in time_base().
  core::Result<void> Encode(const AVFrame* frame, const std::function<void(AVPacket*)>& sink);

  // What muxers read: AAC, profile LD (LC), frame_size N, FLTP, extradata = the ASC, bit_rate.
  // Never opened.
  AVCodecContext* context() { return face_.get(); }
  AVRational time_base() const { return {1, settings_.sample_rate}; }
  // The rate of the frames encoded from now on.
  void set_bit_rate(int64_t bit_rate) { quantizer_->set_bit_rate(bit_rate); }

 private:
  LdAacEncoder() = default;
  core::Result<void> EncodeFrame(const std::function<void(AVPacket*)>& sink);
  // LC: this frame's window sequence, its spectra (and for short windows the allowed noise) in
  // bitstream order; fills `groups`.
  void AnalyseLc(int window_sequence, std::vector<int>& groups);

  LdAacSettings settings_;
  CodecContextPtr face_;
  AudioFifoPtr fifo_;
  std::unique_ptr<LdMdct> mdct_;
  std::unique_ptr<LdPsy> psy_;
  std::unique_ptr<LdQuantizer> quantizer_;
  LdLayout layout_;
  // Per channel: the previous frame's input, this frame's, and (LC) the next frame's, which the
  // transient detector looks ahead into.
  std::vector<std::vector<float>> blocks_;
  int lookahead_ = 0;  // blocks: 1 for LC, 0 for LD
  std::vector<std::vector<float>> spectra_;
  std::vector<std::vector<double>> allowed_;
  // LC block switching: the short windows' model, the detector, and per block (previous, this,
  // next) the segments' energies and attacks.
  std::unique_ptr<LdPsy> short_psy_;
  std::unique_ptr<TransientDetector> detector_;
  std::array<TransientDetector::Block, 3> segments_{};
  int window_sequence_ = kOnlyLong;     // the previous frame's
  std::vector<float> window_lines_;     // scratch: 8 short windows' lines
  int64_t first_pts_ = AV_NOPTS_VALUE;  // pts of the first input sample
  int64_t read_ = 0;                    // blocks read since the stream began
  int64_t frames_ = 0;                  // packets sent
  PacketPtr packet_ = NewPacket();
};

}  // namespace floe::media::aac
