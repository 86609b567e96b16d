// HE-AAC v1/v2: half-rate native AAC core + Floe's SBR (+ parametric stereo), spliced packet by
// packet.
#include "media/aac/he_encoder.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstring>

#include "media/aac/asc.h"
#include "media/aac/face.h"
#include "media/aac/ps_estimate.h"
#include "media/aac/ps_writer.h"
#include "media/aac/sbr_estimate.h"
#include "media/aac/splice.h"

namespace floe::media::aac {
namespace {

constexpr int kCoreFrame = 1024;
constexpr int kOutputFrame = 2 * kCoreFrame;

core::Error Failed(const std::string& what, int rc = 0) {
  return {"EncoderFailed", 500, "HE-AAC " + what + (rc ? ": " + AvError(rc) : ""),
          "Check the template against this build."};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

}  // namespace

PsLayout ChoosePsLayout(int64_t bit_rate) {
  return {bit_rate < 22000 ? 10 : 20, bit_rate < 28000 ? 1 : 2};
}

core::Result<std::unique_ptr<HeAacEncoder>> HeAacEncoder::Open(const HeAacSettings& s) {
  if (s.parametric_stereo && s.channels != 2)
    return core::Error::InvalidParameter("AudioParams.Channels",
                                         "HE-AACv2 (parametric stereo) needs stereo input");
  // Parametric stereo: one core channel and one SBR channel carry the downmix at the whole rate.
  const int core_channels = s.parametric_stereo ? 1 : s.channels;
  auto config = ChooseSbrConfig(s.sample_rate, core_channels, s.bit_rate);
  if (!config) return config.error();
  std::unique_ptr<HeAacEncoder> e(new HeAacEncoder());
  e->settings_ = s;
  e->core_channels_ = core_channels;
  e->ps_layout_ = ChoosePsLayout(s.bit_rate);
  const int core_rate = s.sample_rate / 2;
  const int side_bits =
      SbrBudgetBitsPerFrame(*config, core_channels) +
      (s.parametric_stereo ? PsBudgetBitsPerFrame(e->ps_layout_.bands, e->ps_layout_.envelopes)
                           : 0);
  const int64_t sbr_bps = int64_t{side_bits} * s.sample_rate / kOutputFrame;

  const int64_t core_bps = s.bit_rate - sbr_bps;
  // SBR starts at kx: the core must reach it, or a spectral hole opens below the crossover.
  const int cutoff_hz = config->tables.kx * s.sample_rate / 128;
  // Floe's loop holds the whole packets, core and SBR, on the target (rate_loop.h).
  e->rate_ = std::make_unique<RateLoop>(
      s.bit_rate, static_cast<double>(kOutputFrame) / s.sample_rate, core_bps);
  if (UsesFloeLcCore(core_bps, core_channels)) {
    LdAacSettings cs;
    cs.sample_rate = core_rate;
    cs.channels = core_channels;
    cs.bit_rate = core_bps;
    cs.frame_length = kCoreFrame;
    cs.cutoff_hz = cutoff_hz;
    // Room under the AAC limit for the SBR frame that goes into the same packet (its header
    // and a transient grid can take twice its average).
    cs.max_frame_bits =
        static_cast<int>(kAacMaxBitsPerChannel) * core_channels - 2 * side_bits - 256;
    auto own = LdAacEncoder::Open(cs);
    if (!own) return own.error();
    e->own_core_ = std::move(*own);
  } else {
    const AVCodec* codec = avcodec_find_encoder_by_name("aac");
    if (!codec) return core::Error{"EncoderMissing", 500, "aac is not available", ""};
    e->core_.reset(avcodec_alloc_context3(codec));
    AVCodecContext* c = e->core_.get();
    c->sample_rate = core_rate;
    av_channel_layout_default(&c->ch_layout, core_channels);
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    c->bit_rate = core_bps;
    c->time_base = {1, core_rate};
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // its extradata is replaced, but keeps ADTS out
    c->cutoff = cutoff_hz;
    if (int rc = avcodec_open2(c, codec, nullptr); rc < 0) return Failed("core open", rc);
  }

  // Copies: FFmpeg 5.1 takes the layouts by non-const pointer.
  AVChannelLayout out_layout{}, in_layout{};
  av_channel_layout_default(&out_layout, core_channels);
  av_channel_layout_default(&in_layout, core_channels);
  SwrContext* swr = nullptr;
  int rc = swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_FLTP, core_rate, &in_layout,
                               AV_SAMPLE_FMT_FLTP, s.sample_rate, 0, nullptr);
  e->swr_.reset(swr);
  if (rc < 0 || (rc = swr_init(swr)) < 0) return Failed("resampler", rc);
  e->fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, core_channels, 4 * kCoreFrame));
  if (!e->fifo_) return Failed("fifo", AVERROR(ENOMEM));

  e->sbr_ = std::make_unique<SbrEncoder>(std::move(*config), core_channels, s.sbr_transients);
  e->qmf_.resize(s.channels);  // parametric stereo measures the input's two channels
  e->slots_.resize(s.channels);

  // Mono v1 says psPresentFlag 0, or FFmpeg would decode it as two channels (asc.h).
  auto asc = s.parametric_stereo ? HeV2Config(s.sample_rate)
             : s.channels == 1   ? HeMonoConfig(s.sample_rate)
                                 : HeConfig(s.sample_rate, s.channels);
  if (!asc) return asc.error();
  // The core wrote an LC ASC marking SBR absent; decoders would then ignore the SBR data.
  e->face_ = NewFace({.sample_rate = s.sample_rate,
                      .channels = s.channels,
                      .frame_size = kOutputFrame,
                      .profile = s.parametric_stereo ? FF_PROFILE_AAC_HE_V2 : FF_PROFILE_AAC_HE,
                      .bit_rate = s.bit_rate,
                      // Either core primes one frame (FFmpeg's initial_padding, Floe's overlap).
                      .initial_padding = 2 * kCoreFrame + kSbrDecoderDelay},
                     *asc);
  if (!e->face_) return Failed("extradata", AVERROR(ENOMEM));
  return e;
}

