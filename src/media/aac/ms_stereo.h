// Mid/side stereo for Floe's AAC core: per scalefactor band, a channel pair is coded as left
// and right or as mid (L+R)/2 and side (L-R)/2, whichever the perceptual entropy estimate says
// costs fewer bits at the noise the psychoacoustic model allows. Voices and instruments panned
// between the speakers are nearly the same signal in both: their side is far below their mid.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "media/aac/ld_tables.h"

namespace floe::media::aac {

// spectra[0..1] (left, right) and allowed[0..1] (the noise each band may hold) of one frame.
// Returns one flag per band of `layout`, set where the band is now mid (in spectra[0]) and side
// (in spectra[1]); those bands' allowed noise becomes half the smaller of the two channels'
// (a decoder adds the mid's and the side's noise into each output channel).
std::vector<uint8_t> ChooseMidSide(const LdLayout& layout, std::span<std::vector<float>> spectra,
                                   std::span<std::vector<double>> allowed);

}  // namespace floe::media::aac
