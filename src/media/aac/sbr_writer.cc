// sbr_extension_data() writer. Field order and widths follow 14496-3 Tables 4.62-4.70 as
// FFmpeg 5.1's decoder reads them (read_sbr_header ... read_sbr_data).
#include "media/aac/sbr_writer.h"

#include <algorithm>
#include <string>

#include "media/aac/sbr_tables.h"

namespace floe::media::aac {
namespace {

core::Error Refuse(const std::string& field, const std::string& why) {
  return core::Error::InvalidParameter("Sbr." + field, why);
}

// How one kind of value is coded at one amplitude resolution.
struct ValueCoding {
  int start_bits;  // the raw first value of a frequency-coded envelope
  SbrHuff f_table;
  SbrHuff t_table;
  int max_value;  // balance values are doubled by the decoder, which wants 0..127 / 0..30
};

ValueCoding CodingOf(SbrValues kind, int amp_res) {
  switch (kind) {
    case SbrValues::kEnvelope:
      return amp_res ? ValueCoding{6, SbrHuff::kEnv30F, SbrHuff::kEnv30T, 127}
                     : ValueCoding{7, SbrHuff::kEnv15F, SbrHuff::kEnv15T, 127};
    case SbrValues::kEnvelopeBalance:
      return amp_res ? ValueCoding{5, SbrHuff::kEnvBal30F, SbrHuff::kEnvBal30T, 63}
                     : ValueCoding{6, SbrHuff::kEnvBal15F, SbrHuff::kEnvBal15T, 63};
    case SbrValues::kNoise:  // noise in frequency shares the 3 dB envelope table
      return {5, SbrHuff::kEnv30F, SbrHuff::kNoise30T, 30};
    case SbrValues::kNoiseBalance:
      return {5, SbrHuff::kEnvBal30F, SbrHuff::kNoiseBal30T, 15};
  }
  return {};
}

// Codes `values` in frequency (previous empty) or in time; returns the bits, writing them
// to `out` when given. Refuses values out of range and deltas beyond the table.
core::Result<int> CodeValues(const ValueCoding& c, bool dt, std::span<const int> values,
                             std::span<const int> previous, BitWriter* out) {
  if (dt && previous.size() != values.size()) {
    return Refuse("Delta", "time-delta coding needs the previous envelope at this resolution");
  }
  int bits = 0;
  for (size_t j = 0; j < values.size(); ++j) {
    if (values[j] < 0 || values[j] > c.max_value) {
      return Refuse("Value",
                    std::to_string(values[j]) + " is outside 0.." + std::to_string(c.max_value));
    }
    if (!dt && j == 0) {
      if (values[0] >= (1 << c.start_bits)) {
        return Refuse("Value",
                      "first value does not fit " + std::to_string(c.start_bits) + " bits");
      }
      bits += c.start_bits;
      if (out) out->Put(static_cast<uint32_t>(values[0]), c.start_bits);
      continue;
    }
    const SbrHuffTable& table = GetSbrHuffTable(dt ? c.t_table : c.f_table);
    const int delta = values[j] - (dt ? previous[j] : values[j - 1]);
    if (delta < -table.lav || delta > table.lav) {
      return Refuse("Value", "delta " + std::to_string(delta) + " exceeds the table's ±" +
                                 std::to_string(table.lav));
    }
    const HuffCode& code = table.codes[delta + table.lav];
    bits += code.length;
    if (out) out->Put(code.code, code.length);
  }
  return bits;
}

bool IsDefaultExtra1(const SbrSpectrum& s) {
  return s.freq_scale == 2 && s.alter_scale == 1 && s.noise_bands == 2;
}

bool IsDefaultExtra2(const SbrHeader& h) {
  return h.limiter_bands == 2 && h.limiter_gains == 2 && h.interpol_freq == 1 &&
         h.smoothing_mode == 1;
}

void WriteHeader(const SbrHeader& h, BitWriter& w) {
  const bool extra1 = !IsDefaultExtra1(h.spectrum), extra2 = !IsDefaultExtra2(h);
  w.Put(h.amp_res, 1);
  w.Put(h.spectrum.start_freq, 4);
  w.Put(h.spectrum.stop_freq, 4);
  w.Put(h.spectrum.xover_band, 3);
  w.Put(0, 2);  // bs_reserved
  w.PutBit(extra1);
  w.PutBit(extra2);
  if (extra1) {
    w.Put(h.spectrum.freq_scale, 2);
    w.Put(h.spectrum.alter_scale, 1);
    w.Put(h.spectrum.noise_bands, 2);
  }
  if (extra2) {
    w.Put(h.limiter_bands, 2);
    w.Put(h.limiter_gains, 2);
    w.Put(h.interpol_freq, 1);
    w.Put(h.smoothing_mode, 1);
  }
}

// Bits of bs_pointer: ceil(log2(num_env + 1)).
int PointerBits(int num_env) {
  int bits = 0;
  while ((1 << bits) < num_env + 1) ++bits;
  return bits;
}

bool HasLead(SbrFrameClass c) {
  return c == SbrFrameClass::kVarFix || c == SbrFrameClass::kVarVar;
}

bool HasTrail(SbrFrameClass c) {
  return c == SbrFrameClass::kFixVar || c == SbrFrameClass::kVarVar;
}

core::Result<void> WriteGrid(const SbrGrid& g, BitWriter& w) {
  if (static_cast<int>(g.freq_res.size()) != g.num_env) {
    return Refuse("Grid.FreqRes", "needs one entry per envelope");
  }
  if (g.frame_class == SbrFrameClass::kFixFix) {
    const int log2_env = g.num_env == 1 ? 0 : g.num_env == 2 ? 1 : g.num_env == 4 ? 2 : -1;
    if (log2_env < 0) return Refuse("Grid.NumEnv", "FIXFIX takes 1, 2 or 4 envelopes");
    for (bool r : g.freq_res) {
      if (r != g.freq_res[0]) return Refuse("Grid.FreqRes", "FIXFIX has one for all envelopes");
    }
    w.Put(static_cast<uint32_t>(g.frame_class), 2);
    w.Put(log2_env, 2);
    w.PutBit(g.freq_res[0]);
    return core::Ok();
  }
  if (SbrGridBorders(g).empty()) {
    return Refuse("Grid.Borders",
                  "VAR borders must be 0..3 / 16..19, steps 2..8 (even), at most 3 per side, "
                  "num_env = steps + 1 (VARVAR at most 5), strictly increasing");
  }
  if (g.pointer < 0 || g.pointer > g.num_env + 1 || g.pointer >= (1 << PointerBits(g.num_env))) {
    return Refuse("Grid.Pointer", "must be 0..num_env + 1");
  }
  const bool lead = HasLead(g.frame_class), trail = HasTrail(g.frame_class);
  w.Put(static_cast<uint32_t>(g.frame_class), 2);
  if (lead) w.Put(g.abs_bord_lead, 2);                                  // bs_var_bord_0
  if (trail) w.Put(g.abs_bord_trail, 2);                                // bs_var_bord_1
  if (lead) w.Put(static_cast<uint32_t>(g.rel_bord_lead.size()), 2);    // bs_num_rel_0
  if (trail) w.Put(static_cast<uint32_t>(g.rel_bord_trail.size()), 2);  // bs_num_rel_1
  for (int step : g.rel_bord_lead) w.Put((step - 2) / 2, 2);            // bs_rel_bord_0
  for (int step : g.rel_bord_trail) w.Put((step - 2) / 2, 2);           // bs_rel_bord_1
  w.Put(g.pointer, PointerBits(g.num_env));
  // FIXVAR lists the resolutions from the last envelope back; the others from the first on.
  for (int e = 0; e < g.num_env; ++e) {
    w.PutBit(g.freq_res[g.frame_class == SbrFrameClass::kFixVar ? g.num_env - 1 - e : e]);
  }
  return core::Ok();
}

// Shapes of one channel's arrays against its grid and the tables.
core::Result<void> CheckChannel(const SbrFreqTables& t, const SbrGrid& g, const SbrChannelData& c,
                                bool check_invf) {
  if (c.envelopes.size() != static_cast<size_t>(g.num_env) ||
      c.env_dt.size() != c.envelopes.size()) {
    return Refuse("Envelopes", "need num_env envelopes and dt flags");
  }
  for (size_t i = 0; i < c.envelopes.size(); ++i) {
    if (static_cast<int>(c.envelopes[i].size()) != t.bands(g.freq_res[i])) {
      return Refuse("Envelopes", "envelope " + std::to_string(i) + " needs " +
                                     std::to_string(t.bands(g.freq_res[i])) + " bands");
    }
  }
  const size_t num_noise = g.num_noise();
  if (c.noise.size() != num_noise || c.noise_dt.size() != num_noise) {
    return Refuse("Noise", "needs " + std::to_string(num_noise) + " noise envelopes and dt flags");
  }
  for (const auto& n : c.noise) {
    if (static_cast<int>(n.size()) != t.n_q()) {
      return Refuse("Noise", "needs " + std::to_string(t.n_q()) + " noise bands");
    }
  }
  if (check_invf) {
    if (static_cast<int>(c.invf.size()) != t.n_q()) return Refuse("Invf", "one per noise band");
    for (int m : c.invf) {
      if (m < 0 || m > 3) return Refuse("Invf", "must be 0..3");
    }
  }
  return core::Ok();
}

void WriteDtdf(const SbrChannelData& c, BitWriter& w) {
  for (bool dt : c.env_dt) w.PutBit(dt);
  for (bool dt : c.noise_dt) w.PutBit(dt);
}

void WriteInvf(const SbrChannelData& c, BitWriter& w) {
  for (int m : c.invf) w.Put(m, 2);
}

// sbr_envelope(): envelope i codes against envelope i-1 (or last frame's) when dt is set.
core::Result<void> WriteEnvelopes(const SbrConfig& cfg, const SbrGrid& g, const SbrChannelData& c,
                                  bool balance, BitWriter& w) {
  // A single FIXFIX envelope is always 1.5 dB, whatever the header says.
  const int amp_res =
      (g.frame_class == SbrFrameClass::kFixFix && g.num_env == 1) ? 0 : cfg.header.amp_res;
  const ValueCoding coding =
      CodingOf(balance ? SbrValues::kEnvelopeBalance : SbrValues::kEnvelope, amp_res);
  for (size_t i = 0; i < c.envelopes.size(); ++i) {
    std::vector<int> previous;
    if (c.env_dt[i]) {
      const bool prev_res = i == 0 ? c.prev_freq_res : g.freq_res[i - 1];
      const std::vector<int>& prev = i == 0 ? c.prev_envelope : c.envelopes[i - 1];
      if (static_cast<int>(prev.size()) != cfg.tables.bands(prev_res)) {
        return Refuse("Envelopes", "time delta without the previous envelope");
      }
      previous = MapEnvelope(cfg.tables, prev, prev_res, g.freq_res[i]);
    }
    auto bits = CodeValues(coding, c.env_dt[i], c.envelopes[i], previous, &w);
    if (!bits.ok()) return bits.error();
  }
  return core::Ok();
}

// sbr_noise(): the noise bands do not change between envelopes, so no re-mapping.
core::Result<void> WriteNoise(const SbrChannelData& c, bool balance, BitWriter& w) {
  const ValueCoding coding = CodingOf(balance ? SbrValues::kNoiseBalance : SbrValues::kNoise, 0);
  for (size_t i = 0; i < c.noise.size(); ++i) {
    const std::vector<int>& previous = i == 0 ? c.prev_noise : c.noise[i - 1];
    auto bits =
        CodeValues(coding, c.noise_dt[i], c.noise[i],
                   c.noise_dt[i] ? std::span<const int>(previous) : std::span<const int>(), &w);
    if (!bits.ok()) return bits.error();
  }
  return core::Ok();
}

core::Result<void> WriteExtension(const SbrExtension& ext, BitWriter& w) {
  if (ext.id < 0 || ext.id > 3) return Refuse("Extension.Id", "must be 0..3");
  const size_t bytes = (2 + ext.payload.bits() + 7) / 8;
  if (bytes > 15 + 255) return Refuse("Extension", "payload over 270 bytes");
  w.PutBit(true);  // bs_extended_data
  if (bytes < 15) {
    w.Put(static_cast<uint32_t>(bytes), 4);
  } else {
    w.Put(15, 4);
    w.Put(static_cast<uint32_t>(bytes - 15), 8);  // bs_esc_count
  }
  w.Put(ext.id, 2);
  w.Append(ext.payload);
  w.Put(0, static_cast<int>(bytes * 8 - 2 - ext.payload.bits()));  // bs_fill_bits
  return core::Ok();
}

core::Result<void> WriteSbrData(const SbrConfig& cfg, const SbrFrame& f, BitWriter& w) {
  const auto& ch = f.channels;
  if (ch.size() == 1) {
    if (f.coupling) return Refuse("Coupling", "needs a channel pair");
    if (auto ok = CheckChannel(cfg.tables, ch[0].grid, ch[0], true); !ok) return ok;
    w.PutBit(false);  // bs_data_extra
    if (auto ok = WriteGrid(ch[0].grid, w); !ok) return ok;
    WriteDtdf(ch[0], w);
    WriteInvf(ch[0], w);
    if (auto ok = WriteEnvelopes(cfg, ch[0].grid, ch[0], false, w); !ok) return ok;
    if (auto ok = WriteNoise(ch[0], false, w); !ok) return ok;
    w.PutBit(false);  // bs_add_harmonic_flag
  } else if (ch.size() == 2) {
    // Coupled: one grid and one invf for both; level then balance channel.
    const SbrGrid& g1 = f.coupling ? ch[0].grid : ch[1].grid;
    if (auto ok = CheckChannel(cfg.tables, ch[0].grid, ch[0], true); !ok) return ok;
    if (auto ok = CheckChannel(cfg.tables, g1, ch[1], !f.coupling); !ok) return ok;
    w.PutBit(false);  // bs_data_extra
    w.PutBit(f.coupling);
    if (auto ok = WriteGrid(ch[0].grid, w); !ok) return ok;
    if (!f.coupling) {
      if (auto ok = WriteGrid(ch[1].grid, w); !ok) return ok;
    }
    WriteDtdf(ch[0], w);
    WriteDtdf(ch[1], w);
    WriteInvf(ch[0], w);
    if (f.coupling) {
      if (auto ok = WriteEnvelopes(cfg, g1, ch[0], false, w); !ok) return ok;
      if (auto ok = WriteNoise(ch[0], false, w); !ok) return ok;
      if (auto ok = WriteEnvelopes(cfg, g1, ch[1], true, w); !ok) return ok;
      if (auto ok = WriteNoise(ch[1], true, w); !ok) return ok;
    } else {
      WriteInvf(ch[1], w);
      if (auto ok = WriteEnvelopes(cfg, ch[0].grid, ch[0], false, w); !ok) return ok;
      if (auto ok = WriteEnvelopes(cfg, g1, ch[1], false, w); !ok) return ok;
      if (auto ok = WriteNoise(ch[0], false, w); !ok) return ok;
      if (auto ok = WriteNoise(ch[1], false, w); !ok) return ok;
    }
    w.PutBit(false);  // bs_add_harmonic_flag, left
    w.PutBit(false);  // right
  } else {
    return Refuse("Channels", "must be 1 (SCE) or 2 (CPE)");
  }
  if (f.extension) return WriteExtension(*f.extension, w);
  w.PutBit(false);  // bs_extended_data
  return core::Ok();
}

}  // namespace

std::vector<int> SbrGridBorders(const SbrGrid& g) {
  constexpr int kTrail = 16;  // SBR time slots per 1024-sample core frame
  if (g.num_env < 1) return {};
  if (g.frame_class == SbrFrameClass::kFixFix) {
    if (g.num_env != 1 && g.num_env != 2 && g.num_env != 4) return {};
    std::vector<int> b;
    for (int e = 0; e <= g.num_env; ++e) b.push_back(e * kTrail / g.num_env);
    return b;
  }
  const bool lead = HasLead(g.frame_class), trail = HasTrail(g.frame_class);
  const size_t n_lead = lead ? g.rel_bord_lead.size() : 0;
  const size_t n_trail = trail ? g.rel_bord_trail.size() : 0;
  if ((!lead && !g.rel_bord_lead.empty()) || (!trail && !g.rel_bord_trail.empty())) return {};
  if (n_lead > 3 || n_trail > 3 || static_cast<int>(n_lead + n_trail) + 1 != g.num_env ||
      g.num_env > (g.frame_class == SbrFrameClass::kVarVar ? 5 : 4)) {
    return {};
  }
  auto bord_ok = [](int v) { return v >= 0 && v <= 3; };
  auto step_ok = [](int s) { return s >= 2 && s <= 8 && s % 2 == 0; };
  if ((lead && !bord_ok(g.abs_bord_lead)) || (trail && !bord_ok(g.abs_bord_trail))) return {};
  std::vector<int> b(g.num_env + 1);
  b[0] = lead ? g.abs_bord_lead : 0;
  b[g.num_env] = kTrail + (trail ? g.abs_bord_trail : 0);
  for (size_t i = 0; i < n_lead; ++i) {
    if (!step_ok(g.rel_bord_lead[i])) return {};
    b[i + 1] = b[i] + g.rel_bord_lead[i];
  }
  for (size_t i = 0; i < n_trail; ++i) {
    if (!step_ok(g.rel_bord_trail[i])) return {};
    b[g.num_env - 1 - i] = b[g.num_env - i] - g.rel_bord_trail[i];
  }
  for (int e = 1; e <= g.num_env; ++e) {
    if (b[e - 1] >= b[e]) return {};
  }
  return b;
}

int SbrNoiseSplitEnvelope(const SbrGrid& g) {
  if (g.num_env < 2) return g.num_env;
  switch (g.frame_class) {
    case SbrFrameClass::kFixFix:
      return g.num_env / 2;
    case SbrFrameClass::kFixVar:
    case SbrFrameClass::kVarVar:
      return g.num_env - std::max(g.pointer - 1, 1);
    case SbrFrameClass::kVarFix:
      return g.pointer == 0 ? 1 : g.pointer == 1 ? g.num_env - 1 : g.pointer - 1;
  }
  return 1;
}

int SbrTransientEnvelope(const SbrGrid& g) {
  if (HasTrail(g.frame_class) && g.pointer > 0) return g.num_env + 1 - g.pointer;
  if (g.frame_class == SbrFrameClass::kVarFix && g.pointer > 1) return g.pointer - 1;
  return -1;
}

core::Result<SbrConfig> MakeSbrConfig(int sample_rate, const SbrHeader& h) {
  auto in = [](int v, int hi) { return v >= 0 && v <= hi; };
  if (!in(h.amp_res, 1)) return Refuse("AmpRes", "must be 0 or 1");
  if (!in(h.limiter_bands, 3) || !in(h.limiter_gains, 3) || !in(h.interpol_freq, 1) ||
      !in(h.smoothing_mode, 1)) {
    return Refuse("Limiter", "limiter_bands/gains 0..3, interpol_freq/smoothing_mode 0..1");
  }
  auto tables = ComputeSbrFreqTables(sample_rate, h.spectrum);
  if (!tables.ok()) return tables.error();
  return SbrConfig{h, std::move(*tables)};
}

core::Result<void> WriteSbrExtensionData(const SbrConfig& config, const SbrFrame& frame,
                                         BitWriter& out) {
  // Built aside so that a refused frame leaves `out` untouched.
  BitWriter w;
  w.PutBit(frame.send_header);
  if (frame.send_header) WriteHeader(config.header, w);
  if (auto ok = WriteSbrData(config, frame, w); !ok) return ok;
  out.Append(w);
  return core::Ok();
}

core::Result<SbrDeltaChoice> EncodeDeltas(SbrValues kind, int amp_res, std::span<const int> values,
                                          std::span<const int> previous) {
  const ValueCoding coding = CodingOf(kind, amp_res);
  auto df = CodeValues(coding, false, values, {}, nullptr);
  if (previous.empty()) {
    if (!df.ok()) return df.error();
    return SbrDeltaChoice{false, *df};
  }
  auto dt = CodeValues(coding, true, values, previous, nullptr);
  if (!dt.ok() && !df.ok()) return df.error();
  // Ties go to frequency coding: it does not depend on the decoder's state.
  if (dt.ok() && (!df.ok() || *dt < *df)) return SbrDeltaChoice{true, *dt};
  return SbrDeltaChoice{false, *df};
}

std::vector<int> MapEnvelope(const SbrFreqTables& t, std::span<const int> previous, bool from_res,
                             bool to_res) {
  if (from_res == to_res) return {previous.begin(), previous.end()};
  const int odd = t.n_high() & 1;
  std::vector<int> mapped(t.bands(to_res));
  for (int j = 0; j < static_cast<int>(mapped.size()); ++j) {
    // High from low: the low band holding high band j. Low from high: the high band that
    // starts where low band j starts.
    const int k = to_res ? (j + odd) >> 1 : (j ? 2 * j - odd : 0);
    mapped[j] = previous[k];
  }
  return mapped;
}

}  // namespace floe::media::aac
