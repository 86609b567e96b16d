// ps_data() as written reads back field by field, dt/df is chosen by bits, the SBR extension
// framing is what FFmpeg parses, and chosen parameters inside a real HE-AACv2 stream decode in
// FFmpeg to the level difference and coherence they stand for.
#include "media/aac/ps_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "media/aac/asc.h"
#include "media/aac/log_capture.h"
#include "media/aac/ps_tables.h"
#include "media/aac/sbr_encoder.h"
#include "media/aac/splice.h"
#include "media/ffmpeg.h"

namespace floe::media::aac {
namespace {

// Reads one delta of `table` by matching code words (the tables are prefix-free).
int ReadDelta(BitReader& r, PsHuff table) {
  const PsHuffTable& t = GetPsHuffTable(table);
  uint32_t code = 0;
  for (int len = 1; len <= 20; ++len) {
    code = (code << 1) | r.Get(1);
    for (size_t s = 0; s < t.codes.size(); ++s) {
      if (t.codes[s].length == len && t.codes[s].code == code) return static_cast<int>(s) - t.lav;
    }
  }
  ADD_FAILURE() << "no code word";
  return 0;
}

std::vector<int> ReadEnvelope(BitReader& r, bool dt, PsHuff df_table, PsHuff dt_table,
                              const std::vector<int>& previous, int bands) {
  std::vector<int> v;
  int last = 0;
  for (int b = 0; b < bands; ++b) {
    const int d = ReadDelta(r, dt ? dt_table : df_table);
    v.push_back((dt ? previous[b] : last) + d);
    last = v.back();
  }
  return v;
}

PsFrame TwoEnvelopes() {
  PsFrame f;
  f.bands = 10;
  f.iid = {{3, 3, 4, 4, 2, 0, -1, -3, -7, 7}, {3, 3, 4, 4, 2, 0, -1, -3, -7, 7}};
  f.icc = {{0, 0, 1, 2, 5, 5, 7, 3, 0, 4}, {0, 1, 1, 2, 5, 5, 7, 3, 0, 4}};
  f.prev_iid = std::vector<int>(10, 0);
  f.prev_icc = std::vector<int>(10, 0);
  return f;
}

TEST(PsWriterTest, PsDataReadsBackFieldByField) {
  PsFrame f = TwoEnvelopes();
  ASSERT_TRUE(ChoosePsCoding(f, false).ok());
  // The second envelope repeats the first (almost): time deltas are cheaper there; the first
  // may not refer to the previous frame.
  EXPECT_EQ(f.iid_dt, (std::vector<bool>{false, true}));
  EXPECT_EQ(f.icc_dt, (std::vector<bool>{false, true}));
  BitWriter w;
  ASSERT_TRUE(WritePsData(f, w).ok());
  BitReader r(w.data(), w.bits());
  EXPECT_EQ(r.Get(1), 1u);  // enable_ps_header
  EXPECT_EQ(r.Get(1), 1u);  // enable_iid
  EXPECT_EQ(r.Get(3), 0u);  // iid_mode: 10 bands, coarse
  EXPECT_EQ(r.Get(1), 1u);  // enable_icc
  EXPECT_EQ(r.Get(3), 0u);  // icc_mode
  EXPECT_EQ(r.Get(1), 0u);  // enable_ext
  EXPECT_EQ(r.Get(1), 0u);  // frame_class FIX
  EXPECT_EQ(r.Get(2), 2u);  // num_env_idx: 2 envelopes
  std::vector<int> prev = f.prev_iid;
  for (int e = 0; e < 2; ++e) {
    const bool dt = r.Get(1) != 0;
    EXPECT_EQ(dt, f.iid_dt[e]);
    prev = ReadEnvelope(r, dt, PsHuff::kIidDf, PsHuff::kIidDt, prev, 10);
    EXPECT_EQ(prev, f.iid[e]) << "iid envelope " << e;
  }
  prev = f.prev_icc;
  for (int e = 0; e < 2; ++e) {
    const bool dt = r.Get(1) != 0;
    prev = ReadEnvelope(r, dt, PsHuff::kIccDf, PsHuff::kIccDt, prev, 10);
    EXPECT_EQ(prev, f.icc[e]) << "icc envelope " << e;
  }
  EXPECT_EQ(r.left(), 0u);
  EXPECT_FALSE(r.overrun());

  // Without the header the frame starts at frame_class; with the previous frame allowed, the
  // first envelope's time deltas read against it.
  f.send_header = false;
  f.prev_iid = f.iid[0];
  f.prev_icc = f.icc[0];
  ASSERT_TRUE(ChoosePsCoding(f, true).ok());
  EXPECT_TRUE(f.iid_dt[0]);
  BitWriter w2;
  ASSERT_TRUE(WritePsData(f, w2).ok());
  BitReader r2(w2.data(), w2.bits());
  EXPECT_EQ(r2.Get(1), 0u);  // no header
  EXPECT_EQ(r2.Get(1), 0u);
  EXPECT_EQ(r2.Get(2), 2u);
  EXPECT_EQ(r2.Get(1), 1u);  // envelope 0 in time
  EXPECT_EQ(ReadEnvelope(r2, true, PsHuff::kIidDf, PsHuff::kIidDt, f.prev_iid, 10), f.iid[0]);
}

TEST(PsWriterTest, DeltaChoiceCountsBits) {
  const std::vector<int> flat(20, 3),
      ramp = {-7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7};
  // Flat at +3: frequency = one code then 19 one-bit zeros; time against itself: 20 bits.
  auto c = ChoosePsDeltas(PsParam::kIid, flat, {});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->dt);
  EXPECT_EQ(c->bits, 5 + 19);  // +3 from 0 is 5 bits in the df table
  c = ChoosePsDeltas(PsParam::kIid, flat, flat);
  EXPECT_TRUE(c->dt);
  EXPECT_EQ(c->bits, 20);
  // A ramp is cheap in frequency (+1 steps), dear in time against a flat previous envelope.
  c = ChoosePsDeltas(PsParam::kIid, ramp, flat);
  EXPECT_FALSE(c->dt);
  EXPECT_FALSE(ChoosePsDeltas(PsParam::kIid, std::vector<int>{8}, {}).ok());
  EXPECT_FALSE(ChoosePsDeltas(PsParam::kIcc, std::vector<int>{-1}, {}).ok());
}

TEST(PsWriterTest, RefusesWhatTheSyntaxCannotCarry) {
  PsFrame f = TwoEnvelopes();
  ASSERT_TRUE(ChoosePsCoding(f, false).ok());
  BitWriter w;
  PsFrame bad = f;
  bad.bands = 34;
  EXPECT_FALSE(WritePsData(bad, w).ok());
  bad = f;
  bad.iid.push_back(bad.iid[0]);  // 3 envelopes: not a FIX count
  bad.icc.push_back(bad.icc[0]);
  bad.iid_dt.push_back(false);
  bad.icc_dt.push_back(false);
  EXPECT_FALSE(WritePsData(bad, w).ok());
  bad = f;
  bad.iid[1][0] = -8;
  EXPECT_FALSE(WritePsData(bad, w).ok());
  bad = f;
  bad.icc[0].pop_back();
  EXPECT_FALSE(WritePsData(bad, w).ok());
  bad = f;
  bad.iid_dt[0] = true;
  bad.prev_iid.clear();
  EXPECT_FALSE(WritePsData(bad, w).ok());
}

TEST(PsWriterTest, SbrEncoderCarriesPsDataAsSizedExtendedData) {
  auto config = ChooseSbrConfig(48000, 1, 24000);
  ASSERT_TRUE(config.ok());
  SbrEncoder sbr(*config, 1);
  const std::vector<std::vector<QmfAnalysis::Slot>> silent(1, std::vector<QmfAnalysis::Slot>(32));
  auto plain = sbr.EncodeFrame(silent);  // ... ends with bs_extended_data = 0
  ASSERT_TRUE(plain.ok());
  const size_t head = plain->bits() - 1;
  SbrExtension ext{kSbrExtensionIdPs, {}};
  ext.payload.Put(0x3FF, 10);
  auto out = sbr.EncodeFrame(silent, &ext);
  ASSERT_TRUE(out.ok());
  BitReader r(out->data(), out->bits());
  BitReader p(plain->data(), head);
  for (size_t i = 0; i < head; ++i) ASSERT_EQ(r.Get(1), p.Get(1)) << "bit " << i;
  EXPECT_EQ(r.Get(1), 1u);  // bs_extended_data
  EXPECT_EQ(r.Get(4), 2u);  // bs_extension_size: 2 + 10 bits in 2 bytes
  EXPECT_EQ(r.Get(2), 2u);  // EXTENSION_ID_PS
  EXPECT_EQ(r.Get(10), 0x3FFu);
  EXPECT_EQ(r.Get(4), 0u);  // fill to 16 bits
  EXPECT_EQ(r.left(), 0u);

  SbrExtension big{kSbrExtensionIdPs, {}};  // 15 bytes and more take bs_esc_count
  for (int i = 0; i < 20; ++i) big.payload.Put(0xFF, 8);
  out = sbr.EncodeFrame(silent, &big);
  ASSERT_TRUE(out.ok());
  BitReader r2(out->data(), out->bits());
  r2.Skip(head + 1);
  EXPECT_EQ(r2.Get(4), 15u);
  EXPECT_EQ(r2.Get(8), 21u - 15u);  // (2 + 160 + 7) / 8 = 21 bytes
  SbrExtension bad_id{4, {}};
  EXPECT_FALSE(sbr.EncodeFrame(silent, &bad_id).ok());
}

// A real HE-AACv2 stream: FFmpeg's native encoder codes mono noise at 24 kHz, each packet gets
// an SBR FIL (silent envelope) carrying the chosen PS parameters; decoded from an AOT 29 ASC.
struct StereoLevels {
  double ild_db = 0, coherence = 0;
  int channels = 0, profile = 0;
  std::vector<std::string> log;
};

StereoLevels DecodeChosenPs(int iid, int icc) {
  constexpr int kOut = 48000, kCore = 24000;
  StereoLevels result;
  auto config = ChooseSbrConfig(kOut, 1, 24000);
  EXPECT_TRUE(config.ok());
  if (!config.ok()) return result;
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  CodecContextPtr c(avcodec_alloc_context3(codec));
  c->sample_rate = kCore;
  av_channel_layout_default(&c->ch_layout, 1);
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->bit_rate = 20000;
  c->cutoff = config->tables.kx * kOut / 128;
  c->time_base = {1, kCore};
  EXPECT_EQ(avcodec_open2(c.get(), codec, nullptr), 0);
  SbrEncoder sbr(*config, 1);
  const std::vector<std::vector<QmfAnalysis::Slot>> silent(1, std::vector<QmfAnalysis::Slot>(32));

  auto asc = HeV2Config(kOut);
  EXPECT_TRUE(asc.ok());
  const AVCodec* dcodec = avcodec_find_decoder(AV_CODEC_ID_AAC);
  CodecContextPtr dec(avcodec_alloc_context3(dcodec));
  dec->extradata = static_cast<uint8_t*>(av_mallocz(asc->size() + AV_INPUT_BUFFER_PADDING_SIZE));
  std::memcpy(dec->extradata, asc->data(), asc->size());
  dec->extradata_size = static_cast<int>(asc->size());
  EXPECT_EQ(avcodec_open2(dec.get(), dcodec, nullptr), 0);
  LogCapture log;

  std::mt19937 rng(11);
  std::uniform_real_distribution<float> uni(-0.2F, 0.2F);
  std::vector<float> left, right;
  PacketPtr pkt = NewPacket(), out = NewPacket();
  FramePtr decoded = NewFrame();
  auto splice_and_decode = [&]() {
    while (avcodec_receive_packet(c.get(), pkt.get()) == 0) {
      PsFrame ps;
      ps.iid = {std::vector<int>(20, iid)};
      ps.icc = {std::vector<int>(20, icc)};
      EXPECT_TRUE(ChoosePsCoding(ps, false).ok());
      SbrExtension ext{kSbrExtensionIdPs, {}};
      EXPECT_TRUE(WritePsData(ps, ext.payload).ok());
      auto sbr_data = sbr.EncodeFrame(silent, &ext);
      ASSERT_TRUE(sbr_data.ok());
      auto spliced = AppendSbrFil({pkt->data, static_cast<size_t>(pkt->size)}, *sbr_data);
      ASSERT_TRUE(spliced.ok());
      av_packet_unref(pkt.get());
      EXPECT_EQ(av_new_packet(out.get(), static_cast<int>(spliced->size())), 0);
      std::memcpy(out->data, spliced->data(), spliced->size());
      EXPECT_EQ(avcodec_send_packet(dec.get(), out.get()), 0);
      av_packet_unref(out.get());
      while (avcodec_receive_frame(dec.get(), decoded.get()) == 0) {
        result.channels = decoded->ch_layout.nb_channels;
        if (result.channels == 2) {
          auto* l = reinterpret_cast<const float*>(decoded->data[0]);
          auto* r = reinterpret_cast<const float*>(decoded->data[1]);
          left.insert(left.end(), l, l + decoded->nb_samples);
          right.insert(right.end(), r, r + decoded->nb_samples);
        }
        av_frame_unref(decoded.get());
      }
    }
  };
  for (int at = 0; at < kCore; at += 1024) {  // 1 s
    FramePtr f = NewFrame();
    f->format = AV_SAMPLE_FMT_FLTP;
    f->nb_samples = 1024;
    f->sample_rate = kCore;
    av_channel_layout_default(&f->ch_layout, 1);
    EXPECT_EQ(av_frame_get_buffer(f.get(), 0), 0);
    auto* d = reinterpret_cast<float*>(f->data[0]);
    for (int i = 0; i < 1024; ++i) d[i] = uni(rng);
    f->pts = at;
    EXPECT_EQ(avcodec_send_frame(c.get(), f.get()), 0);
    splice_and_decode();
  }
  double el = 0, er = 0, cross = 0;
  for (size_t i = 8192; i < left.size(); ++i) {  // after the priming and the PS fade-in
    el += double{left[i]} * left[i];
    er += double{right[i]} * right[i];
    cross += double{left[i]} * right[i];
  }
  result.ild_db = 10 * std::log10(el / er);
  result.coherence = cross / std::sqrt(el * er);
  result.profile = dec->profile;
  result.log = log.lines;
  return result;
}

TEST(PsWriterTest, ChosenParametersDecodeInFfmpegToTheirLevelDifferenceAndCoherence) {
  // IID index +3 = 7 dB, fully coherent (ICC index 0): AAC-NOTES 3 measured 7.00 dB.
  StereoLevels a = DecodeChosenPs(3, 0);
  EXPECT_TRUE(a.log.empty()) << a.log.front();
  EXPECT_EQ(a.channels, 2);
  EXPECT_EQ(a.profile, FF_PROFILE_AAC_HE_V2);
  EXPECT_NEAR(a.ild_db, 7.0, 0.1);
  EXPECT_GT(a.coherence, 0.95);
  // IID index -5 = 14 dB the other way, uncorrelated (ICC index 5 = 0). Measured -14.87 dB:
  // once FFmpeg mixes in its decorrelated signal the ratio is no longer exact.
  StereoLevels b = DecodeChosenPs(-5, 5);
  EXPECT_TRUE(b.log.empty()) << b.log.front();
  EXPECT_NEAR(b.ild_db, -14.0, 1.2);
  EXPECT_LT(std::abs(b.coherence), 0.25);
  std::printf(
      "PS chosen: +7 dB coherent -> %.2f dB (coherence %.3f); -14 dB ICC 0 -> %.2f dB "
      "(coherence %.3f)\n",
      a.ild_db, a.coherence, b.ild_db, b.coherence);
}

}  // namespace
}  // namespace floe::media::aac
