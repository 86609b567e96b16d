// Analysis filter bank of Floe's AAC core: for ER AAC-LD the two windows FFmpeg's decoder
// synthesises with (imdct_and_windowing_ld), for AAC-LC the sine windows of every window
// sequence; a forward MDCT whose output is in the decoder's dequantised units, so that a
// spectrum coded exactly decodes back to the input samples.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/result.h"

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/tx.h>
}

namespace floe::media::aac {

// Forward MDCT gain (av_tx's unnormalised convention) that makes FFmpeg's LD synthesis (its
// IMDCT scaled by 1/(32768 * N), AAC's integer sample scale folded into float) give back the
// input: the av_tx round trip gains N/2, the decoder divides by 32768 * N. The sign matches
// FFmpeg 5.1's decoder (measured: ld_encoder_test's impulse decodes with its input's polarity).
inline constexpr double kLdMdctScale = 65536.0;

// The 2N-sample window of `window_shape`: 0 = sine over 2N, 1 = the low-overlap LD window (zero
// for 3N/8 samples, a sine rise over N/4, one for 3N/8; mirrored for the second half).
std::vector<float> LdWindow(int frame_length, int window_shape);

// Spectral energy (sum of squared lines over one frame) of a full-scale sine, on average over its
// phase: what the psychoacoustic model calls 0 dBFS.
double LdFullScaleEnergy(int frame_length);

class LdMdct {
 public:
  // frame_length 512 or 480 (LD) or 1024 (LC).
  static core::Result<LdMdct> Create(int frame_length);

  int frame_length() const { return n_; }
  // Windows the 2N samples of `block` (the previous frame's N input samples, then this frame's)
  // and writes the N lines of their MDCT to `spectrum`. The first half takes the window of
  // `prev_shape` (the previous frame's window_shape: a decoder overlaps two frames with that
  // frame's window), the second half the window of `shape`.
  void Forward(std::span<const float> block, int prev_shape, int shape, std::span<float> spectrum);
  // AAC LC (frame_length 1024), sine windows: the 2048 samples of `block` through the window of
  // `window_sequence` (ics_writer.h's kOnlyLong, kLongStart, kLongStop: a long window whose
  // short-window side has 448 zeros, a short sine slope and 448 ones) into 1024 lines or, for
  // kEightShort, the eight 256-sample windows at 448 + 128 w into 128 lines each, window after
  // window.
  void ForwardLc(std::span<const float> block, int window_sequence, std::span<float> spectrum);

 private:
  struct TxFree {
    void operator()(AVTXContext* t) const { av_tx_uninit(&t); }
  };
  struct AvFree {
    void operator()(float* p) const { av_free(p); }
  };
  LdMdct() = default;

  int n_ = 0;
  std::unique_ptr<AVTXContext, TxFree> tx_, short_tx_;
  av_tx_fn fn_ = nullptr, short_fn_ = nullptr;
  std::vector<float> windows_[2];
  std::vector<float> start_window_, stop_window_, short_window_;  // LC only
  // av_tx's SIMD code wants its buffers aligned as av_malloc aligns them.
  std::unique_ptr<float[], AvFree> in_, out_;
};

}  // namespace floe::media::aac
