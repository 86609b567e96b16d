// Serialises one frame of SBR parameters as sbr_extension_data() (ISO/IEC 14496-3 4.4.2.8),
// the payload after extension_type EXT_SBR_DATA. Chooses nothing the caller can choose.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "media/aac/bit_writer.h"
#include "media/aac/sbr_freq.h"

namespace floe::media::aac {

// sbr_header(). Fields at their defaults are left out (bs_header_extra_1/2 = 0).
struct SbrHeader {
  int amp_res = 1;  // bs_amp_res: 0 = 1.5 dB, 1 = 3 dB envelope steps
  SbrSpectrum spectrum;
  int limiter_bands = 2;   // bs_limiter_bands 0..3
  int limiter_gains = 2;   // bs_limiter_gains 0..3
  int interpol_freq = 1;   // bs_interpol_freq 0..1
  int smoothing_mode = 1;  // bs_smoothing_mode 0..1
};

// What the decoder holds after the last header: the header and the tables it implies.
struct SbrConfig {
  SbrHeader header;
  SbrFreqTables tables;
};

enum class SbrFrameClass { kFixFix = 0, kFixVar = 1, kVarFix = 2, kVarVar = 3 };

// sbr_grid(). Borders are in SBR time slots (16 per frame). FIXFIX splits the frame evenly; the
// VAR classes place borders by relative steps from an absolute border at either end: FIXVAR
// from the trailing one back, VARFIX from the leading one on, VARVAR both (the envelope in the
// middle takes what is left). bs_pointer picks the transient envelope and the noise border.
struct SbrGrid {
  SbrFrameClass frame_class = SbrFrameClass::kFixFix;
  int num_env = 1;                  // FIXFIX: 1, 2 or 4; VAR: relative borders + 1 (4, VARVAR 5)
  std::vector<bool> freq_res;       // per envelope; FIXFIX: all equal
  int abs_bord_lead = 0;            // VARFIX/VARVAR bs_var_bord_0: leading border 0..3
  int abs_bord_trail = 0;           // FIXVAR/VARVAR bs_var_bord_1: trailing border 16 + 0..3
  std::vector<int> rel_bord_lead;   // VARFIX/VARVAR envelope lengths from the start (2..8, even)
  std::vector<int> rel_bord_trail;  // FIXVAR/VARVAR envelope lengths from the end, last first
  int pointer = 0;                  // bs_pointer, 0..num_env + 1
  int num_noise() const { return num_env > 1 ? 2 : 1; }
};

// The envelope borders (num_env + 1 values) the decoder derives from `grid`, as FFmpeg 5.1's
// read_sbr_grid does; empty when the grid's fields do not fit its class.
std::vector<int> SbrGridBorders(const SbrGrid& grid);

// The index of the envelope whose start splits the two noise floors (num_env > 1), and of the
// transient envelope (-1 for none), as the decoder reads them from the class and bs_pointer.
int SbrNoiseSplitEnvelope(const SbrGrid& grid);
int SbrTransientEnvelope(const SbrGrid& grid);

// One channel's quantised parameters. In a coupled pair, channel 0 carries the level and
// channel 1 the balance, both in bitstream units (the decoder doubles balance values).
struct SbrChannelData {
  SbrGrid grid;                             // a coupled pair writes channel 0's grid for both
  std::vector<std::vector<int>> envelopes;  // [envelope][band], bands per grid.freq_res
  std::vector<bool> env_dt;                 // per envelope: true = delta in time
  std::vector<std::vector<int>> noise;      // [noise envelope][noise band]
  std::vector<bool> noise_dt;               // per noise envelope
  std::vector<int> invf;                    // bs_invf_mode per noise band, 0..3
  // The previous frame's last envelope and noise envelope, needed only when the first
  // envelope / noise envelope of this frame is time-delta coded (the caller keeps them).
  std::vector<int> prev_envelope;
  bool prev_freq_res = false;
  std::vector<int> prev_noise;
};

// bs_extended_data: one extension (e.g. parametric stereo, id 2) and its payload bits.
struct SbrExtension {
  int id = 2;
  BitWriter payload;
};

struct SbrFrame {
  bool send_header = true;               // bs_header_flag; the header itself is the config's
  bool coupling = false;                 // CPE only
  std::vector<SbrChannelData> channels;  // 1 = sbr_single_channel_element, 2 = channel pair
  std::optional<SbrExtension> extension;
};

// Checks the header's fields and computes its tables for the SBR (output) rate.
core::Result<SbrConfig> MakeSbrConfig(int sample_rate, const SbrHeader& header);

// Writes bs_header_flag [sbr_header] sbr_data() for one frame of `config`.
core::Result<void> WriteSbrExtensionData(const SbrConfig& config, const SbrFrame& frame,
                                         BitWriter& out);

// Which values an envelope or noise floor carries: they use different tables and ranges.
enum class SbrValues { kEnvelope, kEnvelopeBalance, kNoise, kNoiseBalance };

struct SbrDeltaChoice {
  bool dt = false;  // true = delta in time
  int bits = 0;     // bits of the chosen coding
};

// Picks delta-in-frequency or delta-in-time for one envelope (or noise envelope) by counting
// bits; `previous` (already at this envelope's resolution) empty = time coding not possible.
// amp_res is the envelope's effective one (0 = 1.5 dB); noise ignores it.
core::Result<SbrDeltaChoice> EncodeDeltas(SbrValues kind, int amp_res, std::span<const int> values,
                                          std::span<const int> previous);

// The previous envelope re-mapped to the bands of `to_res`, as the decoder reads time deltas
// across a change of frequency resolution.
std::vector<int> MapEnvelope(const SbrFreqTables& tables, std::span<const int> previous,
                             bool from_res, bool to_res);

}  // namespace floe::media::aac
