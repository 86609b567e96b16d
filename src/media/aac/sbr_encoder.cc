// SBR header choice and per-frame SBR parameters (FIXFIX, one envelope) for HeAacEncoder.
#include "media/aac/sbr_encoder.h"

#include <algorithm>
#include <array>

#include "media/aac/sbr_estimate.h"

namespace floe::media::aac {
namespace {

// One row per range of bit rate per channel. Start and stop are bs_start_freq / bs_stop_freq;
// at 48 kHz they give crossover / stop (Hz):
//   <= 16 kbit/s: 9 / 9  -> 6375 / 16875   (fdk sbrTuningTable, 24 kHz core stereo 28-36: 7 / 8)
//   <= 22 kbit/s: 10 / 9 -> 6750 / 16875   (fdk 36-44: 10 / 9)
//   <= 30 kbit/s: 12 / 11 -> 8250 / 20250  (fdk 44-60: 12-13 / 9-10)
//   <= 64 kbit/s: 14 / 11 -> 10125 / 20250 (fdk 60-128: 14 / 12)
// Stops are one or two steps above fdk's so the band reaches 20 kHz from 48 kbit/s stereo on:
// the envelope is cheap (12 bands) and a missing top octave is what listeners notice first.
// At 44.1 and 32 kHz the same indices land a little lower/higher; every row was checked
// against ComputeSbrFreqTables (he_encoder_test HeaderTableRowsAreValidAtEveryRate).
// The default bs_freq_scale 2 (10 bands per octave), alter_scale 1 and 2 noise bands per
// octave keep bs_header_extra_1 off: 16 header bits.
struct HeaderRow {
  int max_kbps_per_channel;
  int start_freq;
  int stop_freq;
};
constexpr std::array<HeaderRow, 4> kHeaderRows = {{
    {16, 9, 9},
    {22, 10, 9},
    {30, 12, 11},
    {64, 14, 11},
}};
constexpr int kMinKbpsPerChannel[3] = {0, 16, 12};  // mono 16, stereo 24 kbit/s

// Envelopes and noise floors are always coded in frequency. Time deltas save bits on steady
// sound, but a decoder joining mid-stream (a live viewer, an HLS segment start) has no previous
// values: FFmpeg 5.1 then logs "env_facs_q 255 is invalid" and drops SBR for those frames
// (measured: he_encoder_test JoinsMidStream..., and ffmpeg -v warning on Floe's RTMP output).
core::Error Unsupported(const std::string& what) {
  return {"InvalidParam.AudioParams", 400, "HE-AAC: " + what, ""};
}

// Limits each value to the frequency-delta table's reach from the previous band (a jump of
// more than 90 dB between neighbouring bands is not worth a refusal).
void ClampDeltas(std::vector<int>& values, int lav) {
  for (size_t j = 1; j < values.size(); ++j)
    values[j] = std::clamp(values[j], values[j - 1] - lav, values[j - 1] + lav);
}

}  // namespace

core::Result<SbrConfig> ChooseSbrConfig(int sample_rate, int channels, int64_t bit_rate) {
  if (sample_rate != 32000 && sample_rate != 44100 && sample_rate != 48000)
    return Unsupported("sample rate " + std::to_string(sample_rate) + " is not 32000/44100/48000");
  if (channels != 1 && channels != 2) return Unsupported("channels must be 1 or 2");
  const int64_t per_channel = bit_rate / 1000 / channels;
  if (per_channel < kMinKbpsPerChannel[channels] ||
      per_channel > kHeaderRows.back().max_kbps_per_channel)
    return Unsupported("bit rate " + std::to_string(bit_rate / 1000) +
                       " kbit/s is outside the range");
  const HeaderRow* row = &kHeaderRows.back();
  for (const HeaderRow& r : kHeaderRows) {
    if (per_channel <= r.max_kbps_per_channel) {
      row = &r;
      break;
    }
  }
  SbrHeader header;
  header.amp_res = 0;  // FIXFIX with one envelope is 1.5 dB whatever the header says
  header.spectrum.start_freq = row->start_freq;
  header.spectrum.stop_freq = row->stop_freq;
  return MakeSbrConfig(sample_rate, header);
}

int SbrBudgetBitsPerFrame(const SbrConfig& config, int channels) {
  SbrFrame flat;
  for (int ch = 0; ch < channels; ++ch) {
    SbrChannelData& c = flat.channels.emplace_back();
    c.grid.freq_res = {true};
    c.envelopes = {std::vector<int>(config.tables.n_high(), 40)};
    c.env_dt = {false};
    c.noise = {std::vector<int>(config.tables.n_q(), 10)};
    c.noise_dt = {false};
    c.invf = std::vector<int>(config.tables.n_q(), 0);
  }
  BitWriter w;
  if (!WriteSbrExtensionData(config, flat, w).ok()) return 0;
  // A flat envelope costs 2 bits per delta; measured frames of music-like input average about
  // 2 more per band. The FIL adds ID 3 + count 4 (+ esc 8) + extension type 4 + fill.
  const int deltas = 2 * (config.tables.n_high() + config.tables.n_q()) * channels;
  return static_cast<int>(w.bits()) + deltas + 3 + 4 + 8 + 4 + 4;
}

SbrEncoder::SbrEncoder(SbrConfig config, int channels)
    : config_(std::move(config)), channels_(channels) {}

core::Result<BitWriter> SbrEncoder::EncodeFrame(
    std::span<const std::vector<QmfAnalysis::Slot>> slots) {
  const SbrFreqTables& t = config_.tables;
  SbrFrame frame;
  frame.send_header = true;  // every frame: live joins and segment starts decode at once
  static constexpr int kBorders[] = {0, kSbrTimeSlots};
  static constexpr int kFreqRes[] = {1};
  for (int ch = 0; ch < channels_; ++ch) {
    SbrChannelData& c = frame.channels.emplace_back();
    c.grid.freq_res = {true};
    auto env = EstimateEnvelopes(slots[ch], kBorders, kFreqRes, t.low, t.high, AmpRes::k1_5dB);
    ClampDeltas(env[0], 60);  // lav of the 1.5 dB frequency table
    auto noise = EstimateNoise(slots[ch], 0, kQmfSlotsPerFrame, t.noise);
    std::vector<int> noise_q;
    for (const NoiseBandEstimate& n : noise) {
      noise_q.push_back(n.noise_q);
      c.invf.push_back(n.invf_mode);
    }
    c.env_dt = {false};
    c.noise_dt = {false};
    c.envelopes = std::move(env);
    c.noise = {std::move(noise_q)};
  }
  BitWriter out;
  if (auto ok = WriteSbrExtensionData(config_, frame, out); !ok) return ok.error();
  return out;
}

}  // namespace floe::media::aac
