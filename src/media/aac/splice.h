// Splices an SBR extension (14496-3 4.4.2.8) into a raw AAC-LC packet from FFmpeg's native
// encoder as a FIL element after its last channel element: that makes the LC core HE-AAC.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "media/aac/bit_writer.h"

namespace floe::media::aac {

// FIL element payloads are at most 15 + 255 − 1 bytes (4-bit count plus 8-bit esc_count).
inline constexpr size_t kMaxFilPayloadBytes = 269;
// extension_type of an extension_payload() carrying sbr_extension_data() without CRC.
inline constexpr uint32_t kExtSbrData = 13;

// `raw_packet` is one raw_data_block of the GA (non-ER) syntax ending in END (`111`) and at
// most 7 zero bits of byte padding. Returns the block with, in place of that END, a FIL
// element holding EXT_SBR_DATA + `sbr_extension_data`, then END and zero padding. Every bit
// before the old END is kept as it was, so the core is never parsed.
core::Result<std::vector<uint8_t>> AppendSbrFil(std::span<const uint8_t> raw_packet,
                                                const BitWriter& sbr_extension_data);

}  // namespace floe::media::aac
