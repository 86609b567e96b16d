#include "media/demux.h"

#include <chrono>

#include "core/time.h"
#include "core/url_policy.h"

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

core::Result<std::unique_ptr<Demuxer>> Demuxer::Open(const std::string& url,
                                                     const InputOptions& options,
                                                     const std::atomic<bool>* stop) {
  auto policy = core::CheckUrl(url, core::UrlRole::kInput);
  if (!policy) return policy.error();
  std::unique_ptr<Demuxer> d(new Demuxer());
  d->stop_ = stop;
  d->read_timeout_ms_ = options.read_timeout_ms;
  AVFormatContext* fmt = avformat_alloc_context();
  fmt->interrupt_callback = {&Demuxer::Interrupt, d.get()};
  fmt->protocol_whitelist = av_strdup(policy->protocol_whitelist.c_str());
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", policy->protocol_whitelist.c_str(), 0);
  av_dict_set(&opts, "rtmp_live", "live", 0);
  av_dict_set(&opts, "analyzeduration", "2000000", 0);
  av_dict_set(&opts, "probesize", "2000000", 0);
  d->deadline_ms_ = core::SteadyMillis() + options.connect_timeout_ms;
  int rc = avformat_open_input(&fmt, url.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (rc < 0) {
    // avformat_open_input frees the context on failure.
    std::string why = d->timed_out_
                          ? "no answer within " + std::to_string(options.connect_timeout_ms) + " ms"
                          : AvError(rc);
    return Error{"InputUnavailable", 503, "Cannot open the input " + url + ": " + why,
                 "Check that the stream is live."};
  }
  d->fmt_.reset(fmt);
  rc = avformat_find_stream_info(fmt, nullptr);
  if (rc < 0) {
    return Error{"InputUnavailable", 503, "Cannot read the input " + url + ": " + AvError(rc),
                 "Check the stream."};
  }
  d->video_ = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  d->audio_ = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (d->video_ < 0 && d->audio_ < 0) {
    return Error{"InputUnavailable", 503, "The input " + url + " has neither video nor audio.",
                 "Check the stream."};
  }
  d->deadline_ms_ = core::SteadyMillis() + options.read_timeout_ms;
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
