// AudioSpecificConfig builders (ISO/IEC 14496-3 1.6.2.1) for the AAC profiles Floe encodes:
// the extradata that tells a decoder (and a muxer) what the packets are.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"

namespace floe::media::aac {

// The 4-bit samplingFrequencyIndex of `rate`; an error for rates without one (Floe never
// writes the 24-bit escape 0xF).
core::Result<int> SamplingFrequencyIndex(int rate);
// The rate of a samplingFrequencyIndex (0..12).
core::Result<int> SamplingFrequency(int index);

// AOT 2 (AAC-LC) at `rate`, channel configuration = channels (1 or 2).
core::Result<std::vector<uint8_t>> LcConfig(int rate, int channels);
// Explicit hierarchical HE-AAC: AOT 5, core index (output_rate / 2), channel configuration,
// extension index (output_rate), then AOT 2 and the core's GASpecificConfig.
core::Result<std::vector<uint8_t>> HeConfig(int output_rate, int channels);
// Mono HE-AAC, backward-compatible explicit form: AOT 2 at the core rate, then the SBR sync
// extension (0x2B7, AOT 5, the output rate) and the PS one (0x548) with psPresentFlag 0. The
// hierarchical form leaves PS open, and FFmpeg then decodes a mono SBR stream as two channels
// (AAC-NOTES 3); this one decodes as one channel in FFmpeg and faad.
core::Result<std::vector<uint8_t>> HeMonoConfig(int output_rate);
// Explicit hierarchical HE-AACv2: as HeConfig with AOT 29 and a mono core (channel config 1).
core::Result<std::vector<uint8_t>> HeV2Config(int output_rate);
// ER AAC-LD (AOT 23), frame_length 512 or 480, every error-resilience tool off, epConfig 0.
core::Result<std::vector<uint8_t>> LdConfig(int rate, int channels, int frame_length);

}  // namespace floe::media::aac
