// sbr_extension_data() written by SbrWriter, read back field by field as FFmpeg reads it.
#include "media/aac/sbr_writer.h"

#include <gtest/gtest.h>

#include "media/aac/sbr_tables.h"

namespace floe::media::aac {
namespace {

// Reads one Huffman-coded delta by growing the code a bit at a time.
int ReadDelta(BitReader& r, SbrHuff which) {
  const SbrHuffTable& t = GetSbrHuffTable(which);
  uint32_t code = 0;
  for (int len = 1; len <= 20; ++len) {
    code = (code << 1) | r.Get(1);
    for (size_t s = 0; s < t.codes.size(); ++s) {
      if (t.codes[s].length == len && t.codes[s].code == code) return static_cast<int>(s) - t.lav;
    }
  }
  ADD_FAILURE() << "no code matched";
  return 0;
}

// The notes' example (AAC-NOTES 2.2): 48 kHz, start 12, stop 14, linear, alter 1, one noise band.
SbrConfig NotesConfig(int noise_bands = 1) {
  SbrHeader h;
  h.spectrum = {12, 14, 0, 0, 1, noise_bands};
  auto c = MakeSbrConfig(48000, h);
  EXPECT_TRUE(c.ok());
  return *c;
}

SbrChannelData FlatChannel(const SbrConfig& c, int num_env, bool freq_res, int level, int noise) {
  SbrChannelData ch;
  ch.grid.num_env = num_env;
  ch.grid.freq_res.assign(num_env, freq_res);
  ch.envelopes.assign(num_env, std::vector<int>(c.tables.bands(freq_res), level));
  ch.env_dt.assign(num_env, false);
  ch.noise.assign(ch.grid.num_noise(), std::vector<int>(c.tables.n_q(), noise));
  ch.noise_dt.assign(ch.grid.num_noise(), false);
  ch.invf.assign(c.tables.n_q(), 0);
  return ch;
}

// Reads a FIXFIX one-envelope channel's envelope (1.5 dB, df) and noise (df); returns values.
std::vector<int> ReadDfEnvelope(BitReader& r, int bands, int start_bits, SbrHuff f) {
  std::vector<int> v{static_cast<int>(r.Get(start_bits))};
  for (int j = 1; j < bands; ++j) v.push_back(v.back() + ReadDelta(r, f));
  return v;
}

TEST(SbrWriterTest, HeaderAndSingleChannelReadBackFieldByField) {
  const SbrConfig cfg = NotesConfig();
  SbrFrame f;
  f.channels.push_back(FlatChannel(cfg, 1, true, 40, 10));
  f.channels[0].envelopes[0][3] = 43;  // one step up and back down
  f.channels[0].invf = {2};
  BitWriter w;
  ASSERT_TRUE(WriteSbrExtensionData(cfg, f, w).ok());

  BitReader r(w.data(), w.bits());
  EXPECT_EQ(r.Get(1), 1u);   // bs_header_flag
  EXPECT_EQ(r.Get(1), 1u);   // bs_amp_res
  EXPECT_EQ(r.Get(4), 12u);  // bs_start_freq
  EXPECT_EQ(r.Get(4), 14u);  // bs_stop_freq
  EXPECT_EQ(r.Get(3), 0u);   // bs_xover_band
  EXPECT_EQ(r.Get(2), 0u);   // bs_reserved
  EXPECT_EQ(r.Get(1), 1u);   // bs_header_extra_1: linear scale differs from the default
  EXPECT_EQ(r.Get(1), 0u);   // bs_header_extra_2: limiter defaults
  EXPECT_EQ(r.Get(2), 0u);   // bs_freq_scale
  EXPECT_EQ(r.Get(1), 1u);   // bs_alter_scale
  EXPECT_EQ(r.Get(2), 1u);   // bs_noise_bands
  EXPECT_EQ(r.Get(1), 0u);   // bs_data_extra
  EXPECT_EQ(r.Get(2), 0u);   // FIXFIX
  EXPECT_EQ(r.Get(2), 0u);   // one envelope
  EXPECT_EQ(r.Get(1), 1u);   // freq_res high
  EXPECT_EQ(r.Get(1), 0u);   // bs_df_env
  EXPECT_EQ(r.Get(1), 0u);   // bs_df_noise
  EXPECT_EQ(r.Get(2), 2u);   // bs_invf_mode
  // One FIXFIX envelope: 1.5 dB despite amp_res 1, so 7 raw bits and the 1.5 dB table.
  std::vector<int> env = ReadDfEnvelope(r, 12, 7, SbrHuff::kEnv15F);
  EXPECT_EQ(env, f.channels[0].envelopes[0]);
  EXPECT_EQ(r.Get(5), 10u);  // noise, the only band
  EXPECT_EQ(r.Get(1), 0u);   // bs_add_harmonic_flag
  EXPECT_EQ(r.Get(1), 0u);   // bs_extended_data
  EXPECT_EQ(r.left(), 0u);
  EXPECT_FALSE(r.overrun());
}

// A channel of flat values shaped for `grid` (any class).
SbrChannelData FlatVarChannel(const SbrConfig& c, const SbrGrid& grid, int level) {
  SbrChannelData ch;
  ch.grid = grid;
  for (bool res : grid.freq_res) ch.envelopes.emplace_back(c.tables.bands(res), level);
  ch.env_dt.assign(grid.num_env, false);
  ch.noise.assign(grid.num_noise(), std::vector<int>(c.tables.n_q(), 10));
  ch.noise_dt.assign(grid.num_noise(), false);
  ch.invf.assign(c.tables.n_q(), 0);
  return ch;
}

SbrGrid VarGrid(SbrFrameClass cls, std::vector<int> lead, std::vector<int> trail, int pointer,
                std::vector<bool> freq_res) {
  SbrGrid g;
  g.frame_class = cls;
  g.num_env = static_cast<int>(freq_res.size());
  g.freq_res = std::move(freq_res);
  g.rel_bord_lead = std::move(lead);
  g.rel_bord_trail = std::move(trail);
  g.pointer = pointer;
  return g;
}

TEST(SbrWriterTest, VarGridsReadBackAsTheDecoderReadsThem) {
  const SbrConfig cfg = NotesConfig();  // amp_res 1: VAR frames keep the header's 3 dB
  struct Case {
    SbrGrid grid;
    std::vector<int> borders;
    int noise_split, transient;
  };
  const Case cases[] = {
      // FIXVAR: borders from 16 back; freq_res listed last envelope first; pointer 2 ->
      // transient envelope 3 + 1 - 2 = 2, noise split at envelope 3 - max(1, 1) = 2.
      {VarGrid(SbrFrameClass::kFixVar, {}, {2, 4}, 2, {true, false, true}), {0, 10, 14, 16}, 2, 2},
      // VARFIX: borders from 0 on; pointer 2 -> transient envelope 1, noise split there too.
      {VarGrid(SbrFrameClass::kVarFix, {2, 4}, {}, 2, {false, true, true}), {0, 2, 6, 16}, 1, 1},
      // VARVAR, 5 envelopes (the most FFmpeg takes); pointer 0: no transient, split at 4.
      {VarGrid(SbrFrameClass::kVarVar, {2, 2}, {2, 4}, 0, {false, false, true, false, true}),
       {0, 2, 4, 10, 14, 16},
       4,
       -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.grid.frame_class));
    EXPECT_EQ(SbrGridBorders(c.grid), c.borders);
    EXPECT_EQ(SbrNoiseSplitEnvelope(c.grid), c.noise_split);
    EXPECT_EQ(SbrTransientEnvelope(c.grid), c.transient);
    SbrFrame f;
    f.send_header = false;
    f.channels.push_back(FlatVarChannel(cfg, c.grid, 30));
    BitWriter w;
    ASSERT_TRUE(WriteSbrExtensionData(cfg, f, w).ok());
    BitReader r(w.data(), w.bits());
    EXPECT_EQ(r.Get(1), 0u);  // bs_header_flag
    EXPECT_EQ(r.Get(1), 0u);  // bs_data_extra
    const auto cls = c.grid.frame_class;
    EXPECT_EQ(r.Get(2), static_cast<uint32_t>(cls));
    const bool lead = cls == SbrFrameClass::kVarFix || cls == SbrFrameClass::kVarVar;
    const bool trail = cls == SbrFrameClass::kFixVar || cls == SbrFrameClass::kVarVar;
    if (lead) {
      EXPECT_EQ(r.Get(2), 0u);  // bs_var_bord_0
    }
    if (trail) {
      EXPECT_EQ(r.Get(2), 0u);  // bs_var_bord_1
    }
    if (lead) {
      EXPECT_EQ(r.Get(2), c.grid.rel_bord_lead.size());
    }
    if (trail) {
      EXPECT_EQ(r.Get(2), c.grid.rel_bord_trail.size());
    }
    for (int step : c.grid.rel_bord_lead) EXPECT_EQ(2 * r.Get(2) + 2, static_cast<uint32_t>(step));
    for (int step : c.grid.rel_bord_trail) EXPECT_EQ(2 * r.Get(2) + 2, static_cast<uint32_t>(step));
    // bs_pointer: ceil(log2(num_env + 1)) bits, 2 for 3 envelopes, 3 for 5.
    EXPECT_EQ(r.Get(c.grid.num_env == 3 ? 2 : 3), static_cast<uint32_t>(c.grid.pointer));
    for (int e = 0; e < c.grid.num_env; ++e) {
      const int env = cls == SbrFrameClass::kFixVar ? c.grid.num_env - 1 - e : e;
      EXPECT_EQ(r.Get(1) != 0, c.grid.freq_res[env]) << "envelope " << env;
    }
    for (int e = 0; e < c.grid.num_env + 2; ++e) EXPECT_EQ(r.Get(1), 0u);  // dtdf
    EXPECT_EQ(r.Get(2), 0u);                                               // invf, one band
    // 3 dB envelopes: 6 raw bits for the first value.
    EXPECT_EQ(ReadDfEnvelope(r, cfg.tables.bands(c.grid.freq_res[0]), 6, SbrHuff::kEnv30F),
              f.channels[0].envelopes[0]);
    EXPECT_FALSE(r.overrun());
  }

