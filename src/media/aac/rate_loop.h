// Rate loop around FFmpeg's native AAC encoder: Floe's LC (aac_low) and the core of its HE-AAC
// and HE-AACv2 (at half the output rate).
//
// Left to itself the native encoder's average-bitrate mode spends 10-60 % more than it is asked
// on speech and noise-like input (bench/RESULTS.md, issue 22), and beside an HE core the SBR data
// is estimated, not counted. So Floe closes the loop around the packets that go out (for HE, core
// and SBR): every frame the encoder is asked for
//   nominal * 2^(base - debt / half a second of the target's bits)
// (a quarter to twice its nominal rate; FFmpeg 5.1 reads its bit rate at every frame), where
// the debt is what the packets spent beyond the target so far. The debt term answers within
// half a second; `base` integrates it (a debt of half a second moves it one halving in two
// seconds), so the debt itself returns to zero and the long-run average is the target whatever
// the encoder's bias: what it overspent is paid back. A silence banks at most one second of
// credit and does not raise the base, so the burst after it stays short. Where the encoder cannot
// spend less even at a quarter of its rate (FFmpeg 5.1 on speech and applause at 24-32 kbit/s
// HE stereo, or LC stereo under ~40 kbit/s on applause), the debt stops at six seconds and the
// output stays over the target: that floor is the encoder's.
#pragma once

#include <cstdint>

namespace floe::media::aac {

class RateLoop {
 public:
  // target_bps: what the packets may average; frame_seconds: one packet's duration;
  // nominal_bps: the encoder's own share of the target (for HE, the core's: the target less the
  // SBR data's estimate).
  RateLoop(int64_t target_bps, double frame_seconds, int64_t nominal_bps);

  // The share of the encoder's nominal bit rate to ask for the next frame.
  double rate_scale() const;
  // The bit rate to ask the encoder for the next frame: rate_scale() of the nominal one.
  int64_t bit_rate() const;
  int64_t nominal_bps() const { return nominal_; }
  // A packet of `bits` went out.
  void Account(int64_t bits);

  double debt_bits() const { return debt_; }

 private:
  double target_;  // bits per frame
  double second_;  // one second of the target's bits
  double frame_seconds_;
  int64_t nominal_;
  double debt_ = 0.0;  // bits spent beyond the target so far
  double base_ = 0.0;  // the integral term, in halvings
};

}  // namespace floe::media::aac
