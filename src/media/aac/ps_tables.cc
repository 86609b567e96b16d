// Tables of the parametric stereo bitstream: 14496-3 Annex 8.A Huffman codes typed in as
// {code, length} per symbol (symbol = delta + lav), and the stereo band layout of Table 8.48.
#include "media/aac/ps_tables.h"

namespace floe::media::aac {
namespace {

// clang-format off
// Coarse IID, delta in frequency: deltas -14..+14.
constexpr HuffCode kIidDf[] = {
    {0x1fffb, 17}, {0x1fffc, 17}, {0x1fffd, 17}, {0x1fffa, 17}, {0x0fffc, 16}, {0x07ffc, 15},
    {0x01ffd, 13}, {0x003fe, 10}, {0x001fe, 9},  {0x0007e, 7},  {0x0003c, 6},  {0x0001d, 5},
    {0x0000d, 4},  {0x00005, 3},  {0x00000, 1},  {0x00004, 3},  {0x0000c, 4},  {0x0001c, 5},
    {0x0003d, 6},  {0x0003e, 6},  {0x000fe, 8},  {0x007fe, 11}, {0x01ffc, 13}, {0x03ffc, 14},
    {0x03ffd, 14}, {0x07ffd, 15}, {0x1fffe, 17}, {0x3fffe, 18}, {0x3ffff, 18},
};
// Coarse IID, delta in time: deltas -14..+14.
constexpr HuffCode kIidDt[] = {
    {0x7fff9, 19}, {0x7fffa, 19}, {0x7fffb, 19}, {0xffff8, 20}, {0xffff9, 20}, {0xffffa, 20},
    {0x1fffd, 17}, {0x07ffe, 15}, {0x00ffe, 12}, {0x003fe, 10}, {0x000fe, 8},  {0x0003e, 6},
    {0x0000e, 4},  {0x00002, 2},  {0x00000, 1},  {0x00006, 3},  {0x0001e, 5},  {0x0007e, 7},
    {0x001fe, 9},  {0x007fe, 11}, {0x01ffe, 13}, {0x03ffe, 14}, {0x1fffc, 17}, {0x7fff8, 19},
    {0xffffb, 20}, {0xffffc, 20}, {0xffffd, 20}, {0xffffe, 20}, {0xfffff, 20},
};
// ICC, delta in frequency: deltas -7..+7.
constexpr HuffCode kIccDf[] = {
    {0x3fff, 14}, {0x3ffe, 14}, {0x0ffe, 12}, {0x03fe, 10}, {0x007e, 7}, {0x001e, 5},
    {0x0006, 3},  {0x0000, 1},  {0x0002, 2},  {0x000e, 4},  {0x003e, 6}, {0x00fe, 8},
    {0x01fe, 9},  {0x07fe, 11}, {0x1ffe, 13},
};
// ICC, delta in time: deltas -7..+7.
constexpr HuffCode kIccDt[] = {
    {0x3ffe, 14}, {0x1ffe, 13}, {0x07fe, 11}, {0x01fe, 9},  {0x007e, 7}, {0x001e, 5},
    {0x0006, 3},  {0x0000, 1},  {0x0002, 2},  {0x000e, 4},  {0x003e, 6}, {0x00fe, 8},
    {0x03fe, 10}, {0x0ffe, 12}, {0x3fff, 14},
};

// Table 8.48 read per QMF band, hybrid sub-bands of QMF bands 0..2 taken whole.
constexpr QmfRange k20Bands[] = {
    {0, 1}, {0, 1}, {0, 1}, {0, 1}, {1, 2}, {1, 2}, {2, 3}, {2, 3}, {3, 4}, {4, 5},
    {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 11}, {11, 14}, {14, 18}, {18, 23}, {23, 35}, {35, 64},
};
// The 10-band configuration: band b is 20-band bands 2b and 2b + 1 (the decoder maps it so).
constexpr QmfRange k10Bands[] = {
    {0, 1}, {0, 1}, {1, 2}, {2, 3}, {3, 5}, {5, 7}, {7, 9}, {9, 14}, {14, 23}, {23, 64},
};
// clang-format on

constexpr PsHuffTable kTables[] = {
    {kIidDf, 14},
    {kIidDt, 14},
    {kIccDf, 7},
    {kIccDt, 7},
};

}  // namespace

const PsHuffTable& GetPsHuffTable(PsHuff table) {
  return kTables[static_cast<int>(table)];
}

std::span<const QmfRange> PsBandQmfRanges(int bands) {
  if (bands == 20) return k20Bands;
  if (bands == 10) return k10Bands;
  return {};
}

}  // namespace floe::media::aac
