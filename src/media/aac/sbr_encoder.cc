// SBR header choice, transient detection and per-frame SBR parameters for HeAacEncoder.
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

// A frame's first envelope and noise floor are always coded in frequency. Time deltas from the
// previous frame save bits on steady sound, but a decoder joining mid-stream (a live viewer, an HLS
// segment start) has no previous values: FFmpeg 5.1 then logs "env_facs_q 255 is invalid" and drops
// SBR for those frames (measured: he_encoder_test JoinsMidStream..., and ffmpeg -v warning on
// Floe's RTMP output).

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
  // FIXFIX with one envelope is 1.5 dB whatever the header says; VAR frames use the same step,
  // so every envelope is estimated and coded alike.
  header.amp_res = 0;
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

SbrTransientDetector::SbrTransientDetector(int band_begin, int band_end)
    : band_begin_(band_begin), band_end_(band_end) {}

int SbrTransientDetector::Detect(std::span<const QmfAnalysis::Slot> slots) {
  constexpr size_t kHistory = 16;  // 21 ms at 48 kHz: the "recent average"
  constexpr double kRatio = 10.0;  // 10 dB above it
  constexpr double kFloor = 1e-7;  // QmfAnalysis scale: 65 dB below full-scale white noise
  // The QMF's prototype spreads a hard attack over the slots before it, rising ~6 dB a slot
  // (-50 dB four slots ahead of a 0 dB onset): the trigger fires on that skirt, and the onset
  // is the first slot from there within 6 dB of the loudest of the few that follow.
  constexpr double kNearPeak = 0.25;
  const int count = std::min(static_cast<int>(slots.size()), kQmfSlotsPerFrame);
  std::vector<double> energy;
  const int available = std::min(static_cast<int>(slots.size()), count + kSbrTransientLookahead);
  for (int t = 0; t < available; ++t)
    energy.push_back(MeanEnergy(slots, t, t + 1, band_begin_, band_end_));
  int trigger = -1;
  for (int t = 0; t < count; ++t) {
    double mean = 0.0;
    for (double h : history_) mean += h;
    if (!history_.empty()) mean /= static_cast<double>(history_.size());
    if (trigger < 0 && energy[t] > kRatio * mean + kFloor) trigger = t;
    history_.push_back(energy[t]);
    if (history_.size() > kHistory) history_.erase(history_.begin());
  }
  if (trigger < 0) return 0;
  const int last = std::min(trigger + kSbrTransientLookahead, available - 1);
  const double peak = *std::max_element(energy.begin() + trigger, energy.begin() + last + 1);
  int onset = trigger;
  while (onset < last && energy[onset] < kNearPeak * peak) ++onset;
  if (onset >= count) return 0;  // the next frame's
  // Round down to an even time slot: a border after the onset would pull part of it into the
  // envelope before, and spread it over that envelope (pre-echo).
  const int border = onset / (2 * kQmfSlotsPerTimeSlot) * 2;
  return border >= 2 && border < kSbrTimeSlots ? border : 0;
}

SbrGrid TransientGrid(int border) {
  SbrGrid g;
  std::vector<int> lengths;
  if (border <= 8) {
    g.frame_class = SbrFrameClass::kVarFix;
    g.rel_bord_lead = {border, 4};
    g.pointer = 2;  // transient envelope 1; noise floors split at its start
    lengths = {border, 4, kSbrTimeSlots - border - 4};
  } else {
    g.frame_class = SbrFrameClass::kFixVar;
    g.rel_bord_trail = {kSbrTimeSlots - border};
    g.pointer = 2;  // transient envelope num_env + 1 - 2 = 1; noise floors split there
    lengths = {border, kSbrTimeSlots - border};
  }
  g.num_env = static_cast<int>(lengths.size());
  for (int len : lengths) g.freq_res.push_back(len >= 4);
  return g;
}

bool FitsAacFrameLimit(size_t packet_bytes, int core_channels) {
  return core_channels > 0 &&
         packet_bytes * 8 <= kAacMaxBitsPerChannel * static_cast<size_t>(core_channels);
}

SbrEncoder::SbrEncoder(SbrConfig config, int channels, bool detect_transients)
    : config_(std::move(config)), channels_(channels), detect_transients_(detect_transients) {
  const std::vector<int>& high = config_.tables.high;
  for (int ch = 0; ch < channels_; ++ch) detectors_.emplace_back(high.front(), high.back());
}

