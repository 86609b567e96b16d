// Owning wrappers for FFmpeg objects (packets, frames, codec and format contexts), so that no
// business code calls av_*_free itself, and a readable message for an AVERROR.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace floe::media {

struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct CodecContextFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct InputFormatClose {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct SwsFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct SwrFree {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
struct AudioFifoFree {
  void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }
};
struct CodecParametersFree {
  void operator()(AVCodecParameters* p) const { avcodec_parameters_free(&p); }
};
// An AVIOContext opened with avio_open2 (closed, and freed, with avio_closep).
struct AvioClose {
  void operator()(AVIOContext* io) const { avio_closep(&io); }
};

using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatClose>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;
using SwrPtr = std::unique_ptr<SwrContext, SwrFree>;
using AudioFifoPtr = std::unique_ptr<AVAudioFifo, AudioFifoFree>;
using CodecParametersPtr = std::unique_ptr<AVCodecParameters, CodecParametersFree>;
using AvioPtr = std::unique_ptr<AVIOContext, AvioClose>;

// An output format context with its I/O: closes the AVIOContext (if opened) and frees.
struct OutputFormatFree {
  void operator()(AVFormatContext* f) const {
    if (f->pb && !(f->oformat->flags & AVFMT_NOFILE)) avio_closep(&f->pb);
    avformat_free_context(f);
  }
};
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatFree>;

PacketPtr NewPacket();
FramePtr NewFrame();
// A copy of `from` (nullptr when there is nothing to copy).
CodecParametersPtr CopyParameters(const AVCodecParameters* from);
// A new reference to the same buffers (no copy of the payload).
PacketPtr RefPacket(const AVPacket* p);
FramePtr RefFrame(const AVFrame* f);

std::string AvError(int code);

// Quiets libav* logging to warnings and routes it through our logger once per process.
void InitFfmpegLogging();

}  // namespace floe::media
