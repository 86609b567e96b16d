// The decode stage, and what an epoch is.
#include <cstring>

#include "media/stages.h"

namespace floe::media {

using core::Error;

std::shared_ptr<Epoch> Epoch::Of(int id, InputRole role, Demuxer& demux) {
  auto e = std::make_shared<Epoch>();
  e->id = id;
  e->role = role;
  AVFormatContext* fmt = demux.format();
  if (demux.video_stream() >= 0) {
    e->video_par = CopyParameters(fmt->streams[demux.video_stream()]->codecpar);
  }
  if (demux.audio_stream() >= 0) {
    e->audio_par = CopyParameters(fmt->streams[demux.audio_stream()]->codecpar);
  }
  return e;
}

bool SameStream(const AVCodecParameters* a, const AVCodecParameters* b) {
  if (!a || !b) return false;
  return a->codec_id == b->codec_id && a->width == b->width && a->height == b->height &&
         a->format == b->format && a->sample_rate == b->sample_rate &&
         a->ch_layout.nb_channels == b->ch_layout.nb_channels &&
         a->extradata_size == b->extradata_size &&
         (a->extradata_size == 0 ||
          std::memcmp(a->extradata, b->extradata, a->extradata_size) == 0);
}

core::Result<CodecContextPtr> OpenDecoder(const AVCodecParameters* par) {
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) {
    return Error{"InputUnsupported", 400,
                 "no decoder for the input's " + std::string(avcodec_get_name(par->codec_id)), ""};
  }
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(ctx.get(), par);
  ctx->pkt_timebase = kMicros;
  // Low delay: slice threads instead of frame threads, which hold a frame per thread.
  ctx->thread_type = FF_THREAD_SLICE;
  ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
  int rc = avcodec_open2(ctx.get(), codec, nullptr);
  if (rc < 0) return Error{"InputUnsupported", 400, "cannot decode the input: " + AvError(rc), ""};
  return ctx;
}

core::Result<void> DecodeStage::OpenFor(const Epoch& epoch) {
  vdec_.reset();
  adec_.reset();
  epoch_id_ = epoch.id;
  video_wait_key_ = false;
  if (need_video_ && epoch.video_par) {
    auto v = OpenDecoder(epoch.video_par.get());
    if (!v) return v.error();
    vdec_ = std::move(*v);
  }
  if (need_audio_ && epoch.audio_par) {
    auto a = OpenDecoder(epoch.audio_par.get());
    if (!a) return a.error();
    adec_ = std::move(*a);
  }
  return {};
}

core::Result<void> DecodeStage::Open(const Epoch& first) {
  return OpenFor(first);
}

void DecodeStage::Require(bool video, bool audio) {
  if (video) need_video_ = true;
  if (audio) need_audio_ = true;
}

void DecodeStage::Drain(AVCodecContext* dec, bool video, const Renditions& renditions) {
  while (avcodec_receive_frame(dec, frame_.get()) == 0) {
    int64_t ts = frame_->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) ts = frame_->pts;
    if (ts != AV_NOPTS_VALUE) {
      if (video) ++frames_;
      for (const auto& r : renditions->renditions) {
        if (video ? r->transcodes_video() : r->transcodes_audio()) {
          r->in().Push(Item{RefFrame(frame_.get()), nullptr, video, ts});
        }
      }
      if (!video) {
        for (const auto& a : renditions->audio) {
          a->in().Push(Item{RefFrame(frame_.get()), nullptr, false, ts});
        }
      }
    }
    av_frame_unref(frame_.get());
  }
}

void DecodeStage::Run(BoundedQueue<DecodeItem>& queue,
                      const std::function<Renditions()>& renditions) {
  auto flush = [&] {
    for (auto [dec, video] : {std::pair{vdec_.get(), true}, std::pair{adec_.get(), false}}) {
      if (!dec) continue;
      avcodec_send_packet(dec, nullptr);
      Drain(dec, video, renditions());
    }
  };
  while (auto item = queue.Pop()) {
    Renditions now = renditions();
    if (item->slate) {
      // In order with the frames before it; a full rendition queue skips a mark (the next
      // one fills up to its own time anyway).
      for (const auto& r : now->renditions) {
        if (r->transcodes() || r->records()) {
          r->in().TryPush(Item{nullptr, nullptr, false, item->t_us, true, item->slate_black});
        }
      }
      for (const auto& a : now->audio) {
        a->in().TryPush(Item{nullptr, nullptr, false, item->t_us, true, false});
      }
      continue;
    }
    if (item->epoch->id != epoch_id_) {
      // Another connection: flush what the old decoders hold, then decode with the new
      // parameters (an input that cannot be decoded any more is skipped until the next).
      flush();
      (void)OpenFor(*item->epoch);
    }
    const Epoch& epoch = *item->epoch;
    if (item->video && !vdec_ && need_video_ && epoch.video_par) {
      // A rendition that transcodes video joined a pipeline that only copied it.
      if (auto v = OpenDecoder(epoch.video_par.get())) {
        vdec_ = std::move(*v);
        video_wait_key_ = true;
      }
    }
    if (!item->video && !adec_ && need_audio_ && epoch.audio_par) {
      if (auto a = OpenDecoder(epoch.audio_par.get())) adec_ = std::move(*a);
    }
    if (item->video && video_wait_key_) {
      if (!(item->packet->flags & AV_PKT_FLAG_KEY)) continue;
      video_wait_key_ = false;
    }
    AVCodecContext* dec = item->video ? vdec_.get() : adec_.get();
    if (!dec || avcodec_send_packet(dec, item->packet.get()) < 0) continue;  // damaged: skip
    Drain(dec, item->video, now);
  }
  flush();
  // The shared audio flushes first, so that its last packets still reach every output.
  Renditions last = renditions();
  for (const auto& a : last->audio) a->in().Close();
  for (const auto& a : last->audio) a->Wait();
  for (const auto& r : last->renditions) r->in().Close();
}

}  // namespace floe::media
