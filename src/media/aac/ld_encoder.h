// Floe's own AAC core (AAC-NOTES 4): a sine-windowed MDCT, a per-band psychoacoustic model,
// mid/side stereo, x^(3/4) quantisation with a CBR rate loop, packets of one frame each. With
// frames of 512 it is the ER AAC-LD (AOT 23) encoder (er_raw_data_block); with frames of 1024
// an AAC-LC (AOT 2) one, long blocks only (raw_data_block with element ids and END), which Floe
// uses where FFmpeg's native encoder cannot spend as little as asked (UsesFloeLcCore).
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

// FFmpeg 5.1's native AAC encoder does not code a frame in fewer than about 450-700 bits a
// channel at 24 kHz whatever it is asked (its twoloop refills every zeroed band under the
// cutoff): measured by `make bench-audio`, HE-AAC at 24-32 kbit/s stereo on speech and applause
// came out 1.3-1.7x the target and AAC-LC at 24-32 on applause 1.2-1.5x. Under this rate a
// channel Floe's own LC core codes instead: it holds any rate (its frames fit their budget).
// The bound sits under HE-AAC at 48 kbit/s stereo (a core of 21.6 kbit/s a channel): Floe's
// core measured a lower LSD than FFmpeg's there on music, speech and pink noise (5.17, 5.09,
// 6.95 against 5.44, 5.15, 7.04) at a third of its CPU, but with long blocks only it leaves
// pre-echo before attacks that SBR's transient grids then cannot take out of the band they
// rebuild (HeAacEncoderTest.TransientFramingCutsPreEchoInTheSbrBand: 1.8 dB less before
// onsets instead of more than 10), and applause came out worse (10.38 against 9.53).
inline constexpr int64_t kFloeLcCoreBelowBitsPerChannel = 20000;
inline bool UsesFloeLcCore(int64_t bit_rate, int channels) {
  return bit_rate < kFloeLcCoreBelowBitsPerChannel * channels;
}

struct LdAacSettings {
  int sample_rate = 44100;    // LD: 22050..48000 (FFmpeg decodes LD from FLV only at 44100);
                              // LC: 16000..48000
  int channels = 2;           // 1 or 2
  int64_t bit_rate = 128000;  // total
  int frame_length = 512;     // 512: AAC-LD (FFmpeg 5.1 synthesises LD frames of 512 only);
                              // 1024: AAC-LC
  int cutoff_hz = 0;          // highest frequency coded; 0 = by the rate
  int max_frame_bits = 0;     // largest packet; 0 = LC: the AAC limit (6144 a channel), LD: none
                              // (its reservoir is half a frame)
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
