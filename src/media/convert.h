// The filter stage, on libswscale and libswresample: constant output frame rate (drop or
// duplicate, timestamps regenerated), scaling, resampling and re-chunking audio for the encoder.
#pragma once

#include <cstdint>
#include <functional>

#include "media/ffmpeg.h"

namespace floe::media {

using FrameSink = std::function<void(AVFrame*)>;

class VideoConverter {
 public:
  VideoConverter(int fps, int width, int height, int scaler_flags)
      : fps_(fps), width_(width), height_(height), flags_(scaler_flags) {}

  // A decoded frame at media time t_us (microseconds since the stream began). Emits frames for
  // every output slot up to it, with pts = slot number (time base 1/fps).
  void Push(const AVFrame* in, int64_t t_us, const FrameSink& emit);
  // Fills every slot up to t_us with the last picture, or black: keeps the output going while
  // the input is away.
  void RepeatUntil(int64_t t_us, bool black, const FrameSink& emit);

  int64_t dropped() const { return dropped_; }
  int64_t duplicated() const { return duplicated_; }
  int64_t next_slot() const { return next_slot_; }

 private:
  FramePtr Scale(const AVFrame* in);
  void EmitSlot(const AVFrame* picture, int64_t slot, const FrameSink& emit);

  int fps_, width_, height_, flags_;
  SwsPtr sws_;
  int sws_w_ = 0, sws_h_ = 0, sws_fmt_ = -1;
  FramePtr last_;
  FramePtr black_;
  bool started_ = false;
  int64_t next_slot_ = 0;
  int64_t dropped_ = 0, duplicated_ = 0;
};

class AudioConverter {
 public:
  // Converts to what `encoder` takes; frames of encoder->frame_size samples (all of them when
  // the encoder takes any size), pts in samples (time base 1/sample_rate).
  explicit AudioConverter(const AVCodecContext* encoder);
  ~AudioConverter() { av_channel_layout_uninit(&in_layout_); }
  AudioConverter(const AudioConverter&) = delete;
  AudioConverter& operator=(const AudioConverter&) = delete;

  // Input audio at media time t_us. A gap of more than 40 ms between where the output stands
  // and where this frame belongs is filled with silence; an overlap is cut: audio stays on the
  // media clock, in sync with video, across input drops.
  void Push(const AVFrame* in, int64_t t_us, const FrameSink& emit);
  // Silence up to media time t_us (while the input is away).
  void SilenceUntil(int64_t t_us, const FrameSink& emit);
  void Flush(const FrameSink& emit);  // emits what is left, padded with silence
  int64_t inserted_ms() const { return inserted_samples_ * 1000 / enc_->sample_rate; }

 private:
  bool Configure(const AVFrame* in);
  void Drain(bool final, const FrameSink& emit);

  const AVCodecContext* enc_;
  SwrPtr swr_;
  AudioFifoPtr fifo_;
  int in_rate_ = 0, in_fmt_ = -1;
  AVChannelLayout in_layout_{};
  bool started_ = false;
  int64_t next_pts_ = 0;  // pts of the next sample to leave the FIFO
  int64_t inserted_samples_ = 0;
};

}  // namespace floe::media
