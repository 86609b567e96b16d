// Serialises one frame of parametric stereo parameters as ps_data() (ISO/IEC 14496-3 8.4.1,
// Table 8.1), the payload of an SbrExtension with kSbrExtensionIdPs (8.A.2: the SBR writer puts
// it in the extended data of an sbr_single_channel_element).
#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "media/aac/bit_writer.h"

namespace floe::media::aac {

// bs_extension_id of parametric stereo in sbr_extension() (EXTENSION_ID_PS).
inline constexpr int kSbrExtensionIdPs = 2;

// One frame: FIX frame class (envelopes split the frame evenly), coarse IID and ICC in the same
// 10 or 20 stereo bands, no IPD/OPD extension (baseline PS).
struct PsFrame {
  int bands = 20;                     // 10 or 20 (iid_mode = icc_mode = 0 or 1)
  bool send_header = true;            // enable_ps_header; the decoder needs it before any data
  std::vector<std::vector<int>> iid;  // [envelope][band], coarse index -7..7; 1, 2 or 4 envelopes
  std::vector<std::vector<int>> icc;  // [envelope][band], 0..7
  std::vector<bool> iid_dt;           // per envelope: true = delta in time
  std::vector<bool> icc_dt;
  // The previous frame's last envelope, needed only when envelope 0 is time-delta coded.
  std::vector<int> prev_iid;
  std::vector<int> prev_icc;
};

enum class PsParam { kIid, kIcc };

struct PsDeltaChoice {
  bool dt = false;  // true = delta in time
  int bits = 0;     // bits of the chosen coding
};

// Picks delta-in-frequency or delta-in-time for one envelope of IID or ICC indices by counting
// bits; an empty `previous` rules time deltas out.
core::Result<PsDeltaChoice> ChoosePsDeltas(PsParam param, std::span<const int> values,
                                           std::span<const int> previous);

// Fills frame.iid_dt / icc_dt with the cheaper coding per envelope. Envelope 0 may refer to
// prev_iid / prev_icc only when `time_from_previous_frame`: a decoder that joins mid-stream has
// no previous frame, and time deltas from its zeros would stay wrong until the next
// frequency-coded frame (or read as out of range: FFmpeg then logs "illegal iid").
core::Result<void> ChoosePsCoding(PsFrame& frame, bool time_from_previous_frame);

// Writes ps_data() for `frame`.
core::Result<void> WritePsData(const PsFrame& frame, BitWriter& out);

// Bits per frame parametric stereo is budgeted at in `bands` bands and `envelopes` envelopes
// (typical deltas, header and extension framing included), for the core's bit rate split.
int PsBudgetBitsPerFrame(int bands, int envelopes);

}  // namespace floe::media::aac