core::Result<void> HeAacEncoder::Encode(const AVFrame* frame,
                                        const std::function<void(AVPacket*)>& sink) {
  const int channels = settings_.channels;
  std::vector<std::vector<float>> out(core_channels_);
  std::vector<uint8_t*> out_ptrs(core_channels_);
  auto resample = [&](const uint8_t** in, int in_count) -> int {
    const int cap = swr_get_out_samples(swr_.get(), in_count) + 32;
    for (int ch = 0; ch < core_channels_; ++ch) {
      out[ch].resize(cap);
      out_ptrs[ch] = reinterpret_cast<uint8_t*>(out[ch].data());
    }
    int n = swr_convert(swr_.get(), out_ptrs.data(), cap, in, in_count);
    if (n > 0) av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(out_ptrs.data()), n);
    return n;
  };
  if (frame) {
    if (frame->format != AV_SAMPLE_FMT_FLTP || frame->ch_layout.nb_channels != channels)
      return Failed("input must be float planar with " + std::to_string(channels) + " channels");
    if (first_pts_ == AV_NOPTS_VALUE) first_pts_ = frame->pts == AV_NOPTS_VALUE ? 0 : frame->pts;
    for (int ch = 0; ch < channels; ++ch) {
      scratch_.clear();
      qmf_[ch].Process({reinterpret_cast<const float*>(frame->extended_data[ch]),
                        static_cast<size_t>(frame->nb_samples)},
                       scratch_);
      slots_[ch].insert(slots_[ch].end(), scratch_.begin(), scratch_.end());
    }
    const uint8_t** in = const_cast<const uint8_t**>(frame->extended_data);
    const uint8_t* mono = nullptr;
    if (settings_.parametric_stereo) {
      const size_t n = static_cast<size_t>(frame->nb_samples);
      downmix_.resize(n);
      Downmix({reinterpret_cast<const float*>(frame->extended_data[0]), n},
              {reinterpret_cast<const float*>(frame->extended_data[1]), n}, downmix_);
      mono = reinterpret_cast<const uint8_t*>(downmix_.data());
      in = &mono;
    }
    int n = resample(in, frame->nb_samples);
    if (n < 0) return Failed("resample", n);
    return SendCore(sink, false);
  }
  if (first_pts_ == AV_NOPTS_VALUE) first_pts_ = 0;
  for (int n; (n = resample(nullptr, 0)) > 0;) {
  }
  return SendCore(sink, true);
}

