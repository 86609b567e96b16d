#include "media/mux.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "core/time.h"
#include "core/url_policy.h"
#include "media/hls_master.h"
#include "media/net_guard.h"

namespace floe::media {

using core::Error;

namespace {
constexpr int64_t kConnectTimeoutMs = 5'000, kWriteTimeoutMs = 10'000;
std::atomic<int64_t> g_fence_ms{0};

// Refused by the network policy, or unreachable: never the remote's own answer.
Error ConnectFailed(uint64_t refused_before) {
  if (RefusedConnectsOnThisThread() != refused_before) {
    return Error{"OutputRefused", 403, "output refused: address not allowed",
                 "Push to an allowed network (floe serve --allow-net) or a LiveCenter domain."};
  }
  return Error{"OutputUnavailable", 503, "output unreachable", "Check that the origin is up."};
}
}  // namespace

void FenceOutputsAt(int64_t steady_ms) {
  g_fence_ms.store(steady_ms);
}

bool OutputsFenced() {
  int64_t fence = g_fence_ms.load();
  return fence > 0 && core::SteadyMillis() >= fence;
}

int Muxer::Interrupt(void* opaque) {
  auto* self = static_cast<Muxer*>(opaque);
  return (self->abort_ && self->abort_->load()) ||
                 core::SteadyMillis() > self->deadline_ms_.load() || OutputsFenced()
             ? 1
             : 0;
}

core::Result<void> Muxer::Start(AVFormatContext* fmt, const std::string& url,
                                AVDictionary** options) {
  for (size_t i = 0; i < params_.size(); ++i) {
    AVStream* st = avformat_new_stream(fmt, nullptr);
    if (!st || avcodec_parameters_copy(st->codecpar, params_[i].get()) < 0) {
      return Error{"OutputFailed", 500, "cannot add a stream to " + url, ""};
    }
    st->codecpar->codec_tag = 0;
    st->time_base = src_tb_[i];
  }
  int rc = 0;
  uint64_t refused_before = RefusedConnectsOnThisThread();
  if (!(fmt->oformat->flags & AVFMT_NOFILE)) {
    TrustScope trust(trusted_);
    rc = avio_open2(&fmt->pb, url.c_str(), AVIO_FLAG_WRITE, &fmt->interrupt_callback, options);
    if (rc < 0) return ConnectFailed(refused_before);
  }
  rc = avformat_write_header(fmt, options);
  if (rc < 0)
    return Error{"OutputFailed", 500, "cannot start the output " + url + ": " + AvError(rc), ""};
  return {};
}

core::Result<OutputFormatPtr> Muxer::OpenRtmp() {
  deadline_ms_ = core::SteadyMillis() + kConnectTimeoutMs;
  AVFormatContext* flv = nullptr;
  avformat_alloc_output_context2(&flv, nullptr, "flv", url_.c_str());
  if (!flv) return Error{"OutputFailed", 500, "cannot create an FLV muxer", ""};
  OutputFormatPtr out(flv);
  flv->interrupt_callback = {&Muxer::Interrupt, this};
  flv->protocol_whitelist = av_strdup(whitelist_.c_str());
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "flvflags", "no_duration_filesize", 0);
  av_dict_set(&opts, "protocol_whitelist", whitelist_.c_str(), 0);
  // No Nagle: the publish handshake's small commands go at once (demux.cc says why).
  av_dict_set(&opts, "tcp_nodelay", "1", 0);
  auto r = Start(flv, url_, &opts);
  av_dict_free(&opts);
  if (!r) return r.error();
  return out;
}

