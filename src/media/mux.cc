#include "media/mux.h"

#include <filesystem>

#include "media/url_policy.h"

namespace floe::media {

using core::Error;

int Muxer::Interrupt(void* opaque) {
  auto* self = static_cast<Muxer*>(opaque);
  return self->abort_ && self->abort_->load() ? 1 : 0;
}

core::Result<void> Muxer::OpenOne(AVFormatContext* fmt, const std::string& url,
                                  const std::vector<MuxStream>& streams, AVDictionary** options) {
  for (const auto& s : streams) {
    AVStream* st = avformat_new_stream(fmt, nullptr);
    if (!st || avcodec_parameters_copy(st->codecpar, s.params) < 0) {
      return Error{"OutputFailed", 500, "cannot add a stream to " + url, ""};
    }
    st->codecpar->codec_tag = 0;
    st->time_base = s.time_base;
  }
  int rc = 0;
  if (!(fmt->oformat->flags & AVFMT_NOFILE)) {
    rc = avio_open2(&fmt->pb, url.c_str(), AVIO_FLAG_WRITE, &fmt->interrupt_callback, options);
    if (rc < 0)
      return Error{"OutputUnavailable", 503,
                   "cannot connect to the output " + url + ": " + AvError(rc), ""};
  }
  rc = avformat_write_header(fmt, options);
  if (rc < 0)
    return Error{"OutputFailed", 500, "cannot start the output " + url + ": " + AvError(rc), ""};
  ++started_;
  return {};
}

core::Result<std::unique_ptr<Muxer>> Muxer::Open(const std::string& url, const std::string& hls_dir,
                                                 const std::vector<MuxStream>& streams,
                                                 const std::atomic<bool>* abort) {
  auto policy = CheckUrl(url, UrlRole::kOutput);
  if (!policy) return policy.error();
  for (const auto& s : streams) {
    if (s.params->codec_id == AV_CODEC_ID_HEVC) {
      return Error{
          "InvalidParam.VideoParams.Codec", 400,
          "H.265 over RTMP needs Floe's own FLV writer, which this build does not have yet.",
          "Use H.264 for RTMP outputs."};
    }
  }
  std::unique_ptr<Muxer> m(new Muxer());
  m->abort_ = abort;
  for (const auto& s : streams) m->src_tb_.push_back(s.time_base);

  AVFormatContext* flv = nullptr;
  avformat_alloc_output_context2(&flv, nullptr, "flv", url.c_str());
  if (!flv) return Error{"OutputFailed", 500, "cannot create an FLV muxer", ""};
  m->outputs_.emplace_back(flv);
  flv->interrupt_callback = {&Muxer::Interrupt, m.get()};
  flv->protocol_whitelist = av_strdup(policy->protocol_whitelist.c_str());
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "flvflags", "no_duration_filesize", 0);
  av_dict_set(&opts, "protocol_whitelist", policy->protocol_whitelist.c_str(), 0);
  auto r = m->OpenOne(flv, url, streams, &opts);
  av_dict_free(&opts);
  if (!r) return r.error();

  if (!hls_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(hls_dir, ec);
    std::string playlist = (std::filesystem::path(hls_dir) / "index.m3u8").string();
    AVFormatContext* hls = nullptr;
    avformat_alloc_output_context2(&hls, nullptr, "hls", playlist.c_str());
    if (!hls) return Error{"OutputFailed", 500, "cannot create an HLS muxer", ""};
    m->outputs_.emplace_back(hls);
    hls->protocol_whitelist = av_strdup("file");  // operator's directory, not a user URL
    AVDictionary* hopts = nullptr;
    av_dict_set(&hopts, "hls_time", "2", 0);
    av_dict_set(&hopts, "hls_list_size", "6", 0);
    av_dict_set(&hopts, "hls_flags", "delete_segments+independent_segments", 0);
    std::string seg = (std::filesystem::path(hls_dir) / "seg%05d.ts").string();
    av_dict_set(&hopts, "hls_segment_filename", seg.c_str(), 0);
    r = m->OpenOne(hls, playlist, streams, &hopts);
    av_dict_free(&hopts);
    if (!r) return r.error();
  }
  return m;
}

Muxer::~Muxer() {
  Finish();
}

core::Result<void> Muxer::Write(int stream, const AVPacket* packet) {
  for (auto& out : outputs_) {
    PacketPtr p = RefPacket(packet);
    p->stream_index = stream;
    av_packet_rescale_ts(p.get(), src_tb_[stream], out->streams[stream]->time_base);
    int rc = av_write_frame(out.get(), p.get());  // no interleaving wait: lowest latency
    if (rc < 0) {
      return Error{"OutputFailed", 503,
                   std::string("writing to ") + out->url + " failed: " + AvError(rc), ""};
    }
  }
  return {};
}

void Muxer::Finish() {
  if (finished_) return;
  finished_ = true;
  for (size_t i = 0; i < started_; ++i) av_write_trailer(outputs_[i].get());
}

}  // namespace floe::media
