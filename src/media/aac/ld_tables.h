// Scalefactor band layouts of Floe's AAC core (ISO/IEC 14496-3 4.5.4): the swb_offset tables of
// ER AAC LD for frame lengths 512 and 480, and of AAC LC's long (1024) and short (8 x 128) windows.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"

namespace floe::media::aac {

inline constexpr int kShortWindows = 8;        // an EIGHT_SHORT_SEQUENCE frame's windows
inline constexpr int kShortWindowLines = 128;  // lines of each

struct LdLayout {
  int sample_rate = 0;
  int frame_length = 512;
  std::span<const uint16_t> swb_offset;  // num_swb + 1 entries; the last is frame_length
  // LC only (frame_length 1024): the short windows' bands, num_short_swb + 1 entries, the last
  // 128; empty for LD.
  std::span<const uint16_t> short_offset;
  int num_swb() const { return static_cast<int>(swb_offset.size()) - 1; }
  int num_short_swb() const { return static_cast<int>(short_offset.size()) - 1; }
  bool lc() const { return frame_length == 1024; }
};

// frame_length 512 or 480; sample_rate 22050, 24000, 32000, 44100 or 48000 (the LD rates
// FFmpeg decodes).
core::Result<LdLayout> LdLayoutFor(int sample_rate, int frame_length);

// Band edges of a frame as its lines lie in the bitstream. `groups` empty: a long window, the
// layout's swb_offset. Otherwise the lengths of an EIGHT_SHORT frame's window groups (summing to
// 8): the bands of group g come after those of the groups before it, and band b of a group holds
// band b's lines of each of its windows in turn (window after window: the interleaving of
// ISO/IEC 14496-3 4.6.2.3), so group g's band b starts at 128 * (windows before g) +
// len(g) * short_offset[b] and is len(g) times as wide as the short band.
std::vector<uint16_t> GroupedBandOffsets(const LdLayout& layout, std::span<const int> groups);

}  // namespace floe::media::aac
