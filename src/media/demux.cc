#include "media/demux.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/strings.h"
#include "core/time.h"
#include "core/url_policy.h"
#include "media/net_guard.h"

namespace floe::media {

using core::Error;

int Demuxer::Interrupt(void* opaque) {
  auto* self = static_cast<Demuxer*>(opaque);
  if (self->stop_ && self->stop_->load()) return 1;
  if (core::SteadyMillis() > self->deadline_ms_.load()) {
    self->timed_out_ = true;
    return 1;
  }
  return 0;
}

namespace {

// What a tenant may learn of an input that did not open: refused by the network policy, or
// unreachable. Never the remote's own answer (a status line, a port open or closed).
Error OpenFailed(uint64_t refused_before) {
  if (RefusedConnectsOnThisThread() != refused_before) {
    return Error{"InputRefused", 403, "input refused: address not allowed",
                 "Use an input on an allowed network (floe serve --allow-net)."};
  }
  return Error{"InputUnavailable", 503, "input unreachable", "Check that the stream is live."};
}

// SRT goes over UDP without connect(): its host is resolved and checked here, and the URL pinned
// to the address that was checked.
core::Result<std::string> PinSrtHost(const std::string& url) {
  auto hp = core::UrlHostPort(url);
  if (!hp || hp->port == 0) {
    return Error{"InputUnavailable", 503, "input unreachable", "Give the SRT URL a host and port."};
  }
  auto ip = ResolveAllowed(hp->host, hp->port);
  if (!ip) return ip.error();
  size_t host_at = url.find("://") + 3;
  size_t end = url.find_first_of("/?", host_at);
  std::string literal = ip->find(':') != std::string::npos ? "[" + *ip + "]" : *ip;
  return url.substr(0, host_at) + literal + ":" + std::to_string(hp->port) +
         (end == std::string::npos ? "" : url.substr(end));
}

}  // namespace

core::Result<std::unique_ptr<Demuxer>> Demuxer::Open(const std::string& input_url,
                                                     const InputOptions& options,
                                                     const std::atomic<bool>* stop) {
  auto policy = core::CheckUrl(input_url, core::UrlRole::kInput);
  if (!policy) return policy.error();
  std::string url = input_url;
  if (policy->scheme == "srt") {
    auto pinned = PinSrtHost(input_url);
    if (!pinned) return pinned.error();
    url = *pinned;
  }
  uint64_t refused_before = RefusedConnectsOnThisThread();
  std::unique_ptr<Demuxer> d(new Demuxer());
  d->stop_ = stop;
  d->read_timeout_ms_ = options.read_timeout_ms;
  AVFormatContext* fmt = avformat_alloc_context();
  fmt->interrupt_callback = {&Demuxer::Interrupt, d.get()};
  fmt->protocol_whitelist = av_strdup(policy->protocol_whitelist.c_str());
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", policy->protocol_whitelist.c_str(), 0);
  av_dict_set(&opts, "rtmp_live", "live", 0);
  // RTMP's connect, createStream and play are small writes each awaiting an answer: with Nagle's
  // algorithm every one waited for the server's delayed ACK (~40 ms, ~0.2 s an input's open).
  av_dict_set(&opts, "tcp_nodelay", "1", 0);
  av_dict_set(&opts, "analyzeduration", "2000000", 0);
  av_dict_set(&opts, "probesize", "2000000", 0);
  // The probe ends once every stream can be decoded (video: its first keyframe). Without this it
  // reads on to estimate the frame rate (40 frames on FLV's millisecond clock: the whole 2 s),
  // which Floe never uses (a rendition's rate is its template's): that was most of a job's start.
  av_dict_set(&opts, "fpsprobesize", "0", 0);
  d->deadline_ms_ = core::SteadyMillis() + options.connect_timeout_ms;
  int rc = avformat_open_input(&fmt, url.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (rc < 0) {
    // avformat_open_input frees the context on failure. The detail stays in this process's log.
    spdlog::debug("event=input_open_failed detail=\"{}\"",
                  d->timed_out_ ? "no answer in time" : core::Excerpt(AvError(rc), 120));
    return OpenFailed(refused_before);
  }
  d->fmt_.reset(fmt);
  if (avformat_find_stream_info(fmt, nullptr) < 0) return OpenFailed(refused_before);
  if (auto r = d->Probe(); !r) return r.error();
  d->deadline_ms_ = core::SteadyMillis() + options.read_timeout_ms;
  return d;
}

core::Result<void> Demuxer::Probe() {
  video_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  audio_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (video_ < 0 && audio_ < 0) {
    return Error{"InputUnavailable", 503, "the input has neither video nor audio",
                 "Check the stream."};
  }
  return {};
}

void Demuxer::IoFree::operator()(AVIOContext* io) const {
  av_freep(&io->buffer);
  avio_context_free(&io);
}

core::Result<std::unique_ptr<Demuxer>> Demuxer::OpenBytes(const uint8_t* data, size_t size,
                                                          const std::string& format) {
  const AVInputFormat* ifmt = av_find_input_format(format.c_str());
  if (!ifmt) return Error{"InputUnsupported", 400, "no demuxer " + format, ""};
  std::unique_ptr<Demuxer> d(new Demuxer());
  d->read_timeout_ms_ = 60'000;
  d->bytes_ = {data, size, 0};
  constexpr int kBuffer = 4096;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBuffer));
  auto read = [](void* opaque, uint8_t* buf, int n) -> int {
    auto* b = static_cast<Bytes*>(opaque);
    size_t left = b->size - b->pos;
    if (left == 0) return AVERROR_EOF;
    size_t take = std::min(left, static_cast<size_t>(n));
    std::memcpy(buf, b->data + b->pos, take);
    b->pos += take;
    return static_cast<int>(take);
  };
  d->io_.reset(avio_alloc_context(buffer, kBuffer, 0, &d->bytes_, read, nullptr, nullptr));
  AVFormatContext* fmt = avformat_alloc_context();
  fmt->pb = d->io_.get();
  fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  fmt->interrupt_callback = {&Demuxer::Interrupt, d.get()};
  d->deadline_ms_ = core::SteadyMillis() + 60'000;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "analyzeduration", "2000000", 0);
  av_dict_set(&opts, "probesize", "65536", 0);
  int rc = avformat_open_input(&fmt, nullptr, ifmt, &opts);
  av_dict_free(&opts);
  if (rc < 0) return Error{"InputUnavailable", 503, "input unreadable", ""};
  d->fmt_.reset(fmt);
  if (avformat_find_stream_info(fmt, nullptr) < 0) {
    return Error{"InputUnavailable", 503, "input unreadable", ""};
  }
  if (auto r = d->Probe(); !r) return r.error();
  return d;
}

Demuxer::~Demuxer() = default;

int Demuxer::Read(AVPacket* packet) {
  timed_out_ = false;
  deadline_ms_ = core::SteadyMillis() + read_timeout_ms_;
  return av_read_frame(fmt_.get(), packet);
}

int64_t Demuxer::bytes_read() const {
  return fmt_ && fmt_->pb ? avio_tell(fmt_->pb) : 0;
}

}  // namespace floe::media
