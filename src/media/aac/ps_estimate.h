// Parametric stereo analysis for the HE-AACv2 encoder: the mono downmix the core codes, and per
// stereo band the level difference (IID) and coherence (ICC) that let a decoder rebuild the
// stereo image from it (ISO/IEC 14496-3 subpart 8; encoder side as in 3GPP TS 26.405).
#pragma once

#include <span>
#include <vector>

#include "media/aac/qmf.h"

namespace floe::media::aac {

// The downmix the core and SBR encode: M = (L + R) / 2. The decoder rebuilds L and R with
// L^2 + R^2 = 2 M^2, so a coherent source keeps its level and an uncorrelated (wide) one comes
// out up to 3 dB quieter; out-of-phase content cancels (the PS baseline has no phase tools).
void Downmix(std::span<const float> left, std::span<const float> right, std::span<float> out);

// Nearest coarse IID index (-7..7) for a level difference in dB, left over right.
int QuantiseIid(double db);
// Nearest ICC index (0..7) for a normalised coherence (-1..1).
int QuantiseIcc(double icc);

struct PsBandEstimate {
  double iid_db = 0;  // 10 log10(E_L / E_R), limited to +-50 dB
  double icc = 1;     // Re<L, R> / sqrt(E_L E_R); 1 where either side is silent
  int iid = 0;        // quantised: coarse IID index
  int icc_index = 0;  // quantised: ICC index
};

// Per stereo band (10 or 20, PsBandQmfRanges) over QMF slots [slot_begin, slot_end) of the left
// and right channels' QMF analyses. Silence in both channels reads as centred and coherent.
std::vector<PsBandEstimate> EstimatePsBands(std::span<const QmfAnalysis::Slot> left,
                                            std::span<const QmfAnalysis::Slot> right,
                                            int slot_begin, int slot_end, int bands);

}  // namespace floe::media::aac