  // What the decoder would refuse, or read differently.
  BitWriter w;
  auto refused = [&](const SbrGrid& g) {
    SbrFrame f;
    f.channels.push_back(FlatVarChannel(cfg, g, 30));
    return !WriteSbrExtensionData(cfg, f, w).ok();
  };
  // Lead 8 + 8 and trail 8 meet at slot 8 twice: not strictly increasing.
  EXPECT_TRUE(refused(VarGrid(SbrFrameClass::kVarVar, {8, 8}, {8}, 0, {true, true, true, true})));
  EXPECT_TRUE(refused(VarGrid(SbrFrameClass::kVarFix, {3}, {}, 0, {true, true})));        // odd
  EXPECT_TRUE(refused(VarGrid(SbrFrameClass::kVarFix, {10}, {}, 0, {true, true})));       // > 8
  EXPECT_TRUE(refused(VarGrid(SbrFrameClass::kFixVar, {}, {4}, 0, {true, true, true})));  // count
  EXPECT_TRUE(refused(VarGrid(SbrFrameClass::kFixVar, {}, {4}, 4, {true, true})));        // pointer
  EXPECT_TRUE(refused(VarGrid(SbrFrameClass::kFixVar, {2}, {4}, 0, {true, true})));       // no lead
  EXPECT_TRUE(refused(
      VarGrid(SbrFrameClass::kVarFix, {2, 2, 2, 2}, {}, 0, {true, true, true, true, true})));
  EXPECT_EQ(w.bits(), 0u);
}

TEST(SbrWriterTest, BitCountsOfFlatFrames) {
  const SbrConfig cfg = NotesConfig();
  // Header 1 + 16 + 5 (extra_1). SCE: 1 + grid 5 + dtdf 2 + invf 2 + env 7 + 11·2 + noise 5
  // + harmonic 1 + extended 1 = 46.
  SbrFrame mono;
  mono.channels.push_back(FlatChannel(cfg, 1, true, 50, 8));
  BitWriter w;
  ASSERT_TRUE(WriteSbrExtensionData(cfg, mono, w).ok());
  EXPECT_EQ(w.bits(), 22u + 46u);
  // Without the header: 1 + 46.
  mono.send_header = false;
  BitWriter w2;
  ASSERT_TRUE(WriteSbrExtensionData(cfg, mono, w2).ok());
  EXPECT_EQ(w2.bits(), 47u);
  // Uncoupled pair: 2 + 2·(5 + 2 + 2 + 29 + 5 + 1) + 1 = 91, plus the header.
  SbrFrame stereo;
  stereo.channels = {FlatChannel(cfg, 1, true, 50, 8), FlatChannel(cfg, 1, true, 50, 8)};
  BitWriter w3;
  ASSERT_TRUE(WriteSbrExtensionData(cfg, stereo, w3).ok());
  EXPECT_EQ(w3.bits(), 22u + 91u);
}

TEST(SbrWriterTest, ChannelPairsReadBackUncoupledAndCoupled) {
  SbrHeader h;
  h.amp_res = 1;
  h.spectrum = {12, 14, 0, 0, 1, 2};  // N_high 12, N_low 6, N_Q 2
  h.limiter_gains = 3;                // forces extra_2
  auto cfg = MakeSbrConfig(48000, h);
  ASSERT_TRUE(cfg.ok());
  ASSERT_EQ(cfg->tables.n_q(), 2);
  SbrChannelData left = FlatChannel(*cfg, 2, false, 20, 5);  // 2 envelopes: 3 dB steps
  SbrChannelData right = FlatChannel(*cfg, 2, false, 30, 7);
  left.envelopes[1] = {21, 22, 23, 22, 21, 20};
  left.env_dt[1] = true;  // against envelope 0 of this frame
  right.invf = {1, 3};
  SbrFrame f;
  f.channels = {left, right};

  BitWriter w;
  ASSERT_TRUE(WriteSbrExtensionData(*cfg, f, w).ok());
  BitReader r(w.data(), w.bits());
  r.Skip(1 + 16 + 5);
  EXPECT_EQ(r.Get(6), (2u << 4) | (3u << 2) | (1u << 1) | 1u);  // limiter 2, gains 3, 1, 1
  EXPECT_EQ(r.Get(1), 0u);                                      // bs_data_extra
  EXPECT_EQ(r.Get(1), 0u);                                      // bs_coupling
  for (int c = 0; c < 2; ++c) {
    EXPECT_EQ(r.Get(2), 0u);  // FIXFIX
    EXPECT_EQ(r.Get(2), 1u);  // two envelopes
    EXPECT_EQ(r.Get(1), 0u);  // freq_res low
  }
  EXPECT_EQ(r.Get(4), 0b0100u);  // dtdf left: env 0 df, env 1 dt, noise df df
  EXPECT_EQ(r.Get(4), 0u);       // dtdf right
  EXPECT_EQ(r.Get(4), 0u);       // invf left
  EXPECT_EQ(r.Get(4), 0b0111u);  // invf right 1, 3
  // Left: 3 dB (two envelopes keep the header's amp_res): 6 raw bits.
  EXPECT_EQ(ReadDfEnvelope(r, 6, 6, SbrHuff::kEnv30F), left.envelopes[0]);
  std::vector<int> e1;
  for (int j = 0; j < 6; ++j) e1.push_back(left.envelopes[0][j] + ReadDelta(r, SbrHuff::kEnv30T));
  EXPECT_EQ(e1, left.envelopes[1]);
  EXPECT_EQ(ReadDfEnvelope(r, 6, 6, SbrHuff::kEnv30F), right.envelopes[0]);
  EXPECT_EQ(ReadDfEnvelope(r, 6, 6, SbrHuff::kEnv30F), right.envelopes[1]);
  for (int c = 0; c < 2; ++c) {
    for (int n = 0; n < 2; ++n) {
      EXPECT_EQ(ReadDfEnvelope(r, 2, 5, SbrHuff::kEnv30F), f.channels[c].noise[n]);
    }
  }
  EXPECT_EQ(r.Get(3), 0u);  // harmonic L, R, extended data
  EXPECT_EQ(r.left(), 0u);

  // Coupled: level in channel 0, balance (bitstream units) in channel 1.
  f.coupling = true;
  f.channels[1] = FlatChannel(*cfg, 2, false, 6, 4);
  f.channels[1].invf.clear();  // one invf for the pair
  BitWriter wc;
  ASSERT_TRUE(WriteSbrExtensionData(*cfg, f, wc).ok());
  BitReader rc(wc.data(), wc.bits());
  rc.Skip(1 + 16 + 5 + 6 + 1);
  EXPECT_EQ(rc.Get(1), 1u);        // bs_coupling
  EXPECT_EQ(rc.Get(5), 0b00010u);  // one grid
  EXPECT_EQ(rc.Get(4), 0b0100u);   // dtdf level
  EXPECT_EQ(rc.Get(4), 0u);        // dtdf balance
  EXPECT_EQ(rc.Get(4), 0u);        // one invf
  EXPECT_EQ(ReadDfEnvelope(rc, 6, 6, SbrHuff::kEnv30F), left.envelopes[0]);
  for (int j = 0; j < 6; ++j)
    rc.Skip(GetSbrHuffTable(SbrHuff::kEnv30T).codes[31 + (e1[j] - left.envelopes[0][j])].length);
  rc.Skip(2 * (5 + 1));  // level noise: two flat noise envelopes
  // Balance envelopes: 5 raw bits at 3 dB, balance tables.
  EXPECT_EQ(ReadDfEnvelope(rc, 6, 5, SbrHuff::kEnvBal30F), f.channels[1].envelopes[0]);
  EXPECT_EQ(ReadDfEnvelope(rc, 6, 5, SbrHuff::kEnvBal30F), f.channels[1].envelopes[1]);
  EXPECT_EQ(ReadDfEnvelope(rc, 2, 5, SbrHuff::kEnvBal30F), f.channels[1].noise[0]);
  EXPECT_EQ(ReadDfEnvelope(rc, 2, 5, SbrHuff::kEnvBal30F), f.channels[1].noise[1]);
  EXPECT_EQ(rc.Get(3), 0u);
  EXPECT_EQ(rc.left(), 0u);
}

TEST(SbrWriterTest, ValuesAtTheLimitsEncodeAndBeyondAreRefused) {
  SbrHeader h;
  h.amp_res = 0;
  h.spectrum = {12, 14, 0, 0, 1, 2};
  auto cfg = MakeSbrConfig(48000, h);
  ASSERT_TRUE(cfg.ok());
  SbrChannelData ch = FlatChannel(*cfg, 2, true, 127, 0);
  ch.envelopes[1].assign(12, 0);  // 0..127 at 1.5 dB: raw 7 bits, no delta needed
  ch.noise[0] = {0, 30};
  ch.noise[1] = {30, 0};
  SbrFrame f;
  f.channels = {ch};
  BitWriter w;
  ASSERT_TRUE(WriteSbrExtensionData(*cfg, f, w).ok());

  auto refused = [&](SbrChannelData bad) {
    SbrFrame g;
    g.channels = {std::move(bad)};
    BitWriter out;
    const bool ok = WriteSbrExtensionData(*cfg, g, out).ok();
    EXPECT_EQ(out.bits(), 0u);  // nothing written on refusal
    return !ok;
  };
  SbrChannelData high = ch;
  high.envelopes[0][0] = 128;
  EXPECT_TRUE(refused(high));
  SbrChannelData noisy = ch;
  noisy.noise[0][1] = 31;
  EXPECT_TRUE(refused(noisy));
  SbrChannelData jump = ch;
  jump.envelopes[1][5] = 61;  // a frequency delta beyond ±60
  EXPECT_TRUE(refused(jump));
  SbrChannelData no_prev = ch;
  no_prev.env_dt[0] = true;  // time delta without last frame's envelope
  EXPECT_TRUE(refused(no_prev));
  SbrChannelData short_env = ch;
  short_env.envelopes[0].pop_back();
  EXPECT_TRUE(refused(short_env));
  SbrChannelData three = FlatChannel(*cfg, 3, true, 10, 0);
  EXPECT_TRUE(refused(three));
}

TEST(SbrWriterTest, EncodeDeltasPicksTheCheaperCoding) {
  const std::vector<int> flat(12, 40);
  // In frequency: 7 + 11·2 bits. In time against the same values: 12·2 bits.
  auto same = EncodeDeltas(SbrValues::kEnvelope, 0, flat, flat);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->dt);
  EXPECT_EQ(same->bits, 24);
  auto no_prev = EncodeDeltas(SbrValues::kEnvelope, 0, flat, {});
  ASSERT_TRUE(no_prev.ok());
  EXPECT_FALSE(no_prev->dt);
  EXPECT_EQ(no_prev->bits, 29);
  const std::vector<int> far(12, 0);
  auto changed = EncodeDeltas(SbrValues::kEnvelope, 0, flat, far);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(changed->dt);
  // Noise: 5 raw bits + 1-bit zero deltas of the 3 dB table.
  auto noise = EncodeDeltas(SbrValues::kNoise, 0, std::vector<int>{9, 9, 9}, {});
  ASSERT_TRUE(noise.ok());
  EXPECT_EQ(noise->bits, 5 + 2);
  EXPECT_FALSE(EncodeDeltas(SbrValues::kNoise, 0, std::vector<int>{31}, {}).ok());
}