core::Result<BitWriter> SbrEncoder::EncodeFrame(
    std::span<const std::vector<QmfAnalysis::Slot>> slots, const SbrExtension* extension) {
  transients_.assign(channels_, 0);
  if (detect_transients_) {
    for (int ch = 0; ch < channels_; ++ch) {
      transients_[ch] = detectors_[ch].Detect(slots[ch]);
      if (transients_[ch]) ++var_frames_;
    }
  }
  return Encode(slots, transients_, true, true, extension);
}

core::Result<BitWriter> SbrEncoder::EncodeReducedFrame(
    std::span<const std::vector<QmfAnalysis::Slot>> slots, Reduction reduction,
    const SbrExtension* extension) const {
  if (reduction == Reduction::kNoHeader && transients_.size() == static_cast<size_t>(channels_))
    return Encode(slots, transients_, false, true, extension);
  const std::vector<int> none(channels_, 0);
  return Encode(slots, none, false, false, extension);
}

core::Result<BitWriter> SbrEncoder::Encode(std::span<const std::vector<QmfAnalysis::Slot>> slots,
                                           std::span<const int> transients, bool send_header,
                                           bool high_res, const SbrExtension* extension) const {
  const SbrFreqTables& t = config_.tables;
  SbrFrame frame;
  // Normal frames carry the header (live joins and segment starts decode at once); only the
  // small fallback frame leaves it out.
  frame.send_header = send_header;
  if (extension) frame.extension = *extension;
  for (int ch = 0; ch < channels_; ++ch) {
    SbrChannelData& c = frame.channels.emplace_back();
    if (transients[ch]) {
      c.grid = TransientGrid(transients[ch]);
    } else {
      c.grid.freq_res = {high_res};
    }
    const std::vector<int> borders = SbrGridBorders(c.grid);
    const std::vector<int> freq_res(c.grid.freq_res.begin(), c.grid.freq_res.end());
    c.envelopes = EstimateEnvelopes(slots[ch], borders, freq_res, t.low, t.high, AmpRes::k1_5dB);
    // The first envelope is frequency coded (mid-stream joins, see above); later ones take the
    // cheaper coding against the envelope before them in the same frame, re-mapped across a
    // change of frequency resolution as the decoder does.
    for (size_t e = 0; e < c.envelopes.size(); ++e) {
      ClampDeltas(c.envelopes[e], 60);  // lav of the 1.5 dB frequency table
      bool dt = false;
      if (e > 0) {
        const std::vector<int> prev =
            MapEnvelope(t, c.envelopes[e - 1], c.grid.freq_res[e - 1], c.grid.freq_res[e]);
        auto choice = EncodeDeltas(SbrValues::kEnvelope, 0, c.envelopes[e], prev);
        if (!choice) return choice.error();
        dt = choice->dt;
      }
      c.env_dt.push_back(dt);
    }
    // Noise floors over their own stretch of the frame; inverse filtering over the whole frame.
    const int split = borders[SbrNoiseSplitEnvelope(c.grid)] * kQmfSlotsPerTimeSlot;
    std::vector<std::pair<int, int>> stretches = {{0, kQmfSlotsPerFrame}};
    if (c.grid.num_noise() == 2) stretches = {{0, split}, {split, kQmfSlotsPerFrame}};
    for (const auto& [begin, end] : stretches) {
      std::vector<int>& q = c.noise.emplace_back();
      for (const NoiseBandEstimate& n : EstimateNoise(slots[ch], begin, end, t.noise))
        q.push_back(n.noise_q);
      bool dt = false;
      if (c.noise.size() > 1) {
        auto choice = EncodeDeltas(SbrValues::kNoise, 0, q, c.noise.front());
        if (!choice) return choice.error();
        dt = choice->dt;
      }
      c.noise_dt.push_back(dt);
    }
    for (const NoiseBandEstimate& n : EstimateNoise(slots[ch], 0, kQmfSlotsPerFrame, t.noise))
      c.invf.push_back(n.invf_mode);
  }
  BitWriter out;
  if (auto ok = WriteSbrExtensionData(config_, frame, out); !ok) return ok.error();
  return out;
}

}  // namespace floe::media::aac
