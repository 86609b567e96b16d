#include "media/convert.h"

#include <algorithm>
#include <cmath>

namespace floe::media {

FramePtr VideoConverter::Scale(const AVFrame* in) {
  if (in->width == width_ && in->height == height_ && in->format == AV_PIX_FMT_YUV420P) {
    return RefFrame(in);  // already the encoder's size and format: the same pixels, no copy
  }
  if (!sws_ || in->width != sws_w_ || in->height != sws_h_ || in->format != sws_fmt_) {
    sws_.reset(sws_getContext(in->width, in->height, static_cast<AVPixelFormat>(in->format), width_,
                              height_, AV_PIX_FMT_YUV420P, flags_, nullptr, nullptr, nullptr));
    sws_w_ = in->width;
    sws_h_ = in->height;
    sws_fmt_ = in->format;
    if (!sws_) return nullptr;
  }
  FramePtr out = NewFrame();
  out->format = AV_PIX_FMT_YUV420P;
  out->width = width_;
  out->height = height_;
  if (av_frame_get_buffer(out.get(), 0) < 0) return nullptr;
  sws_scale(sws_.get(), in->data, in->linesize, 0, in->height, out->data, out->linesize);
  return out;
}

void VideoConverter::EmitSlot(const AVFrame* picture, int64_t slot, const FrameSink& emit) {
  FramePtr f = RefFrame(picture);  // same pixels, own timestamp
  f->pts = slot;
  f->pict_type = AV_PICTURE_TYPE_NONE;
  emit(f.get());
}

void VideoConverter::Push(const AVFrame* in, int64_t t_us, const FrameSink& emit) {
  int64_t slot = static_cast<int64_t>(std::llround(static_cast<double>(t_us) * fps_ / 1e6));
  if (!started_) {
    started_ = true;
    next_slot_ = slot;
  }
  if (slot < next_slot_) {
    ++dropped_;  // this slot is already taken: the input runs faster than the output
    return;
  }
  // Slots the input skipped get the previous picture again.
  for (; last_ && next_slot_ < slot; ++next_slot_, ++duplicated_)
    EmitSlot(last_.get(), next_slot_, emit);
  next_slot_ = slot;
  FramePtr scaled = Scale(in);
  if (!scaled) return;
  last_ = std::move(scaled);
  EmitSlot(last_.get(), next_slot_++, emit);
}

void VideoConverter::RepeatUntil(int64_t t_us, bool black, const FrameSink& emit) {
  if (!started_) return;
  if (black && !black_) {
    black_ = NewFrame();
    black_->format = AV_PIX_FMT_YUV420P;
    black_->width = width_;
    black_->height = height_;
    if (av_frame_get_buffer(black_.get(), 0) < 0) return;
    for (int p = 0; p < 3; ++p) {
      int rows = p ? height_ / 2 : height_;
      for (int y = 0; y < rows; ++y) {
        std::fill_n(black_->data[p] + y * black_->linesize[p], black_->linesize[p], p ? 128 : 16);
      }
    }
  }
  const AVFrame* picture = black ? black_.get() : last_.get();
  if (!picture) return;
  int64_t slot = static_cast<int64_t>(std::llround(static_cast<double>(t_us) * fps_ / 1e6));
  for (; next_slot_ <= slot; ++next_slot_, ++duplicated_) EmitSlot(picture, next_slot_, emit);
}

AudioConverter::AudioConverter(const AVCodecContext* encoder) : enc_(encoder) {}

bool AudioConverter::Configure(const AVFrame* in) {
  if (swr_ && in->sample_rate == in_rate_ && in->format == in_fmt_ &&
      av_channel_layout_compare(&in->ch_layout, &in_layout_) == 0) {
    return true;
  }
  SwrContext* s = nullptr;
  // FFmpeg 5.1 takes the layouts by non-const pointer: hand it copies.
  AVChannelLayout out_layout{}, in_layout{};
  av_channel_layout_copy(&out_layout, &enc_->ch_layout);
  av_channel_layout_copy(&in_layout, &in->ch_layout);
  if (in_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    int n = in_layout.nb_channels;
    av_channel_layout_uninit(&in_layout);
    av_channel_layout_default(&in_layout, n);
  }
  int rc =
      swr_alloc_set_opts2(&s, &out_layout, enc_->sample_fmt, enc_->sample_rate, &in_layout,
                          static_cast<AVSampleFormat>(in->format), in->sample_rate, 0, nullptr);
  av_channel_layout_uninit(&out_layout);
  av_channel_layout_uninit(&in_layout);
  if (rc < 0 || swr_init(s) < 0) {
    swr_free(&s);
    return false;
  }
  swr_.reset(s);
  in_rate_ = in->sample_rate;
  in_fmt_ = in->format;
  av_channel_layout_uninit(&in_layout_);
  av_channel_layout_copy(&in_layout_, &in->ch_layout);
  if (!fifo_) fifo_.reset(av_audio_fifo_alloc(enc_->sample_fmt, enc_->ch_layout.nb_channels, 4096));
  return fifo_ != nullptr;
}

void AudioConverter::Push(const AVFrame* in, int64_t t_us, const FrameSink& emit) {
  if (!Configure(in)) return;
  if (!started_) {
    started_ = true;
    next_pts_ = av_rescale(t_us, enc_->sample_rate, 1'000'000);
  }
  int max_out = swr_get_out_samples(swr_.get(), in->nb_samples);
  if (max_out <= 0) return;
  FramePtr tmp = NewFrame();
  tmp->format = enc_->sample_fmt;
  tmp->nb_samples = max_out;
  av_channel_layout_copy(&tmp->ch_layout, &enc_->ch_layout);
  tmp->sample_rate = enc_->sample_rate;
  if (av_frame_get_buffer(tmp.get(), 0) < 0) return;
  int got = swr_convert(swr_.get(), tmp->data, max_out,
                        const_cast<const uint8_t**>(in->extended_data), in->nb_samples);
  if (got <= 0) return;
  int64_t here = next_pts_ + av_audio_fifo_size(fifo_.get());  // where the output stands
  int64_t belongs = av_rescale(t_us, enc_->sample_rate, 1'000'000);
  int64_t tolerance = enc_->sample_rate / 25;  // 40 ms
  int skip = 0;
  if (belongs - here > tolerance) {
    SilenceUntil(t_us, emit);
  } else if (here - belongs > tolerance) {
    skip = static_cast<int>(std::min<int64_t>(here - belongs, got));
  }
  if (skip < got) {
    int bps = av_get_bytes_per_sample(enc_->sample_fmt);
    bool planar = av_sample_fmt_is_planar(enc_->sample_fmt);
    int channels = enc_->ch_layout.nb_channels;
    void* planes[AV_NUM_DATA_POINTERS] = {};
    for (int p = 0; p < (planar ? channels : 1); ++p) {
      planes[p] = tmp->data[p] + static_cast<ptrdiff_t>(skip) * bps * (planar ? 1 : channels);
    }
    av_audio_fifo_write(fifo_.get(), planes, got - skip);
  }
  Drain(false, emit);
}

void AudioConverter::SilenceUntil(int64_t t_us, const FrameSink& emit) {
  if (!started_ || !fifo_) return;
  int64_t target = av_rescale(t_us, enc_->sample_rate, 1'000'000);
  int64_t missing = target - (next_pts_ + av_audio_fifo_size(fifo_.get()));
  if (missing <= 0) return;
  if (missing > int64_t{10} * enc_->sample_rate) {
    // A jump this large is a timestamp discontinuity, not a gap to fill: move the clock on.
    next_pts_ += missing;
    return;
  }
  FramePtr silence = NewFrame();
  silence->format = enc_->sample_fmt;
  silence->nb_samples = static_cast<int>(missing);
  av_channel_layout_copy(&silence->ch_layout, &enc_->ch_layout);
  silence->sample_rate = enc_->sample_rate;
  if (av_frame_get_buffer(silence.get(), 0) < 0) return;
  av_samples_set_silence(silence->data, 0, silence->nb_samples, enc_->ch_layout.nb_channels,
                         enc_->sample_fmt);
  av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(silence->data), silence->nb_samples);
  inserted_samples_ += missing;
  Drain(false, emit);
}

void AudioConverter::Drain(bool final, const FrameSink& emit) {
  int size = enc_->frame_size > 0 ? enc_->frame_size : 1024;
  while (fifo_ && (av_audio_fifo_size(fifo_.get()) >= size ||
                   (final && av_audio_fifo_size(fifo_.get()) > 0))) {
    FramePtr f = NewFrame();
    f->format = enc_->sample_fmt;
    f->nb_samples = size;
    av_channel_layout_copy(&f->ch_layout, &enc_->ch_layout);
    f->sample_rate = enc_->sample_rate;
    if (av_frame_get_buffer(f.get(), 0) < 0) return;
    av_samples_set_silence(f->data, 0, size, enc_->ch_layout.nb_channels, enc_->sample_fmt);
    av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(f->data), size);
    f->pts = next_pts_;
    next_pts_ += size;
    emit(f.get());
  }
}

void AudioConverter::Flush(const FrameSink& emit) {
  Drain(true, emit);
}

}  // namespace floe::media
