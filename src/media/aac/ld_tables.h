// Scalefactor band layout of ER AAC LD (ISO/IEC 14496-3 4.5.4): the swb_offset tables for frame
// lengths 512 and 480.
#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"

namespace floe::media::aac {

struct LdLayout {
  int sample_rate = 0;
  int frame_length = 512;
  std::span<const uint16_t> swb_offset;  // num_swb + 1 entries; the last is frame_length
  int num_swb() const { return static_cast<int>(swb_offset.size()) - 1; }
};

// frame_length 512 or 480; sample_rate 22050, 24000, 32000, 44100 or 48000 (the LD rates
// FFmpeg decodes).
core::Result<LdLayout> LdLayoutFor(int sample_rate, int frame_length);

}  // namespace floe::media::aac
