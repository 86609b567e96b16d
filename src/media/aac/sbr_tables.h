// Tables of the SBR bitstream (ISO/IEC 14496-3 4.6.18.3.2 and Annex 4.A): start-frequency
// offsets, stop-frequency inputs, and the Huffman codes of envelope and noise-floor deltas.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace floe::media::aac {

// One Huffman code word: `length` bits, written most significant first.
struct HuffCode {
  uint32_t code;
  uint8_t length;
};

// A delta table: codes[delta + lav] codes delta, for -lav <= delta <= lav.
struct SbrHuffTable {
  std::span<const HuffCode> codes;
  int lav;
};

// The ten distinct tables of Annex 4.A (T = delta in time, F = delta in frequency). Noise
// floors coded in frequency have no tables of their own: they use kEnv30F / kEnvBal30F.
enum class SbrHuff {
  kEnv15T,
  kEnv15F,
  kEnvBal15T,
  kEnvBal15F,
  kEnv30T,
  kEnv30F,
  kEnvBal30T,
  kEnvBal30F,
  kNoise30T,
  kNoiseBal30T,
};
inline constexpr int kSbrHuffTableCount = 10;

const SbrHuffTable& GetSbrHuffTable(SbrHuff table);

// What the frequency-table rules need to know about the SBR (output) sampling rate.
struct SbrRateClass {
  std::span<const int8_t, 16> start_offsets;  // added to startMin, indexed by bs_start_freq
  int start_min;        // round(128 * f / fs), f = 3000 / 4000 / 5000 Hz by rate
  int stop_min;         // round(256 * f / fs)
  int max_k2_minus_k0;  // the decoder's limit on the SBR range in QMF bands
};

// nullopt for a rate FFmpeg's SBR decoder does not run at (it accepts 16, 22.05, 24, 32,
// 44.1, 48, 64, 88.2, 96, 128, 176.4 and 192 kHz).
std::optional<SbrRateClass> GetSbrRateClass(int sample_rate);

}  // namespace floe::media::aac
