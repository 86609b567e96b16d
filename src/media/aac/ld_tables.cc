// swb_offset tables of ER AAC LD (ISO/IEC 14496-3 4.5.4): 44.1 kHz shares
// the 48 kHz table and 22.05 kHz the 24 kHz one, as in the standard.
#include "media/aac/ld_tables.h"

#include <string>

namespace floe::media::aac {
namespace {

constexpr uint16_t kSwb512At48[] = {0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,  44,  48,
                                    52,  56,  60,  68,  76,  84,  92,  100, 112, 124, 136, 148, 164,
                                    184, 208, 236, 268, 300, 332, 364, 396, 428, 460, 512};

constexpr uint16_t kSwb480At48[] = {0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,  44,
                                    48,  52,  56,  64,  72,  80,  88,  96,  108, 120, 132, 144,
                                    156, 172, 188, 212, 240, 272, 304, 336, 368, 400, 432, 480};

constexpr uint16_t kSwb512At32[] = {0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,  44,  48,
                                    52,  56,  64,  72,  80,  88,  96,  108, 120, 132, 144, 160, 176,
                                    192, 212, 236, 260, 288, 320, 352, 384, 416, 448, 480, 512};

constexpr uint16_t kSwb480At32[] = {0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,  44,  48,
                                    52,  56,  60,  64,  72,  80,  88,  96,  104, 112, 124, 136, 148,
                                    164, 180, 200, 224, 256, 288, 320, 352, 384, 416, 448, 480};

constexpr uint16_t kSwb512At24[] = {0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,
                                    44,  52,  60,  68,  80,  92,  104, 120, 140, 164, 192,
                                    224, 256, 288, 320, 352, 384, 416, 448, 480, 512};

constexpr uint16_t kSwb480At24[] = {0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,
                                    44,  52,  60,  68,  80,  92,  104, 120, 140, 164, 192,
                                    224, 256, 288, 320, 352, 384, 416, 448, 480};

// AAC LC long windows (ISO/IEC 14496-3 4.5.4, tables of swb_offset_long_window): 44.1 kHz
// shares the 48 kHz table and 22.05 kHz the 24 kHz one.
constexpr uint16_t kSwb1024At48[] = {
    0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,  48,  56,  64,  72,  80,  88,
    96,  108, 120, 132, 144, 160, 176, 196, 216, 240, 264, 292, 320, 352, 384, 416, 448,
    480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800, 832, 864, 896, 928, 1024};

constexpr uint16_t kSwb1024At32[] = {
    0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,  48,  56,  64,  72,  80,  88,  96,
    108, 120, 132, 144, 160, 176, 196, 216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512,
    544, 576, 608, 640, 672, 704, 736, 768, 800, 832, 864, 896, 928, 960, 992, 1024};

constexpr uint16_t kSwb1024At24[] = {0,   4,   8,   12,  16,  20,  24,  28,  32,  36,  40,  44,
                                     52,  60,  68,  76,  84,  92,  100, 108, 116, 124, 136, 148,
                                     160, 172, 188, 204, 220, 240, 260, 284, 308, 336, 364, 396,
                                     432, 468, 508, 552, 600, 652, 704, 768, 832, 896, 960, 1024};

constexpr uint16_t kSwb1024At16[] = {0,   8,   16,  24,  32,  40,  48,  56,  64,  72,  80,
                                     88,  100, 112, 124, 136, 148, 160, 172, 184, 196, 212,
                                     228, 244, 260, 280, 300, 320, 344, 368, 396, 424, 456,
                                     492, 532, 572, 616, 664, 716, 772, 832, 896, 960, 1024};

// AAC LC short windows (swb_offset_short_window): 44.1 and 32 kHz share the 48 kHz table, 22.05
// kHz the 24 kHz one.
constexpr uint16_t kSwb128At48[] = {0, 4, 8, 12, 16, 20, 28, 36, 44, 56, 68, 80, 96, 112, 128};
constexpr uint16_t kSwb128At24[] = {0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 64, 76, 92, 108, 128};
constexpr uint16_t kSwb128At16[] = {0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 60, 72, 88, 108, 128};

}  // namespace

core::Result<LdLayout> LdLayoutFor(int sample_rate, int frame_length) {
  if (frame_length == 1024) {
    switch (sample_rate) {
      case 48000:
      case 44100:
        return LdLayout{sample_rate, frame_length, kSwb1024At48, kSwb128At48};
      case 32000:
        return LdLayout{sample_rate, frame_length, kSwb1024At32, kSwb128At48};
      case 24000:
      case 22050:
        return LdLayout{sample_rate, frame_length, kSwb1024At24, kSwb128At24};
      case 16000:
        return LdLayout{sample_rate, frame_length, kSwb1024At16, kSwb128At16};
      default:
        return core::Error::InvalidParameter(
            "Lc.SampleRate", "is " + std::to_string(sample_rate) +
                                 "; allowed: 48000, 44100, 32000, 24000, 22050, 16000");
    }
  }
  if (frame_length != 512 && frame_length != 480)
    return core::Error::InvalidParameter(
        "Ld.FrameLength", "is " + std::to_string(frame_length) + "; allowed: 512, 480");
  const bool long_frame = frame_length == 512;
  std::span<const uint16_t> offsets;
  switch (sample_rate) {
    case 48000:
    case 44100:
      offsets = long_frame ? std::span<const uint16_t>(kSwb512At48) : kSwb480At48;
      break;
    case 32000:
      offsets = long_frame ? std::span<const uint16_t>(kSwb512At32) : kSwb480At32;
      break;
    case 24000:
    case 22050:
      offsets = long_frame ? std::span<const uint16_t>(kSwb512At24) : kSwb480At24;
      break;
    default:
      return core::Error::InvalidParameter(
          "Ld.SampleRate",
          "is " + std::to_string(sample_rate) + "; allowed: 48000, 44100, 32000, 24000, 22050");
  }
  return LdLayout{sample_rate, frame_length, offsets, {}};
}

std::vector<uint16_t> GroupedBandOffsets(const LdLayout& layout, std::span<const int> groups) {
  std::vector<uint16_t> out{0};
  if (groups.empty()) {
    out.assign(layout.swb_offset.begin(), layout.swb_offset.end());
    return out;
  }
  int window = 0;
  for (int len : groups) {
    const int base = window * kShortWindowLines;
    for (int b = 1; b <= layout.num_short_swb(); ++b)
      out.push_back(static_cast<uint16_t>(base + len * layout.short_offset[b]));
    window += len;
  }
  return out;
}

}  // namespace floe::media::aac
