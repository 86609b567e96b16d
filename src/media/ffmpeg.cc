#include "media/ffmpeg.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

namespace floe::media {

PacketPtr NewPacket() {
  return PacketPtr(av_packet_alloc());
}
FramePtr NewFrame() {
  return FramePtr(av_frame_alloc());
}

CodecParametersPtr CopyParameters(const AVCodecParameters* from) {
  if (!from) return nullptr;
  CodecParametersPtr p(avcodec_parameters_alloc());
  if (!p || avcodec_parameters_copy(p.get(), from) < 0) return nullptr;
  return p;
}

PacketPtr RefPacket(const AVPacket* p) {
  PacketPtr out(av_packet_alloc());
  if (av_packet_ref(out.get(), p) < 0) return nullptr;
  return out;
}

FramePtr RefFrame(const AVFrame* f) {
  FramePtr out(av_frame_alloc());
  if (av_frame_ref(out.get(), f) < 0) return nullptr;
  return out;
}

std::string AvError(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

namespace {
void LogCallback(void* avcl, int level, const char* fmt, va_list vl) {
  if (level > av_log_get_level()) return;
  char line[1024];
  int print_prefix = 1;
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
  std::string msg(line);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  if (msg.empty()) return;
  for (auto& c : msg) {
    if (c == '"') c = '\'';
  }
  if (level <= AV_LOG_ERROR) {
    spdlog::error("event=ffmpeg message=\"{}\"", msg);
  } else {
    spdlog::warn("event=ffmpeg message=\"{}\"", msg);
  }
}
}  // namespace

void InitFfmpegLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_ERROR);
    av_log_set_callback(LogCallback);
    avformat_network_init();
  });
}

}  // namespace floe::media
