// Per-frame SBR parameters for the HE-AAC encoder: the header chosen once per stream, and each
// frame's envelope, noise floor and inverse filtering from its QMF slots, as sbr_extension_data().
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "media/aac/bit_writer.h"
#include "media/aac/qmf.h"
#include "media/aac/sbr_writer.h"

namespace floe::media::aac {

// The SBR header for `sample_rate` (the output rate: 32000, 44100 or 48000), `channels` (1, 2)
// and the total `bit_rate`; an error outside the rates and bitrates the table covers.
core::Result<SbrConfig> ChooseSbrConfig(int sample_rate, int channels, int64_t bit_rate);

// Bits per frame the SBR FIL element is budgeted at (header every frame, typical deltas); the
// core's bit_rate is the target minus this at the frame rate.
int SbrBudgetBitsPerFrame(const SbrConfig& config, int channels);

class SbrEncoder {
 public:
  SbrEncoder(SbrConfig config, int channels);

  // `slots[ch]` holds the 32 QMF slots of this frame for channel ch, already aligned with what
  // the decoder applies this packet's SBR data to. Returns sbr_extension_data() for a FIL.
  core::Result<BitWriter> EncodeFrame(std::span<const std::vector<QmfAnalysis::Slot>> slots);

  const SbrConfig& config() const { return config_; }

 private:
  SbrConfig config_;
  int channels_;
};

}  // namespace floe::media::aac