core::Result<void> HeAacEncoder::SendCore(const std::function<void(AVPacket*)>& sink, bool flush) {
  for (;;) {
    const int have = av_audio_fifo_size(fifo_.get());
    if (have == 0 || (have < kCoreFrame && !flush)) break;
    FramePtr f = NewFrame();
    f->format = AV_SAMPLE_FMT_FLTP;
    f->nb_samples = std::min(have, kCoreFrame);  // the native encoder takes a short last frame
    f->sample_rate = settings_.sample_rate / 2;
    av_channel_layout_default(&f->ch_layout, core_channels_);
    if (int rc = av_frame_get_buffer(f.get(), 0); rc < 0) return Failed("frame", rc);
    av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(f->data), f->nb_samples);
    f->pts = core_pts_;
    core_pts_ += f->nb_samples;
    if (own_core_) {
      own_core_->set_bit_rate(rate_->bit_rate());
      if (auto ok = EncodeOwnCore(f.get(), sink); !ok) return ok;
      continue;
    }
    // FFmpeg 5.1's encoder reads its bit rate at every frame.
    core_->bit_rate = rate_->bit_rate();
    if (int rc = avcodec_send_frame(core_.get(), f.get()); rc < 0) return Failed("core", rc);
    if (auto ok = Drain(sink); !ok) return ok;
  }
  if (flush && own_core_) return EncodeOwnCore(nullptr, sink);
  if (flush) {
    int rc = avcodec_send_frame(core_.get(), nullptr);
    if (rc < 0 && rc != AVERROR_EOF) return Failed("core flush", rc);
    return Drain(sink);
  }
  return core::Ok();
}

core::Result<void> HeAacEncoder::EncodeOwnCore(const AVFrame* f,
                                               const std::function<void(AVPacket*)>& sink) {
  core::Result<void> emitted = core::Ok();
  auto ok = own_core_->Encode(f, [&](AVPacket* p) {
    if (emitted) emitted = Emit(p, sink);
  });
  if (!ok) return ok;
  return emitted;
}

