// Block switching of Floe's AAC-LC core (ISO/IEC 14496-3 4.6.11): where an attack would spread
// a long window's quantisation noise over the quiet before it (pre-echo, up to 85 ms at a 24 kHz
// core), the frame takes eight short windows instead, and the frames around it the transition
// windows. The detector looks at the input in segments of 128 samples, each the new part of one
// short window, with one frame of lookahead: a frame before an attack must already be
// LONG_START.
#pragma once

#include <array>
#include <span>
#include <vector>

namespace floe::media::aac {

inline constexpr int kSegmentsPerBlock = 8;  // 1024 samples in 128-sample segments

// An attack: a segment's high-passed energy this many times the recent mean (10 dB) ...
inline constexpr double kAttackRatio = 10.0;
// ... and louder than this mean square per sample (about -70 dBFS after the high-pass).
inline constexpr double kAttackFloor = 1e-7;

class TransientDetector {
 public:
  explicit TransientDetector(int channels);
  struct Block {
    std::array<double, kSegmentsPerBlock> energy{};  // high-passed, summed over the channels
    std::array<bool, kSegmentsPerBlock> attack{};
  };
  // The next 1024 samples of every channel (the same count each).
  Block Push(std::span<const std::vector<float>> channels, int offset, int count);
  void Reset();

 private:
  std::vector<float> last_;  // per channel: the sample before the block (the high-pass's memory)
  double mean_ = 0;          // recent segments' energy, smoothed
};

// The window_sequence of a frame from the previous frame's, whether an attack falls in this
// frame's short windows and whether one falls in the next frame's (only legal transitions: a
// LONG_START is always followed by EIGHT_SHORT, EIGHT_SHORT by itself or LONG_STOP).
int NextWindowSequence(int previous, bool attack_here, bool attack_next);

// The window groups of an EIGHT_SHORT frame: a new group starts at every window with an attack,
// so the quiet windows before an attack share scalefactors that keep their noise quiet.
std::vector<int> ShortWindowGroups(std::span<const bool, kSegmentsPerBlock> attack);

}  // namespace floe::media::aac
