// A rendition: convert + encode on one thread, mux on another, a bounded queue between them.
#include <spdlog/spdlog.h>

#include "core/backoff.h"
#include "core/time.h"
#include "media/stages.h"

namespace floe::media {

using core::Error;
using Clock = std::chrono::steady_clock;

core::Result<std::unique_ptr<Rendition>> Rendition::Open(
    const RenditionConfig& config, const Epoch& first, const LiveDefaults& defaults,
    bool hevc_flv_codec_id_12, const std::atomic<bool>* abort_io, EventFn on_event,
    std::shared_ptr<AudioStage> audio) {
  std::unique_ptr<Rendition> r(new Rendition());
  r->cfg_ = config;
  r->on_event_ = std::move(on_event);
  const auto& s = config.settings;
  if (config.record && (s.video || s.audio || !s.copy_video || !s.copy_audio)) {
    return Error::Internal("a recording copies the input's streams and encodes nothing");
  }
  if (config.snapshot) {
    if (s.video || s.audio || s.copy_video || s.copy_audio) {
      return Error::Internal("snapshots take decoded pictures and encode no stream");
    }
    if (!first.video_par) {
      return Error{"InputUnsupported", 400, "snapshots need video but the input has none", ""};
    }
    r->snap_ = std::make_unique<Snapshotter>(*config.snapshot);
    return r;
  }
  if (s.video && !first.video_par) {
    return Error{"InputUnsupported", 400, "the template transcodes video but the input has none",
                 ""};
  }
  if (s.video && first.video_par) {
    int w = 0, h = 0;
    OutputSize(*s.video, first.video_par->width, first.video_par->height, w, h);
    auto e = Encoder::OpenVideo(*s.video, w, h, defaults);
    if (!e) return e.error();
    r->venc_ = std::move(*e);
    r->vconv_ = std::make_unique<VideoConverter>(s.video->fps, w, h, defaults.scaler_flags);
  }
  if (s.audio && first.audio_par && audio) {
    r->audio_stage_ = std::move(audio);  // encoded once for every rendition with these settings
  } else if (s.audio && first.audio_par) {
    auto e = Encoder::OpenAudio(*s.audio);
    if (!e) return e.error();
    r->aenc_ = std::move(*e);
    r->aconv_ = std::make_unique<AudioConverter>(r->aenc_->context());
  }
  std::vector<CodecParametersPtr> owned;
  std::vector<MuxStream> streams;
  auto add = [&](const AVCodecContext* enc, const AVCodecParameters* copy_from, AVRational tb) {
    CodecParametersPtr par;
    if (enc) {
      par.reset(avcodec_parameters_alloc());
      if (par) avcodec_parameters_from_context(par.get(), enc);
    } else {
      par = CopyParameters(copy_from);
    }
    if (!par) return -1;
    streams.push_back({par.get(), tb});
    owned.push_back(std::move(par));
    return static_cast<int>(streams.size()) - 1;
  };
  if (r->venc_) r->out_video_ = add(r->venc_->context(), nullptr, r->venc_->time_base());
  if (s.copy_video && first.video_par) r->out_video_ = add(nullptr, first.video_par.get(), kMicros);
  if (r->aenc_) r->out_audio_ = add(r->aenc_->context(), nullptr, r->aenc_->time_base());
  if (r->audio_stage_) {
    r->out_audio_ = add(r->audio_stage_->context(), nullptr, r->audio_stage_->time_base());
  }
  if (s.copy_audio && first.audio_par) r->out_audio_ = add(nullptr, first.audio_par.get(), kMicros);
  if (streams.empty()) {
    return Error{"InputUnsupported", 400, "the input has no stream this template can output", ""};
  }
  if (config.record) {
    auto rec = Recorder::Open(*config.record, streams);
    if (!rec) return rec.error();
    r->rec_ = std::move(*rec);
    return r;
  }
  auto m = Muxer::Open(config.output_url, config.hls_dir, streams, abort_io,
                       hevc_flv_codec_id_12 ? HevcFlvMode::kCodecId12 : HevcFlvMode::kEnhanced,
                       config.hls_optional, config.trusted_endpoints);
  if (!m) return m.error();
  r->mux_ = std::move(*m);
  if (!r->mux_->hls_unavailable().empty()) {
    spdlog::warn("event=preview_unavailable rendition={} reason=\"{}\"", config.key,
                 r->mux_->hls_unavailable());
    if (r->on_event_) {
      r->on_event_(Event{EventKind::kPreviewUnavailable, config.key,
                         r->mux_->hls_unavailable() + "; the RTMP output is not affected"});
    }
  }
  return r;
}

void Rendition::Deliver(AVPacket* pkt, int stream, AVRational tb) {
  bool video = stream == out_video_;
  int64_t t_us = av_rescale_q(pkt->pts, tb, kMicros);
  if (video) {
    if (need_keyframe_ && !(pkt->flags & AV_PKT_FLAG_KEY)) {
      ++stats_.shed;
      return;
    }
    need_keyframe_ = false;
  }
  int64_t size = pkt->size;
  if (!out_.TryPush(MuxItem{RefPacket(pkt), stream})) {
    ++stats_.shed;  // the output is behind: drop, and restart video at a keyframe
    if (video) need_keyframe_ = true;
    return;
  }
  stats_.bytes += size;
  if (video) {
    ++stats_.frames;
    stats_.last_video_us = t_us;
  } else {
    stats_.last_audio_us = t_us;
  }
}

void Rendition::PublishCounters() {
  // The converters belong to this thread; the stats thread reads these copies.
  if (vconv_) {
    stats_.dropped = vconv_->dropped();
    stats_.duplicated = vconv_->duplicated();
  }
  if (aconv_) stats_.silence_ms = aconv_->inserted_ms();
  if (audio_stage_) stats_.silence_ms = audio_stage_->silence_ms();
}

void Rendition::Run(const FailFn& fail) {
  auto check = [&](const core::Result<void>& res) {
    if (!res) fail(res.error());
  };
  auto video_packet = [&](AVPacket* p) {
    auto now = Clock::now();
    while (!pending_.empty() && pending_.front().first <= p->pts) {
      stats_.encode_us_total +=
          std::chrono::duration_cast<std::chrono::microseconds>(now - pending_.front().second)
              .count();
      ++stats_.encoded;
      pending_.pop_front();
    }
    Deliver(p, out_video_, venc_->time_base());
  };
  auto audio_packet = [&](AVPacket* p) { Deliver(p, out_audio_, aenc_->time_base()); };
  auto encode_video = [&](AVFrame* f) {
    pending_.emplace_back(f->pts, Clock::now());
    check(venc_->Encode(f, video_packet));
  };
  auto encode_audio = [&](AVFrame* f) { check(aenc_->Encode(f, audio_packet)); };

  while (auto it = in_.Pop()) {
    if (snap_) {
      // Pictures only: none while the input is away (slate), no packets.
      if (!it->slate && it->video && it->frame) {
        check(snap_->Push(it->frame.get(), it->t_us, core::NowMillis()));
        ++stats_.frames;
      }
    } else if (it->slate && rec_) {
      out_.TryPush(MuxItem{nullptr, -1, true});  // a full queue: the next mark says it again
    } else if (it->slate) {
      if (vconv_) vconv_->RepeatUntil(it->t_us, it->slate_black, encode_video);
      if (aconv_) aconv_->SilenceUntil(it->t_us, encode_audio);
    } else if (it->packet) {
      int stream = it->video ? out_video_ : out_audio_;
      if (stream >= 0) Deliver(it->packet.get(), stream, kMicros);
    } else if (it->video) {
      if (vconv_) vconv_->Push(it->frame.get(), it->t_us, encode_video);
    } else if (aconv_) {
      aconv_->Push(it->frame.get(), it->t_us, encode_audio);
    }
    PublishCounters();
  }
  if (vconv_) check(venc_->Encode(nullptr, video_packet));
  if (aconv_) {
    aconv_->Flush(encode_audio);
    check(aenc_->Encode(nullptr, audio_packet));
  }
  PublishCounters();
  out_.Close();
}

void Rendition::RunRecord(const FailFn& fail) {
  bool failed = false;
  auto check = [&](const core::Result<void>& res) {
    if (!res && !failed) {
      failed = true;
      fail(res.error());
    }
  };
  while (auto item = out_.Pop()) {
    if (failed) continue;  // keep draining so the other side never blocks
    int64_t now_ms = core::NowMillis();
    if (item->gap) {
      rec_->InputLost(now_ms);
      check(rec_->Tick(now_ms));
    } else {
      check(rec_->Write(item->stream, item->packet.get(), now_ms));
    }
  }
  check(rec_->Finish());
}

void Rendition::RunMux(const FailFn& fail, const std::atomic<bool>& abort_io) {
  if (rec_) {
    RunRecord(fail);
    return;
  }
  if (snap_) {  // nothing to send: its pictures are written as they are taken
    while (out_.Pop()) {
    }
    return;
  }
  bool failed = false;
  auto retry_at = Clock::now();
  core::Backoff backoff(250, 4'000);
  const int paced = out_video_ >= 0 ? out_video_ : out_audio_;  // the stream a viewer waits on
  int64_t last_sent_us = INT64_MIN;
  while (auto item = out_.Pop()) {
    if (failed) continue;  // keep draining so the encoder side never blocks
    if (mux_->has_rtmp() && !mux_->rtmp_up() && Clock::now() >= retry_at && !abort_io) {
      // The output dropped: retry with backoff; packets meanwhile go to HLS only.
      if (mux_->Reconnect()) {
        backoff.Reset();
        stats_.reconnects = mux_->reconnects();
        if (on_event_) on_event_(Event{EventKind::kOutputReconnected, cfg_.key, ""});
      } else {
        retry_at = Clock::now() + std::chrono::milliseconds(backoff.Next());
      }
    }
    bool was_up = mux_->rtmp_up();
    auto res = mux_->Write(item->stream, item->packet.get());
    if (!res) {
      failed = true;
      fail(res.error());
    } else if (was_up && !mux_->rtmp_up() && on_event_) {
      on_event_(Event{EventKind::kOutputLost, cfg_.key, mux_->last_error()});
    } else if (was_up && item->stream == paced) {
      int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
      if (last_sent_us != INT64_MIN) stats_.gaps.Observe(now_us - last_sent_us);
      last_sent_us = now_us;
    }
  }
  if (!failed) mux_->Finish();
}

}  // namespace floe::media
