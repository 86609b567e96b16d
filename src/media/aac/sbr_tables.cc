// Tables of the SBR bitstream: ISO/IEC 14496-3 Table 4.82 (start offsets) and Annex 4.A
// (Huffman codes), typed in as {code, length} per symbol, symbol = delta + lav.
#include "media/aac/sbr_tables.h"

namespace floe::media::aac {
namespace {

// Rows of the start-frequency offset table, one per class of SBR sampling rate.
constexpr int8_t kOffset16k[16] = {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};
constexpr int8_t kOffset22k[16] = {-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13};
constexpr int8_t kOffset24k[16] = {-5, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 16};
constexpr int8_t kOffset32k[16] = {-6, -4, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 16};
constexpr int8_t kOffset48k[16] = {-4, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 16, 20};
constexpr int8_t kOffset96k[16] = {-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 16, 20, 24};

// clang-format off
// kEnv15T: deltas -60..+60.
constexpr HuffCode kEnv15T[] = {
    {0x3ffd6, 18}, {0x3ffd7, 18}, {0x3ffd8, 18}, {0x3ffd9, 18}, {0x3ffda, 18}, {0x3ffdb, 18},
    {0x7ffb8, 19}, {0x7ffb9, 19}, {0x7ffba, 19}, {0x7ffbb, 19}, {0x7ffbc, 19}, {0x7ffbd, 19},
    {0x7ffbe, 19}, {0x7ffbf, 19}, {0x7ffc0, 19}, {0x7ffc1, 19}, {0x7ffc2, 19}, {0x7ffc3, 19},
    {0x7ffc4, 19}, {0x7ffc5, 19}, {0x7ffc6, 19}, {0x7ffc7, 19}, {0x7ffc8, 19}, {0x7ffc9, 19},
    {0x7ffca, 19}, {0x7ffcb, 19}, {0x7ffcc, 19}, {0x7ffcd, 19}, {0x7ffce, 19}, {0x7ffcf, 19},
    {0x7ffd0, 19}, {0x7ffd1, 19}, {0x7ffd2, 19}, {0x7ffd3, 19}, {0x1ffe6, 17}, {0x3ffd4, 18},
    {0x0fff0, 16}, {0x1ffe9, 17}, {0x3ffd5, 18}, {0x1ffe7, 17}, {0x0fff1, 16}, {0x0ffec, 16},
    {0x0ffed, 16}, {0x0ffee, 16}, {0x07ff4, 15}, {0x03ff9, 14}, {0x03ff7, 14}, {0x01ffa, 13},
    {0x01ff9, 13}, {0x00ffb, 12}, {0x007fc, 11}, {0x003fc, 10}, {0x001fd, 9}, {0x000fd, 8},
    {0x0007d, 7}, {0x0003d, 6}, {0x0001d, 5}, {0x0000d, 4}, {0x00005, 3}, {0x00001, 2},
    {0x00000, 2}, {0x00004, 3}, {0x0000c, 4}, {0x0001c, 5}, {0x0003c, 6}, {0x0007c, 7},
    {0x000fc, 8}, {0x001fc, 9}, {0x003fd, 10}, {0x00ffa, 12}, {0x01ff8, 13}, {0x03ff6, 14},
    {0x03ff8, 14}, {0x07ff5, 15}, {0x0ffef, 16}, {0x1ffe8, 17}, {0x0fff2, 16}, {0x7ffd4, 19},
    {0x7ffd5, 19}, {0x7ffd6, 19}, {0x7ffd7, 19}, {0x7ffd8, 19}, {0x7ffd9, 19}, {0x7ffda, 19},
    {0x7ffdb, 19}, {0x7ffdc, 19}, {0x7ffdd, 19}, {0x7ffde, 19}, {0x7ffdf, 19}, {0x7ffe0, 19},
    {0x7ffe1, 19}, {0x7ffe2, 19}, {0x7ffe3, 19}, {0x7ffe4, 19}, {0x7ffe5, 19}, {0x7ffe6, 19},
    {0x7ffe7, 19}, {0x7ffe8, 19}, {0x7ffe9, 19}, {0x7ffea, 19}, {0x7ffeb, 19}, {0x7ffec, 19},
    {0x7ffed, 19}, {0x7ffee, 19}, {0x7ffef, 19}, {0x7fff0, 19}, {0x7fff1, 19}, {0x7fff2, 19},
    {0x7fff3, 19}, {0x7fff4, 19}, {0x7fff5, 19}, {0x7fff6, 19}, {0x7fff7, 19}, {0x7fff8, 19},
    {0x7fff9, 19}, {0x7fffa, 19}, {0x7fffb, 19}, {0x7fffc, 19}, {0x7fffd, 19}, {0x7fffe, 19},
    {0x7ffff, 19},
};

// kEnv15F: deltas -60..+60.
constexpr HuffCode kEnv15F[] = {
    {0x7ffe7, 19}, {0x7ffe8, 19}, {0xfffd2, 20}, {0xfffd3, 20}, {0xfffd4, 20}, {0xfffd5, 20},
    {0xfffd6, 20}, {0xfffd7, 20}, {0xfffd8, 20}, {0x7ffda, 19}, {0xfffd9, 20}, {0xfffda, 20},
    {0xfffdb, 20}, {0xfffdc, 20}, {0x7ffdb, 19}, {0xfffdd, 20}, {0x7ffdc, 19}, {0x7ffdd, 19},
    {0xfffde, 20}, {0x3ffe4, 18}, {0xfffdf, 20}, {0xfffe0, 20}, {0xfffe1, 20}, {0x7ffde, 19},
    {0xfffe2, 20}, {0xfffe3, 20}, {0xfffe4, 20}, {0x7ffdf, 19}, {0xfffe5, 20}, {0x7ffe0, 19},
    {0x3ffe8, 18}, {0x7ffe1, 19}, {0x3ffe0, 18}, {0x3ffe9, 18}, {0x1ffef, 17}, {0x3ffe5, 18},
    {0x1ffec, 17}, {0x1ffed, 17}, {0x1ffee, 17}, {0x0fff4, 16}, {0x0fff3, 16}, {0x0fff0, 16},
    {0x07ff7, 15}, {0x07ff6, 15}, {0x03ffa, 14}, {0x01ffa, 13}, {0x01ff9, 13}, {0x00ffa, 12},
    {0x00ff8, 12}, {0x007f9, 11}, {0x003fb, 10}, {0x001fc, 9}, {0x001fa, 9}, {0x000fb, 8},
    {0x0007c, 7}, {0x0003c, 6}, {0x0001c, 5}, {0x0000c, 4}, {0x00005, 3}, {0x00001, 2},
    {0x00000, 2}, {0x00004, 3}, {0x0000d, 4}, {0x0001d, 5}, {0x0003d, 6}, {0x000fa, 8},
    {0x000fc, 8}, {0x001fb, 9}, {0x003fa, 10}, {0x007f8, 11}, {0x007fa, 11}, {0x007fb, 11},
    {0x00ff9, 12}, {0x00ffb, 12}, {0x01ff8, 13}, {0x01ffb, 13}, {0x03ff8, 14}, {0x03ff9, 14},
    {0x0fff1, 16}, {0x0fff2, 16}, {0x1ffea, 17}, {0x1ffeb, 17}, {0x3ffe1, 18}, {0x3ffe2, 18},
    {0x3ffea, 18}, {0x3ffe3, 18}, {0x3ffe6, 18}, {0x3ffe7, 18}, {0x3ffeb, 18}, {0xfffe6, 20},
    {0x7ffe2, 19}, {0xfffe7, 20}, {0xfffe8, 20}, {0xfffe9, 20}, {0xfffea, 20}, {0xfffeb, 20},
    {0xfffec, 20}, {0x7ffe3, 19}, {0xfffed, 20}, {0xfffee, 20}, {0xfffef, 20}, {0xffff0, 20},
    {0x7ffe4, 19}, {0xffff1, 20}, {0x3ffec, 18}, {0xffff2, 20}, {0xffff3, 20}, {0x7ffe5, 19},
    {0x7ffe6, 19}, {0xffff4, 20}, {0xffff5, 20}, {0xffff6, 20}, {0xffff7, 20}, {0xffff8, 20},
    {0xffff9, 20}, {0xffffa, 20}, {0xffffb, 20}, {0xffffc, 20}, {0xffffd, 20}, {0xffffe, 20},
    {0xfffff, 20},
};

// kEnvBal15T: deltas -24..+24.
constexpr HuffCode kEnvBal15T[] = {
    {0x0ffe4, 16}, {0x0ffe5, 16}, {0x0ffe6, 16}, {0x0ffe7, 16}, {0x0ffe8, 16}, {0x0ffe9, 16},
    {0x0ffea, 16}, {0x0ffeb, 16}, {0x0ffec, 16}, {0x0ffed, 16}, {0x0ffee, 16}, {0x0ffef, 16},
    {0x0fff0, 16}, {0x0fff1, 16}, {0x0fff2, 16}, {0x0fff3, 16}, {0x0fff4, 16}, {0x0ffe2, 16},
    {0x00ffc, 12}, {0x007fc, 11}, {0x001fe, 9}, {0x0007e, 7}, {0x0001e, 5}, {0x00006, 3},
    {0x00000, 1}, {0x00002, 2}, {0x0000e, 4}, {0x0003e, 6}, {0x000fe, 8}, {0x007fd, 11},
    {0x00ffd, 12}, {0x07ff0, 15}, {0x0ffe3, 16}, {0x0fff5, 16}, {0x0fff6, 16}, {0x0fff7, 16},
    {0x0fff8, 16}, {0x0fff9, 16}, {0x0fffa, 16}, {0x1fff6, 17}, {0x1fff7, 17}, {0x1fff8, 17},
    {0x1fff9, 17}, {0x1fffa, 17}, {0x1fffb, 17}, {0x1fffc, 17}, {0x1fffd, 17}, {0x1fffe, 17},
    {0x1ffff, 17},
};

// kEnvBal15F: deltas -24..+24.
constexpr HuffCode kEnvBal15F[] = {
    {0x3ffe2, 18}, {0x3ffe3, 18}, {0x3ffe4, 18}, {0x3ffe5, 18}, {0x3ffe6, 18}, {0x3ffe7, 18},
    {0x3ffe8, 18}, {0x3ffe9, 18}, {0x3ffea, 18}, {0x3ffeb, 18}, {0x3ffec, 18}, {0x3ffed, 18},
    {0x3ffee, 18}, {0x3ffef, 18}, {0x3fff0, 18}, {0x0fff7, 16}, {0x1fff0, 17}, {0x03ffc, 14},
    {0x007fe, 11}, {0x007fc, 11}, {0x000fe, 8}, {0x0007e, 7}, {0x0000e, 4}, {0x00002, 2},
    {0x00000, 1}, {0x00006, 3}, {0x0001e, 5}, {0x0003e, 6}, {0x001fe, 9}, {0x007fd, 11},
    {0x00ffe, 12}, {0x07ffa, 15}, {0x0fff6, 16}, {0x3fff1, 18}, {0x3fff2, 18}, {0x3fff3, 18},
    {0x3fff4, 18}, {0x3fff5, 18}, {0x3fff6, 18}, {0x3fff7, 18}, {0x3fff8, 18}, {0x3fff9, 18},
    {0x3fffa, 18}, {0x3fffb, 18}, {0x3fffc, 18}, {0x3fffd, 18}, {0x3fffe, 18}, {0x7fffe, 19},
    {0x7ffff, 19},
};

// kEnv30T: deltas -31..+31.
constexpr HuffCode kEnv30T[] = {
    {0x3ffed, 18}, {0x3ffee, 18}, {0x7ffde, 19}, {0x7ffdf, 19}, {0x7ffe0, 19}, {0x7ffe1, 19},
    {0x7ffe2, 19}, {0x7ffe3, 19}, {0x7ffe4, 19}, {0x7ffe5, 19}, {0x7ffe6, 19}, {0x7ffe7, 19},
    {0x7ffe8, 19}, {0x7ffe9, 19}, {0x7ffea, 19}, {0x7ffeb, 19}, {0x7ffec, 19}, {0x1fff4, 17},
    {0x0fff7, 16}, {0x0fff9, 16}, {0x0fff8, 16}, {0x03ffb, 14}, {0x03ffa, 14}, {0x03ff8, 14},
    {0x01ffa, 13}, {0x00ffc, 12}, {0x007fc, 11}, {0x000fe, 8}, {0x0003e, 6}, {0x0000e, 4},
    {0x00002, 2}, {0x00000, 1}, {0x00006, 3}, {0x0001e, 5}, {0x0007e, 7}, {0x001fe, 9},
    {0x007fd, 11}, {0x01ffb, 13}, {0x03ff9, 14}, {0x03ffc, 14}, {0x07ffa, 15}, {0x0fff6, 16},
    {0x1fff5, 17}, {0x3ffec, 18}, {0x7ffed, 19}, {0x7ffee, 19}, {0x7ffef, 19}, {0x7fff0, 19},
    {0x7fff1, 19}, {0x7fff2, 19}, {0x7fff3, 19}, {0x7fff4, 19}, {0x7fff5, 19}, {0x7fff6, 19},
    {0x7fff7, 19}, {0x7fff8, 19}, {0x7fff9, 19}, {0x7fffa, 19}, {0x7fffb, 19}, {0x7fffc, 19},
    {0x7fffd, 19}, {0x7fffe, 19}, {0x7ffff, 19},
};

// kEnv30F: deltas -31..+31.
constexpr HuffCode kEnv30F[] = {
    {0xffff0, 20}, {0xffff1, 20}, {0xffff2, 20}, {0xffff3, 20}, {0xffff4, 20}, {0xffff5, 20},
    {0xffff6, 20}, {0x3fff3, 18}, {0x7fff5, 19}, {0x7ffee, 19}, {0x7ffef, 19}, {0x7fff6, 19},
    {0x3fff4, 18}, {0x3fff2, 18}, {0xffff7, 20}, {0x7fff0, 19}, {0x1fff5, 17}, {0x3fff0, 18},
    {0x1fff4, 17}, {0x0fff7, 16}, {0x0fff6, 16}, {0x07ff8, 15}, {0x03ffb, 14}, {0x00ffd, 12},
    {0x007fd, 11}, {0x003fd, 10}, {0x001fd, 9}, {0x000fd, 8}, {0x0003e, 6}, {0x0000e, 4},
    {0x00002, 2}, {0x00000, 1}, {0x00006, 3}, {0x0001e, 5}, {0x000fc, 8}, {0x001fc, 9},
    {0x003fc, 10}, {0x007fc, 11}, {0x00ffc, 12}, {0x01ffc, 13}, {0x03ffa, 14}, {0x07ff9, 15},
    {0x07ffa, 15}, {0x0fff8, 16}, {0x0fff9, 16}, {0x1fff6, 17}, {0x1fff7, 17}, {0x3fff5, 18},
    {0x3fff6, 18}, {0x3fff1, 18}, {0xffff8, 20}, {0x7fff1, 19}, {0x7fff2, 19}, {0x7fff3, 19},
    {0xffff9, 20}, {0x7fff7, 19}, {0x7fff4, 19}, {0xffffa, 20}, {0xffffb, 20}, {0xffffc, 20},
    {0xffffd, 20}, {0xffffe, 20}, {0xfffff, 20},
};

// kEnvBal30T: deltas -12..+12.
constexpr HuffCode kEnvBal30T[] = {
    {0x01ff2, 13}, {0x01ff3, 13}, {0x01ff4, 13}, {0x01ff5, 13}, {0x01ff6, 13}, {0x01ff7, 13},
    {0x01ff8, 13}, {0x00ff8, 12}, {0x000fe, 8}, {0x0007e, 7}, {0x0000e, 4}, {0x00006, 3},
    {0x00000, 1}, {0x00002, 2}, {0x0001e, 5}, {0x0003e, 6}, {0x001fe, 9}, {0x01ff9, 13},
    {0x01ffa, 13}, {0x01ffb, 13}, {0x01ffc, 13}, {0x01ffd, 13}, {0x01ffe, 13}, {0x03ffe, 14},
    {0x03fff, 14},
};

// kEnvBal30F: deltas -12..+12.
constexpr HuffCode kEnvBal30F[] = {
    {0x01ff7, 13}, {0x01ff8, 13}, {0x01ff9, 13}, {0x01ffa, 13}, {0x01ffb, 13}, {0x03ff8, 14},
    {0x03ff9, 14}, {0x007fc, 11}, {0x000fe, 8}, {0x0007e, 7}, {0x0000e, 4}, {0x00002, 2},
    {0x00000, 1}, {0x00006, 3}, {0x0001e, 5}, {0x0003e, 6}, {0x001fe, 9}, {0x00ffa, 12},
    {0x01ff6, 13}, {0x03ffa, 14}, {0x03ffb, 14}, {0x03ffc, 14}, {0x03ffd, 14}, {0x03ffe, 14},
    {0x03fff, 14},
};

// kNoise30T: deltas -31..+31.
constexpr HuffCode kNoise30T[] = {
    {0x01fce, 13}, {0x01fcf, 13}, {0x01fd0, 13}, {0x01fd1, 13}, {0x01fd2, 13}, {0x01fd3, 13},
    {0x01fd4, 13}, {0x01fd5, 13}, {0x01fd6, 13}, {0x01fd7, 13}, {0x01fd8, 13}, {0x01fd9, 13},
    {0x01fda, 13}, {0x01fdb, 13}, {0x01fdc, 13}, {0x01fdd, 13}, {0x01fde, 13}, {0x01fdf, 13},
    {0x01fe0, 13}, {0x01fe1, 13}, {0x01fe2, 13}, {0x01fe3, 13}, {0x01fe4, 13}, {0x01fe5, 13},
    {0x01fe6, 13}, {0x01fe7, 13}, {0x007f2, 11}, {0x000fd, 8}, {0x0003e, 6}, {0x0000e, 4},
    {0x00006, 3}, {0x00000, 1}, {0x00002, 2}, {0x0001e, 5}, {0x000fc, 8}, {0x003f8, 10},
    {0x01fcc, 13}, {0x01fe8, 13}, {0x01fe9, 13}, {0x01fea, 13}, {0x01feb, 13}, {0x01fec, 13},
    {0x01fcd, 13}, {0x01fed, 13}, {0x01fee, 13}, {0x01fef, 13}, {0x01ff0, 13}, {0x01ff1, 13},
    {0x01ff2, 13}, {0x01ff3, 13}, {0x01ff4, 13}, {0x01ff5, 13}, {0x01ff6, 13}, {0x01ff7, 13},
    {0x01ff8, 13}, {0x01ff9, 13}, {0x01ffa, 13}, {0x01ffb, 13}, {0x01ffc, 13}, {0x01ffd, 13},
    {0x01ffe, 13}, {0x03ffe, 14}, {0x03fff, 14},
};

// kNoiseBal30T: deltas -12..+12.
constexpr HuffCode kNoiseBal30T[] = {
    {0x000ec, 8}, {0x000ed, 8}, {0x000ee, 8}, {0x000ef, 8}, {0x000f0, 8}, {0x000f1, 8},
    {0x000f2, 8}, {0x000f3, 8}, {0x000f4, 8}, {0x000f5, 8}, {0x0001c, 5}, {0x00002, 2},
    {0x00000, 1}, {0x00006, 3}, {0x0003a, 6}, {0x000f6, 8}, {0x000f7, 8}, {0x000f8, 8},
    {0x000f9, 8}, {0x000fa, 8}, {0x000fb, 8}, {0x000fc, 8}, {0x000fd, 8}, {0x000fe, 8},
    {0x000ff, 8},
};
// clang-format on

constexpr SbrHuffTable kTables[kSbrHuffTableCount] = {
    {kEnv15T, 60}, {kEnv15F, 60},    {kEnvBal15T, 24}, {kEnvBal15F, 24}, {kEnv30T, 31},
    {kEnv30F, 31}, {kEnvBal30T, 12}, {kEnvBal30F, 12}, {kNoise30T, 31},  {kNoiseBal30T, 12},
};

// round(n * f / fs) in integers, as the decoder computes startMin and stopMin.
int RoundedBands(int n, int f, int fs) {
  return (n * f + fs / 2) / fs;
}

}  // namespace

const SbrHuffTable& GetSbrHuffTable(SbrHuff table) {
  return kTables[static_cast<int>(table)];
}

std::optional<SbrRateClass> GetSbrRateClass(int fs) {
  const int8_t* row = nullptr;
  switch (fs) {
    case 16000:
      row = kOffset16k;
      break;
    case 22050:
      row = kOffset22k;
      break;
    case 24000:
      row = kOffset24k;
      break;
    case 32000:
      row = kOffset32k;
      break;
    case 44100:
    case 48000:
    case 64000:
      row = kOffset48k;
      break;
    case 88200:
    case 96000:
    case 128000:
    case 176400:
    case 192000:
      row = kOffset96k;
      break;
    default:
      return std::nullopt;
  }
  const int f = fs < 32000 ? 3000 : fs < 64000 ? 4000 : 5000;
  // The standard's limits on k2 - k0 ("Requirements" of 4.6.18.3.6), as FFmpeg applies them.
  const int max_range = fs <= 32000 ? 48 : fs == 44100 ? 35 : 32;
  return SbrRateClass{std::span<const int8_t, 16>(row, 16), RoundedBands(128, f, fs),
                      RoundedBands(256, f, fs), max_range};
}

}  // namespace floe::media::aac
