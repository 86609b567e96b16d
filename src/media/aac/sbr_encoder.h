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

// Finds a transient in one channel's SBR band: the energy of each QMF slot over bands
// [band_begin, band_end) against the mean of the 16 slots before it (carried across frames).
// An onset is a slot more than 10 dB above that mean and above an absolute floor (65 dB below
// full-scale white noise): steady noise wanders ~2 dB from slot to slot, so it never triggers.
// QMF slots of the next frame the detector reads to find the peak of an onset: the QMF skirt
// ahead of a hard attack spans about four.
inline constexpr int kSbrTransientLookahead = 6;

class SbrTransientDetector {
 public:
  SbrTransientDetector(int band_begin, int band_end);

  // Feeds one frame's 32 QMF slots, and up to kSbrTransientLookahead more of the next frame to
  // find the peak of an onset near the end (without them such an onset is placed too early;
  // one found to lie past the frame is left to the next frame). Returns the SBR time slot (2..14,
  // even: what VAR grids can place) at or before the frame's first onset, or 0 when there is none
  // or it falls within the first two time slots (the frame's own start is border enough).
  int Detect(std::span<const QmfAnalysis::Slot> slots);

 private:
  int band_begin_;
  int band_end_;
  std::vector<double> history_;  // energies of the last kHistory slots, oldest first
};

// The grid for a transient at SBR time slot `border` (2..14, even): a border there, the
// envelope from it marked as the transient one (bs_pointer; the decoder adds no noise floor
// in it) and the two noise floors split at it. Up to slot 8 VARFIX (0, border, border + 4,
// 16), after it FIXVAR (0, border, 16). Envelopes shorter than 4 time slots take the low
// frequency resolution: they hold too few QMF samples per band for the high one.
SbrGrid TransientGrid(int border);

// The most bits one AAC raw_data_block may hold: 6144 per channel of the core (the minimum
// decoder input buffer of 14496-3), SBR and PS data included; HE-AACv2's core has one channel.
inline constexpr size_t kAacMaxBitsPerChannel = 6144;
bool FitsAacFrameLimit(size_t packet_bytes, int core_channels);

class SbrEncoder {
 public:
  // `detect_transients` false: FIXFIX only (for comparisons; HeAacSettings::sbr_transients).
  SbrEncoder(SbrConfig config, int channels, bool detect_transients = true);

  // `slots[ch]` holds the 32 QMF slots of this frame for channel ch, already aligned with what
  // the decoder applies this packet's SBR data to; slots past them are the transient detector's
  // lookahead (SbrTransientDetector::Detect). Returns sbr_extension_data() for a FIL, with
  // `extension` (e.g. ps_data) in bs_extended_data.
  // A channel with a transient gets a VAR grid (TransientGrid), the others one FIXFIX envelope.
  core::Result<BitWriter> EncodeFrame(std::span<const std::vector<QmfAnalysis::Slot>> slots,
                                      const SbrExtension* extension = nullptr);

  // Smaller versions of the last EncodeFrame result for the same slots, for a core packet that
  // leaves too little room under kAacMaxBitsPerChannel: kNoHeader drops the header only (a
  // decoder that has seen one keeps it); kSmallest also replaces the grids with one FIXFIX
  // envelope at the low frequency resolution (half the bands). The detectors' state is untouched.
  enum class Reduction { kNoHeader, kSmallest };
  core::Result<BitWriter> EncodeReducedFrame(std::span<const std::vector<QmfAnalysis::Slot>> slots,
                                             Reduction reduction,
                                             const SbrExtension* extension = nullptr) const;

  const SbrConfig& config() const { return config_; }
  // Channel frames written with a VAR grid so far (logs and tests).
  int64_t var_frames() const { return var_frames_; }

 private:
  core::Result<BitWriter> Encode(std::span<const std::vector<QmfAnalysis::Slot>> slots,
                                 std::span<const int> transients, bool send_header, bool high_res,
                                 const SbrExtension* extension) const;

  SbrConfig config_;
  int channels_;
  bool detect_transients_;
  std::vector<SbrTransientDetector> detectors_;
  std::vector<int> transients_;  // the last EncodeFrame's, per channel (0 = none)
  int64_t var_frames_ = 0;
};

}  // namespace floe::media::aac