core::Result<std::unique_ptr<Muxer>> Muxer::Open(const std::string& url, const std::string& hls_dir,
                                                 const std::vector<MuxStream>& streams,
                                                 const std::atomic<bool>* abort,
                                                 HevcFlvMode hevc_mode, bool hls_optional,
                                                 std::vector<core::Endpoint> trusted) {
  if (url.empty() && hls_dir.empty()) {
    return Error{"OutputFailed", 500, "an output needs a URL or an HLS directory", ""};
  }
  std::unique_ptr<Muxer> m(new Muxer());
  if (!url.empty()) {
    auto policy = core::CheckUrl(url, core::UrlRole::kOutput);
    if (!policy) return policy.error();
    m->whitelist_ = policy->protocol_whitelist;
  }
  m->hevc_mode_ = hevc_mode;
  m->hls_optional_ = hls_optional;
  for (const auto& s : streams) m->hevc_ = m->hevc_ || s.params->codec_id == AV_CODEC_ID_HEVC;
  m->abort_ = abort;
  m->url_ = url;
  if (!url.empty()) m->trusted_ = std::move(trusted);  // never the HLS files' side
  for (size_t i = 0; i < streams.size(); ++i) {
    auto p = CopyParameters(streams[i].params);
    if (!p) return Error{"OutputFailed", 500, "cannot copy a stream's parameters", ""};
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) m->video_stream_ = static_cast<int>(i);
    m->params_.push_back(std::move(p));
    m->src_tb_.push_back(streams[i].time_base);
  }
  std::vector<const AVCodecParameters*> pars;
  for (const auto& p : m->params_) pars.push_back(p.get());
  std::string hls_to = hls_dir;
  if (auto why = hls_to.empty() ? std::nullopt : HlsCannotCarry(pars)) {
    if (!hls_optional || url.empty()) {
      return Error{"OutputFailed", 400, "cannot write HLS: " + *why, ""};
    }
    m->hls_unavailable_ = *why;  // the rendition says so in the job's events
    hls_to.clear();
  }
  if (url.empty()) {
    // HLS only (a job's input preview)
  } else if (m->hevc_) {
    // FFmpeg 5.1's FLV muxer refuses HEVC: Floe writes the FLV itself.
    if (auto r = m->OpenFlvWriter(); !r) return r.error();
  } else {
    auto rtmp = m->OpenRtmp();
    if (!rtmp) return rtmp.error();
    m->rtmp_ = std::move(*rtmp);
  }
  // FLV cannot go below its first packet: it starts at a video keyframe, and audio stamped
  // before it (an encoder's priming, interleaving) is left out, as after a reconnect.
  m->rtmp_wait_key_ = m->video_stream_ >= 0;

  if (!hls_to.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(hls_to, ec);
    std::string playlist = (std::filesystem::path(hls_to) / "index.m3u8").string();
    AVFormatContext* hls = nullptr;
    avformat_alloc_output_context2(&hls, nullptr, "hls", playlist.c_str());
    if (!hls) return Error{"OutputFailed", 500, "cannot create an HLS muxer", ""};
    m->hls_.reset(hls);
    hls->protocol_whitelist = av_strdup("file");  // the operator's directory, not a user URL
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "hls_time", "2", 0);
    av_dict_set(&opts, "hls_list_size", "6", 0);
    av_dict_set(&opts, "hls_flags", "delete_segments+independent_segments", 0);
    std::string seg = (std::filesystem::path(hls_to) / "seg%05d.ts").string();
    av_dict_set(&opts, "hls_segment_filename", seg.c_str(), 0);
    auto r = m->Start(hls, playlist, &opts);
    av_dict_free(&opts);
    if (r) r = WriteMasterPlaylist(hls_to, pars);
    if (!r) {
      m->hls_.reset();
      if (!hls_optional || url.empty()) return r.error();
      spdlog::warn("event=hls_stopped reason=\"{}\"", r.error().message);
    }
  }
  return m;
}