core::Result<void> HeAacEncoder::Drain(const std::function<void(AVPacket*)>& sink) {
  for (;;) {
    int rc = avcodec_receive_packet(core_.get(), core_packet_.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return core::Ok();
    if (rc < 0) return Failed("core", rc);
    auto ok = Emit(core_packet_.get(), sink);
    av_packet_unref(core_packet_.get());
    if (!ok) return ok;
  }
}

// `count` QMF slots of input channel `ch` from slot `start` on; silence before or after the input.
std::vector<QmfAnalysis::Slot> HeAacEncoder::TakeSlots(int ch, int64_t start, int count) const {
  static const QmfAnalysis::Slot kSilence{};
  std::vector<QmfAnalysis::Slot> out;
  for (int64_t j = start; j < start + count; ++j) {
    const int64_t i = j - slot_base_;
    const bool have = i >= 0 && i < static_cast<int64_t>(slots_[ch].size());
    out.push_back(have ? slots_[ch][i] : kSilence);
  }
  return out;
}

core::Result<BitWriter> HeAacEncoder::EncodeSbrLevel(
    std::span<const std::vector<QmfAnalysis::Slot>> slots, SbrFallback fallback,
    const SbrExtension* extension) {
  switch (fallback) {
    case SbrFallback::kNone:
      return sbr_->EncodeFrame(slots, extension);
    case SbrFallback::kNoHeader:
      return sbr_->EncodeReducedFrame(slots, SbrEncoder::Reduction::kNoHeader, extension);
    case SbrFallback::kSmallest:
    case SbrFallback::kSmallestNoPs:
      break;
  }
  return sbr_->EncodeReducedFrame(slots, SbrEncoder::Reduction::kSmallest, extension);
}

// sbr_extension_data() for the SBR frame that starts at input QMF slot `start`; with parametric
// stereo, SBR describes the downmix (QMF is linear: its slots are the mean of the channels') and
// ps_data() rides in its extended data.
core::Result<BitWriter> HeAacEncoder::EncodeSbr(int64_t start, SbrFallback fallback) {
  // The decoder moves each stereo band from the previous envelope's parameters to the next's
  // over the envelope and reaches them at its end (FIX class borders), so each envelope is
  // measured over a window of its length centred on that border: for one envelope slots 16..47
  // of the frame, which reaches into the next one.
  // The transient detector looks kSbrTransientLookahead slots past the frame for the peak of
  // an onset near its end (the core's one-frame delay means those slots are always here).
  const int env_slots = kQmfSlotsPerFrame / ps_layout_.envelopes;
  const int reach = kQmfSlotsPerFrame + std::max(kSbrTransientLookahead,
                                                 settings_.parametric_stereo ? env_slots / 2 : 0);
  std::vector<std::vector<QmfAnalysis::Slot>> slots;
  for (int ch = 0; ch < settings_.channels; ++ch) slots.push_back(TakeSlots(ch, start, reach));
  if (!settings_.parametric_stereo) return EncodeSbrLevel(slots, fallback, nullptr);

  PsFrame ps;
  ps.bands = ps_layout_.bands;
  for (int e = 0; e < ps_layout_.envelopes; ++e) {
    const int border = (e + 1) * env_slots;
    std::vector<int>& iid = ps.iid.emplace_back();
    std::vector<int>& icc = ps.icc.emplace_back();
    for (const PsBandEstimate& b : EstimatePsBands(slots[0], slots[1], border - env_slots / 2,
                                                   border + env_slots / 2, ps.bands)) {
      iid.push_back(b.iid);
      icc.push_back(b.icc_index);
    }
  }
  // A frame's first envelope is always frequency coded, as the SBR envelopes are: every packet
  // decodes on its own (live joins, segment starts). Later envelopes take the cheaper coding.
  if (auto ok = ChoosePsCoding(ps, false); !ok) return ok.error();
  SbrExtension ext{kSbrExtensionIdPs, {}};
  if (auto ok = WritePsData(ps, ext.payload); !ok) return ok.error();
  std::vector<QmfAnalysis::Slot> mono(reach);
  for (size_t t = 0; t < mono.size(); ++t) {
    for (int k = 0; k < QmfAnalysis::kBands; ++k)
      mono[t][k] = 0.5F * (slots[0][t][k] + slots[1][t][k]);
  }
  const std::span<const std::vector<QmfAnalysis::Slot>> sbr_slots(&mono, 1);
  return EncodeSbrLevel(sbr_slots, fallback,
                        fallback == SbrFallback::kSmallestNoPs ? nullptr : &ext);
}

// Core packet with pts P (core samples) decodes to output samples [2P, 2P + 2048) (before the
// SBR path's delay, which its stamp takes off); its SBR frame describes the 32 QMF slots of the
// input from slot 2P / 64 + sbr_slot_offset on.
core::Result<void> HeAacEncoder::Emit(const AVPacket* core,
                                      const std::function<void(AVPacket*)>& sink) {
  const int64_t start = FloorDiv(2 * core->pts, QmfAnalysis::kBands) + settings_.sbr_slot_offset;
  // The core may fill its packet up to the AAC limit (6144 bits per channel) without knowing
  // of the SBR data (measured: FFmpeg's encoder at 32 kbit/s mono spends its reservoir on a
  // hard attack after silence, 760 of 768 bytes). Then ever smaller SBR frames: no header; one
  // envelope; and (v2) no parametric stereo for this frame, which the decoder then keeps from
  // the last. With no room at all the core goes alone (FFmpeg logs "No quantized data read for
  // sbr_dequant", upsamples that frame and resumes at the next header), never over the limit.
  const std::span<const uint8_t> core_data(core->data, static_cast<size_t>(core->size));
  std::vector<uint8_t> spliced;
  for (SbrFallback level : {SbrFallback::kNone, SbrFallback::kNoHeader, SbrFallback::kSmallest,
                            SbrFallback::kSmallestNoPs}) {
    if (level == SbrFallback::kSmallestNoPs && !settings_.parametric_stereo) continue;
    auto sbr = EncodeSbr(start, level);
    if (!sbr) return sbr.error();
    auto out = AppendSbrFil(core_data, *sbr);
    if (!out) return out.error();
    if (FitsAacFrameLimit(out->size(), core_channels_)) {
      spliced = std::move(*out);
      if (level != SbrFallback::kNone) ++sbr_fallback_frames_;
      break;
    }
  }
  if (spliced.empty()) {
    spliced.assign(core_data.begin(), core_data.end());
    ++sbr_dropped_frames_;
  }
  // Packets come in pts order: the slots before this frame are never needed again.
  while (slot_base_ < start && !slots_[0].empty()) {
    for (auto& s : slots_) s.pop_front();
    ++slot_base_;
  }
  av_packet_unref(out_packet_.get());
  if (int rc = av_new_packet(out_packet_.get(), static_cast<int>(spliced.size())); rc < 0)
    return Failed("packet", rc);
  std::memcpy(out_packet_->data, spliced.data(), spliced.size());
  out_packet_->pts = first_pts_ + 2 * core->pts - kSbrDecoderDelay;
  out_packet_->dts = first_pts_ + 2 * core->dts - kSbrDecoderDelay;
  out_packet_->duration = 2 * core->duration;
  out_packet_->flags = core->flags;
  rate_->Account(int64_t{out_packet_->size} * 8);
  sink(out_packet_.get());
  av_packet_unref(out_packet_.get());
  return core::Ok();
}

}  // namespace floe::media::aac
