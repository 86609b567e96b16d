// Tables of the parametric stereo bitstream (ISO/IEC 14496-3 8.A): Huffman codes of coarse IID
// and ICC deltas, the IID and ICC quantiser values, and which QMF bands feed each stereo band.
#pragma once

#include <array>
#include <span>

#include "media/aac/sbr_tables.h"

namespace floe::media::aac {

// A delta table: codes[delta + lav] codes delta, for -lav <= delta <= lav.
struct PsHuffTable {
  std::span<const HuffCode> codes;
  int lav;
};

// The tables Floe writes (df = delta in frequency, dt = delta in time). Fine IID (iid_mode 3..5)
// is never written, so its tables are not here.
enum class PsHuff { kIidDf, kIidDt, kIccDf, kIccDt };

const PsHuffTable& GetPsHuffTable(PsHuff table);

// Coarse IID quantiser: index -7..7 stands for kIidDb[index + 7] dB, left over right.
inline constexpr int kIidMaxIndex = 7;
inline constexpr std::array<double, 15> kIidDb = {-25, -18, -14, -10, -7, -4, -2, 0,
                                                  2,   4,   7,   10,  14, 18, 25};
// ICC quantiser: index 0..7 stands for the normalised coherence kIcc[index].
inline constexpr int kIccMaxIndex = 7;
inline constexpr std::array<double, 8> kIcc = {1.0,     0.937, 0.84118, 0.60092,
                                               0.36764, 0.0,   -0.589,  -1.0};

// QMF bands [begin, end) whose energies make stereo band b in the 10- or 20-band configuration
// (iid_mode/icc_mode 0 or 1). The decoder splits QMF bands 0..2 further with its hybrid filter
// (Table 8.48: 20-band bands 0..3 come from QMF band 0, 4..5 from 1, 6..7 from 2); without that
// split the encoder measures those bands on their whole QMF band, so they share one estimate.
struct QmfRange {
  int begin;
  int end;
};
std::span<const QmfRange> PsBandQmfRanges(int bands);  // bands: 10 or 20; empty otherwise

}  // namespace floe::media::aac
