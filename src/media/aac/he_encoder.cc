// HE-AAC v1: half-rate native AAC core + Floe's SBR, spliced packet by packet.
#include "media/aac/he_encoder.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstring>

#include "media/aac/asc.h"
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

core::Result<std::unique_ptr<HeAacEncoder>> HeAacEncoder::Open(const HeAacSettings& s) {
  auto config = ChooseSbrConfig(s.sample_rate, s.channels, s.bit_rate);
  if (!config) return config.error();
  std::unique_ptr<HeAacEncoder> e(new HeAacEncoder());
  e->settings_ = s;
  const int core_rate = s.sample_rate / 2;
  const int64_t sbr_bps =
      int64_t{SbrBudgetBitsPerFrame(*config, s.channels)} * s.sample_rate / kOutputFrame;

  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  if (!codec) return core::Error{"EncoderMissing", 500, "aac is not available", ""};
  e->core_.reset(avcodec_alloc_context3(codec));
  AVCodecContext* c = e->core_.get();
  c->sample_rate = core_rate;
  av_channel_layout_default(&c->ch_layout, s.channels);
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->bit_rate = s.bit_rate - sbr_bps;
  c->time_base = {1, core_rate};
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // its extradata is replaced, but keeps ADTS out
  // SBR starts at kx: the core must reach it, or a spectral hole opens below the crossover.
  c->cutoff = config->tables.kx * s.sample_rate / 128;
  if (int rc = avcodec_open2(c, codec, nullptr); rc < 0) return Failed("core open", rc);

  // Copies: FFmpeg 5.1 takes the layouts by non-const pointer.
  AVChannelLayout out_layout{}, in_layout{};
  av_channel_layout_default(&out_layout, s.channels);
  av_channel_layout_default(&in_layout, s.channels);
  SwrContext* swr = nullptr;
  int rc = swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_FLTP, core_rate, &in_layout,
                               AV_SAMPLE_FMT_FLTP, s.sample_rate, 0, nullptr);
  e->swr_.reset(swr);
  if (rc < 0 || (rc = swr_init(swr)) < 0) return Failed("resampler", rc);
  e->fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, s.channels, 4 * kCoreFrame));
  if (!e->fifo_) return Failed("fifo", AVERROR(ENOMEM));

  e->sbr_ = std::make_unique<SbrEncoder>(std::move(*config), s.channels);
  e->qmf_.resize(s.channels);
  e->slots_.resize(s.channels);

  auto asc = HeConfig(s.sample_rate, s.channels);
  if (!asc) return asc.error();
  e->face_.reset(avcodec_alloc_context3(nullptr));
  AVCodecContext* f = e->face_.get();
  f->codec_type = AVMEDIA_TYPE_AUDIO;
  f->codec_id = AV_CODEC_ID_AAC;
  f->sample_fmt = AV_SAMPLE_FMT_FLTP;
  f->sample_rate = s.sample_rate;
  av_channel_layout_default(&f->ch_layout, s.channels);
  f->frame_size = kOutputFrame;
  f->profile = FF_PROFILE_AAC_HE;
  f->bit_rate = s.bit_rate;
  f->time_base = {1, s.sample_rate};
  f->initial_padding = 2 * c->initial_padding + kSbrDecoderDelay;
  // The core wrote an LC ASC marking SBR absent; decoders would then ignore the SBR data.
  f->extradata = static_cast<uint8_t*>(av_mallocz(asc->size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!f->extradata) return Failed("extradata", AVERROR(ENOMEM));
  std::memcpy(f->extradata, asc->data(), asc->size());
  f->extradata_size = static_cast<int>(asc->size());
  return e;
}

core::Result<void> HeAacEncoder::Encode(const AVFrame* frame,
                                        const std::function<void(AVPacket*)>& sink) {
  const int channels = settings_.channels;
  std::vector<std::vector<float>> out(channels);
  std::vector<uint8_t*> out_ptrs(channels);
  auto resample = [&](const uint8_t** in, int in_count) -> int {
    const int cap = swr_get_out_samples(swr_.get(), in_count) + 32;
    for (int ch = 0; ch < channels; ++ch) {
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
    int n = resample(const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
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
    f->sample_rate = core_->sample_rate;
    av_channel_layout_copy(&f->ch_layout, &core_->ch_layout);
    if (int rc = av_frame_get_buffer(f.get(), 0); rc < 0) return Failed("frame", rc);
    av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(f->data), f->nb_samples);
    f->pts = core_pts_;
    core_pts_ += f->nb_samples;
    if (int rc = avcodec_send_frame(core_.get(), f.get()); rc < 0) return Failed("core", rc);
    if (auto ok = Drain(sink); !ok) return ok;
  }
  if (flush) {
    int rc = avcodec_send_frame(core_.get(), nullptr);
    if (rc < 0 && rc != AVERROR_EOF) return Failed("core flush", rc);
    return Drain(sink);
  }
  return core::Ok();
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

// Core packet with pts P (core samples) decodes to output samples [2P, 2P + 2048) (before the
// SBR path's delay, which its stamp takes off); its SBR frame describes the 32 QMF slots of the
// input from slot 2P / 64 + sbr_slot_offset on.
core::Result<void> HeAacEncoder::Emit(const AVPacket* core,
                                      const std::function<void(AVPacket*)>& sink) {
  const int64_t start = FloorDiv(2 * core->pts, QmfAnalysis::kBands) + settings_.sbr_slot_offset;
  static const QmfAnalysis::Slot kSilence{};
  std::vector<std::vector<QmfAnalysis::Slot>> frame_slots(settings_.channels);
  for (int ch = 0; ch < settings_.channels; ++ch) {
    for (int64_t j = start; j < start + 32; ++j) {
      const int64_t i = j - slot_base_;
      const bool have = i >= 0 && i < static_cast<int64_t>(slots_[ch].size());
      frame_slots[ch].push_back(have ? slots_[ch][i] : kSilence);  // before or after the input
    }
  }
  // Packets come in pts order: the slots before this frame are never needed again.
  while (slot_base_ < start && !slots_[0].empty()) {
    for (auto& s : slots_) s.pop_front();
    ++slot_base_;
  }
  auto sbr = sbr_->EncodeFrame(frame_slots);
  if (!sbr) return sbr.error();
  auto spliced = AppendSbrFil({core->data, static_cast<size_t>(core->size)}, *sbr);
  if (!spliced) return spliced.error();
  av_packet_unref(out_packet_.get());
  if (int rc = av_new_packet(out_packet_.get(), static_cast<int>(spliced->size())); rc < 0)
    return Failed("packet", rc);
  std::memcpy(out_packet_->data, spliced->data(), spliced->size());
  out_packet_->pts = first_pts_ + 2 * core->pts - kSbrDecoderDelay;
  out_packet_->dts = first_pts_ + 2 * core->dts - kSbrDecoderDelay;
  out_packet_->duration = 2 * core->duration;
  out_packet_->flags = core->flags;
  sink(out_packet_.get());
  av_packet_unref(out_packet_.get());
  return core::Ok();
}

}  // namespace floe::media::aac
