// individual_channel_stream() and the raw data block of Floe's AAC core (ISO/IEC 14496-3 4.4.2):
// er_raw_data_block() of ER AAC LD with every resilience tool off for layouts of 512 and 480
// lines, raw_data_block() of AAC LC (element id before, ID_END after) for layouts of 1024, whose
// frames may also take the transition windows and EIGHT_SHORT_SEQUENCE with window groups. No
// pulse, TNS, gain control or LTP.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "media/aac/bit_writer.h"
#include "media/aac/ld_tables.h"

namespace floe::media::aac {

// window_sequence values (LC only; LD frames are ONLY_LONG).
inline constexpr int kOnlyLong = 0;
inline constexpr int kLongStart = 1;
inline constexpr int kEightShort = 2;
inline constexpr int kLongStop = 3;

struct IcsChannel {
  int window_shape = 1;  // 0 sine, 1 low-overlap LD window (LC: 1 = KBD)
  int window_sequence = kOnlyLong;
  std::vector<int> groups;        // EIGHT_SHORT: the window groups' lengths, summing to 8
  int max_sfb = 0;                // bands coded (short: in every group); lines above are 0
  std::vector<int> scalefactors;  // per band of GroupedBandOffsets (long: < max_sfb; short:
                                  // group g's band b at g * num_short_swb + b): absolute
                                  // scalefactor (global_gain scale); ignored for all-zero bands;
                                  // consecutive coded bands differ by at most 60
  std::vector<int> quant;         // frame_length signed quantised lines in bitstream order
                                  // (GroupedBandOffsets), |q| <= 8191
};

// Exact bits individual_channel_stream() takes with the best sectioning (the writer writes
// exactly this; trailing all-zero bands are left out of max_sfb). An error as WriteLdRawDataBlock.
core::Result<int> CountIcsBits(const LdLayout& layout, const IcsChannel& ch);
// Bits of one band's lines with its cheapest book (0 when all zero; -1 when a value exceeds
// 8191) — for a quantiser's rate loop. The plan CountIcsBits prices adds section and
// scalefactor bits, and may code a zero band inside a section of a neighbour's book.
int BandBits(std::span<const int> q);
// The raw data block: 1 channel = SCE, 2 = CPE, element_instance_tag 0, then byte alignment.
// `ms` empty: the CPE has common_window 0. Otherwise (two channels with one window_shape,
// window_sequence and grouping) one entry per band of GroupedBandOffsets, non-zero where the
// channels hold mid (L+R)/2 and side (L-R)/2 (a decoder gives back L = M + S, R = M - S):
// common_window 1, one ics_info with the larger max_sfb, and ms_mask_present 1 (0 when no band is
// mid/side). Error (naming what) on a scalefactor delta > 60 or outside 0..255, a value > 8191, a
// non-zero line above max_sfb, or an `ms` that does not fit; nothing is written then.
core::Result<void> WriteLdRawDataBlock(const LdLayout& layout, std::span<const IcsChannel> channels,
                                       BitWriter& out, std::span<const uint8_t> ms = {});
// The bits WriteLdRawDataBlock writes before its byte alignment (same errors).
core::Result<int> CountElementBits(const LdLayout& layout, std::span<const IcsChannel> channels,
                                   std::span<const uint8_t> ms = {});

}  // namespace floe::media::aac