TEST(SbrWriterTest, TimeDeltasAcrossAFreqResChangeUseTheDecodersMapping) {
  const SbrConfig cfg = NotesConfig();  // N_high 12 (even), N_low 6
  const std::vector<int> low{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(MapEnvelope(cfg.tables, low, false, true),
            (std::vector<int>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}));
  const std::vector<int> high{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};
  EXPECT_EQ(MapEnvelope(cfg.tables, high, true, false), (std::vector<int>{10, 12, 14, 16, 18, 20}));

  SbrFrame f;
  f.send_header = false;
  f.channels.push_back(FlatChannel(cfg, 1, true, 0, 3));
  f.channels[0].envelopes[0] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6};
  f.channels[0].env_dt = {true};
  f.channels[0].prev_envelope = low;
  f.channels[0].prev_freq_res = false;
  f.channels[0].noise_dt = {true};
  f.channels[0].prev_noise = {3};
  BitWriter w;
  ASSERT_TRUE(WriteSbrExtensionData(cfg, f, w).ok());
  // 1 + 1 + 5 + 2 + 2 + 12 zero time deltas (2 bits at 1.5 dB) + 1 zero noise delta + 2.
  EXPECT_EQ(w.bits(), 11u + 24u + 1u + 2u);
}

TEST(SbrWriterTest, ExtendedDataCarriesAnIdAndPadsToItsByteCount) {
  const SbrConfig cfg = NotesConfig();
  SbrFrame f;
  f.send_header = false;
  f.channels.push_back(FlatChannel(cfg, 1, true, 50, 8));
  f.extension = SbrExtension{};
  f.extension->payload.Put(0x2AB, 10);
  BitWriter w;
  ASSERT_TRUE(WriteSbrExtensionData(cfg, f, w).ok());
  BitReader r(w.data(), w.bits());
  r.Skip(1 + 46 - 1);
  EXPECT_EQ(r.Get(1), 1u);  // bs_extended_data
  EXPECT_EQ(r.Get(4), 2u);  // 2 + 10 bits → 2 bytes
  EXPECT_EQ(r.Get(2), 2u);  // EXTENSION_ID_PS
  EXPECT_EQ(r.Get(10), 0x2ABu);
  EXPECT_EQ(r.Get(4), 0u);  // fill
  EXPECT_EQ(r.left(), 0u);

  f.extension->payload = BitWriter();
  f.extension->payload.Put(0, 30);
  for (int i = 0; i < 4; ++i) f.extension->payload.Put(0xFFFFFFFF, 32);  // 158 bits + 2 = 20 bytes
  BitWriter big;
  ASSERT_TRUE(WriteSbrExtensionData(cfg, f, big).ok());
  BitReader rb(big.data(), big.bits());
  rb.Skip(46);
  EXPECT_EQ(rb.Get(1), 1u);
  EXPECT_EQ(rb.Get(4), 15u);
  EXPECT_EQ(rb.Get(8), 5u);  // esc: 15 + 5 = 20 bytes
  EXPECT_EQ(rb.left(), 20u * 8);
}

}  // namespace
}  // namespace floe::media::aac