core::Result<void> Muxer::OpenFlvWriter() {
  deadline_ms_ = core::SteadyMillis() + kConnectTimeoutMs;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", whitelist_.c_str(), 0);
  av_dict_set(&opts, "tcp_nodelay", "1", 0);
  AVIOInterruptCB cb{&Muxer::Interrupt, this};
  uint64_t refused_before = RefusedConnectsOnThisThread();
  AVIOContext* io = nullptr;
  int rc = 0;
  {
    TrustScope trust(trusted_);
    rc = avio_open2(&io, url_.c_str(), AVIO_FLAG_WRITE, &cb, &opts);
  }
  av_dict_free(&opts);
  if (rc < 0) return ConnectFailed(refused_before);
  flv_io_.reset(io);
  const AVCodecParameters* video = nullptr;
  const AVCodecParameters* audio = nullptr;
  for (const auto& p : params_) {
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) video = p.get();
    if (p->codec_type == AVMEDIA_TYPE_AUDIO) audio = p.get();
  }
  flv_ = std::make_unique<FlvWriter>(flv_io_.get(), hevc_mode_);
  if (auto r = flv_->Start(video, audio); !r) {
    CloseFlvWriter();
    return r;
  }
  return {};
}

void Muxer::CloseFlvWriter() {
  flv_.reset();
  flv_io_.reset();
}

Muxer::~Muxer() {
  Finish();
  CloseFlvWriter();
}

core::Result<void> Muxer::WriteTo(AVFormatContext* fmt, int stream, const AVPacket* packet) {
  deadline_ms_ = core::SteadyMillis() + kWriteTimeoutMs;
  PacketPtr p = RefPacket(packet);
  p->stream_index = stream;
  av_packet_rescale_ts(p.get(), src_tb_[stream], fmt->streams[stream]->time_base);
  int rc = av_write_frame(fmt, p.get());  // no interleaving wait: lowest latency
  if (rc < 0)
    return Error{"OutputFailed", 503,
                 std::string("writing to ") + fmt->url + " failed: " + AvError(rc), ""};
  return {};
}

core::Result<void> Muxer::Write(int stream, const AVPacket* packet) {
  if (hls_) {
    if (auto r = WriteTo(hls_.get(), stream, packet); !r) {
      if (!hls_optional_) return r;
      spdlog::warn("event=hls_stopped reason=\"{}\"", r.error().message);
      hls_.reset();  // the preview ends; the output goes on
    }
  }
  if (!rtmp_up()) return {};
  if (OutputsFenced()) {
    spdlog::warn("event=output_fenced url={}", url_);
    last_error_ = "the process's lease on its outputs ran out";
    rtmp_.reset();
    CloseFlvWriter();
    return {};
  }
  int64_t dts_us = av_rescale_q(packet->dts, src_tb_[stream], AVRational{1, 1'000'000});
  if (rtmp_wait_key_) {
    if (stream != video_stream_ || !(packet->flags & AV_PKT_FLAG_KEY)) return {};
    rtmp_wait_key_ = false;
    rtmp_floor_us_ = dts_us;
  }
  if (dts_us < rtmp_floor_us_) return {};
  deadline_ms_ = core::SteadyMillis() + kWriteTimeoutMs;
  core::Result<void> r;
  if (flv_) {
    r = stream == video_stream_ ? flv_->WriteVideo(packet, src_tb_[stream])
                                : flv_->WriteAudio(packet, src_tb_[stream]);
  } else {
    r = WriteTo(rtmp_.get(), stream, packet);
  }
  if (!r) {
    spdlog::warn("event=output_lost url={} reason=\"{}\"", url_, r.error().message);
    last_error_ = r.error().message;
    rtmp_.reset();
    CloseFlvWriter();
  }
  return {};
}

bool Muxer::Reconnect() {
  if (rtmp_up() || !has_rtmp() || OutputsFenced()) return rtmp_up();
  if (hevc_) {
    if (!OpenFlvWriter()) return false;
  } else {
    auto rtmp = OpenRtmp();
    if (!rtmp) return false;
    rtmp_ = std::move(*rtmp);
  }
  rtmp_wait_key_ = video_stream_ >= 0;
  ++reconnects_;
  spdlog::info("event=output_reconnected url={} reconnects={}", url_, reconnects_);
  return true;
}

void Muxer::Finish() {
  if (finished_) return;
  finished_ = true;
  if (rtmp_ && !OutputsFenced()) av_write_trailer(rtmp_.get());
  if (hls_) av_write_trailer(hls_.get());
}

}  // namespace floe::media
