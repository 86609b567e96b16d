#include "media/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "media/convert.h"
#include "media/encoder.h"
#include "media/ffmpeg.h"
#include "media/mux.h"
#include "media/queue.h"
#include "media/url_policy.h"

namespace floe::media {

using core::Error;
using Clock = std::chrono::steady_clock;
constexpr AVRational kMicros{1, 1'000'000};

namespace {

// What flows from demux/decode into a rendition: a decoded frame, or (for copied streams) a
// packet; t_us is media time since the stream began.
struct Item {
  FramePtr frame;
  PacketPtr packet;
  bool video = false;
  int64_t t_us = 0;
};

struct MuxItem {
  PacketPtr packet;
  int stream = 0;
};

struct Counters {
  std::atomic<int64_t> frames{0}, bytes{0}, dropped{0}, duplicated{0}, shed{0}, reconnects{0};
  std::atomic<int64_t> encode_us_total{0}, encoded{0};
  std::atomic<int64_t> last_video_us{INT64_MIN}, last_audio_us{INT64_MIN};
};

}  // namespace

struct Rendition {
  RenditionConfig cfg;
  std::unique_ptr<Encoder> venc, aenc;
  std::unique_ptr<VideoConverter> vconv;
  std::unique_ptr<AudioConverter> aconv;
  std::unique_ptr<Muxer> mux;
  int out_video = -1, out_audio = -1;
  AVRational copy_video_tb{1, 1'000'000};
  BoundedQueue<Item> in{64};
  BoundedQueue<MuxItem> out{512};
  bool need_keyframe = false;
  std::deque<std::pair<int64_t, Clock::time_point>> pending;  // video pts → when it entered
  Counters stats;
};

struct Pipeline::Impl {
  PipelineConfig cfg;
  std::atomic<bool> stop{false};      // input side: stop reading
  std::atomic<bool> abort_io{false};  // output side: give up on blocked writes
  std::unique_ptr<Demuxer> demux;
  CodecContextPtr vdec, adec;
  std::vector<std::unique_ptr<Rendition>> renditions;
  BoundedQueue<PacketPtr> decode_queue{256};
  int64_t start_us = AV_NOPTS_VALUE;
  std::atomic<int64_t> in_frames{0}, in_bytes{0};
  std::mutex err_mu;
  std::optional<Error> error;

  void Fail(const Error& e) {
    {
      std::lock_guard lock(err_mu);
      if (!error) error = e;
    }
    spdlog::error("event=pipeline_error code={} message=\"{}\"", e.code, e.message);
    stop = true;
  }

  core::Result<void> Setup();
  core::Result<CodecContextPtr> OpenDecoder(int stream);
  void DemuxLoop();
  void DecodeLoop();
  void RenditionLoop(Rendition& r);
  void MuxLoop(Rendition& r);
  void Deliver(Rendition& r, AVPacket* pkt, int stream, AVRational tb);
  std::string StatsLine(double seconds, std::vector<int64_t>& last_frames,
                        std::vector<int64_t>& last_bytes, int64_t& last_in_frames,
                        int64_t& last_in_bytes, std::vector<int64_t>& last_media_us);
};

Pipeline::Pipeline(PipelineConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(config);
}
Pipeline::~Pipeline() = default;

void Pipeline::Stop() {
  impl_->stop = true;
}

core::Result<CodecContextPtr> Pipeline::Impl::OpenDecoder(int stream) {
  AVStream* st = demux->format()->streams[stream];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec)
    return Error{
        "InputUnsupported", 400,
        "no decoder for the input's " + std::string(avcodec_get_name(st->codecpar->codec_id)), ""};
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(ctx.get(), st->codecpar);
  ctx->pkt_timebase = st->time_base;
  // Low delay: slice threads instead of frame threads, which hold a frame per thread.
  ctx->thread_type = FF_THREAD_SLICE;
  ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
  int rc = avcodec_open2(ctx.get(), codec, nullptr);
  if (rc < 0) return Error{"InputUnsupported", 400, "cannot decode the input: " + AvError(rc), ""};
  return ctx;
}

core::Result<void> Pipeline::Impl::Setup() {
  // Refuse a bad output before waiting on the input.
  for (const auto& rc : cfg.renditions) {
    if (auto ok = CheckUrl(rc.output_url, UrlRole::kOutput); !ok) return ok.error();
  }
  auto d = Demuxer::Open(cfg.input_url, cfg.input, &stop);
  if (!d) return d.error();
  demux = std::move(*d);
  AVFormatContext* fmt = demux->format();
  bool need_video_decode = false, need_audio_decode = false;
  for (const auto& rc : cfg.renditions) {
    need_video_decode |= rc.settings.video.has_value();
    need_audio_decode |= rc.settings.audio.has_value();
  }
  if (need_video_decode && demux->video_stream() < 0) {
    return Error{"InputUnsupported", 400, "the template transcodes video but the input has none",
                 ""};
  }
  if (need_video_decode) {
    auto v = OpenDecoder(demux->video_stream());
    if (!v) return v.error();
    vdec = std::move(*v);
  }
  if (need_audio_decode && demux->audio_stream() >= 0) {
    auto a = OpenDecoder(demux->audio_stream());
    if (!a) return a.error();
    adec = std::move(*a);
  }
  for (const auto& rc : cfg.renditions) {
    auto r = std::make_unique<Rendition>();
    r->cfg = rc;
    std::vector<MuxStream> streams;
    const auto& s = rc.settings;
    if (s.video) {
      int w = 0, h = 0;
      AVCodecParameters* par = fmt->streams[demux->video_stream()]->codecpar;
      OutputSize(*s.video, par->width, par->height, w, h);
      auto e = Encoder::OpenVideo(*s.video, w, h, cfg.defaults);
      if (!e) return e.error();
      r->venc = std::move(*e);
      r->vconv = std::make_unique<VideoConverter>(s.video->fps, w, h, cfg.defaults.scaler_flags);
    }
    if (s.audio && demux->audio_stream() >= 0) {
      auto e = Encoder::OpenAudio(*s.audio);
      if (!e) return e.error();
      r->aenc = std::move(*e);
      r->aconv = std::make_unique<AudioConverter>(r->aenc->context());
    }
    std::vector<AVCodecParameters*> owned;
    auto add = [&](AVCodecContext* enc, const AVCodecParameters* copy_from, AVRational tb) {
      AVCodecParameters* par = avcodec_parameters_alloc();
      if (enc) {
        avcodec_parameters_from_context(par, enc);
      } else {
        avcodec_parameters_copy(par, copy_from);
      }
      owned.push_back(par);
      streams.push_back({par, tb});
      return static_cast<int>(streams.size()) - 1;
    };
    if (r->venc) r->out_video = add(r->venc->context(), nullptr, r->venc->time_base());
    if (s.copy_video && demux->video_stream() >= 0) {
      r->out_video = add(nullptr, fmt->streams[demux->video_stream()]->codecpar, kMicros);
    }
    if (r->aenc) r->out_audio = add(r->aenc->context(), nullptr, r->aenc->time_base());
    if (s.copy_audio && demux->audio_stream() >= 0) {
      r->out_audio = add(nullptr, fmt->streams[demux->audio_stream()]->codecpar, kMicros);
    }
    if (streams.empty()) {
      for (auto* p : owned) avcodec_parameters_free(&p);
      return Error{"InputUnsupported", 400, "the input has no stream this template can output", ""};
    }
    auto m = Muxer::Open(rc.output_url, rc.hls_dir, streams, &abort_io);
    for (auto* p : owned) avcodec_parameters_free(&p);
    if (!m) return m.error();
    r->mux = std::move(*m);
    renditions.push_back(std::move(r));
  }
  return {};
}

void Pipeline::Impl::DemuxLoop() {
  PacketPtr pkt = NewPacket();
  AVFormatContext* fmt = demux->format();
  for (;;) {
    int rc = demux->Read(pkt.get());
    if (rc < 0) {
      if (rc == AVERROR_EOF) {
        spdlog::info("event=input_ended");
      } else if (demux->TimedOut()) {
        spdlog::warn("event=input_lost reason=\"no data within the read timeout\"");
      } else if (!stop) {
        spdlog::warn("event=input_lost reason=\"{}\"", AvError(rc));
      }
      break;
    }
    int idx = pkt->stream_index;
    bool is_video = idx == demux->video_stream(), is_audio = idx == demux->audio_stream();
    if (!is_video && !is_audio) {
      av_packet_unref(pkt.get());
      continue;
    }
    in_bytes += pkt->size;
    AVRational tb = fmt->streams[idx]->time_base;
    int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    if (start_us == AV_NOPTS_VALUE && ts != AV_NOPTS_VALUE)
      start_us = av_rescale_q(ts, tb, kMicros);
    for (auto& r : renditions) {
      bool copy =
          (is_video && r->cfg.settings.copy_video) || (is_audio && r->cfg.settings.copy_audio);
      if (!copy || pkt->pts == AV_NOPTS_VALUE) continue;
      Item it;
      it.packet = RefPacket(pkt.get());
      it.video = is_video;
      it.packet->pts = av_rescale_q(pkt->pts, tb, kMicros) - start_us;
      it.packet->dts = pkt->dts == AV_NOPTS_VALUE ? it.packet->pts
                                                  : av_rescale_q(pkt->dts, tb, kMicros) - start_us;
      it.packet->duration = av_rescale_q(pkt->duration, tb, kMicros);
      it.t_us = it.packet->pts;
      r->in.Push(std::move(it));
    }
    if ((is_video && vdec) || (is_audio && adec)) {
      decode_queue.Push(RefPacket(pkt.get()));
    }
    av_packet_unref(pkt.get());
  }
  decode_queue.Close();
}

void Pipeline::Impl::DecodeLoop() {
  FramePtr frame = NewFrame();
  AVFormatContext* fmt = demux->format();
  auto drain = [&](AVCodecContext* dec, bool video, AVRational tb) {
    while (avcodec_receive_frame(dec, frame.get()) == 0) {
      int64_t ts = frame->best_effort_timestamp;
      if (ts == AV_NOPTS_VALUE) ts = frame->pts;
      if (ts != AV_NOPTS_VALUE) {
        int64_t t_us = av_rescale_q(ts, tb, kMicros) - start_us;
        if (video) ++in_frames;
        for (auto& r : renditions) {
          if ((video && r->vconv) || (!video && r->aconv)) {
            r->in.Push(Item{RefFrame(frame.get()), nullptr, video, t_us});
          }
        }
      }
      av_frame_unref(frame.get());
    }
  };
  while (auto pkt = decode_queue.Pop()) {
    bool video = (*pkt)->stream_index == demux->video_stream();
    AVCodecContext* dec = video ? vdec.get() : adec.get();
    AVRational tb = fmt->streams[(*pkt)->stream_index]->time_base;
    if (avcodec_send_packet(dec, pkt->get()) < 0) continue;  // a damaged packet: skip it
    drain(dec, video, tb);
  }
  for (auto [dec, video] : {std::pair{vdec.get(), true}, std::pair{adec.get(), false}}) {
    if (!dec) continue;
    avcodec_send_packet(dec, nullptr);
    int idx = video ? demux->video_stream() : demux->audio_stream();
    drain(dec, video, fmt->streams[idx]->time_base);
  }
  for (auto& r : renditions) r->in.Close();
}

void Pipeline::Impl::Deliver(Rendition& r, AVPacket* pkt, int stream, AVRational tb) {
  bool video = stream == r.out_video;
  int64_t t_us = av_rescale_q(pkt->pts, tb, kMicros);
  if (video) {
    if (r.need_keyframe && !(pkt->flags & AV_PKT_FLAG_KEY)) {
      ++r.stats.shed;
      return;
    }
    r.need_keyframe = false;
  }
  PacketPtr copy = RefPacket(pkt);
  int64_t size = pkt->size;
  if (!r.out.TryPush(MuxItem{std::move(copy), stream})) {
    ++r.stats.shed;  // the output is behind: drop, and restart video at a keyframe
    if (video) r.need_keyframe = true;
    return;
  }
  r.stats.bytes += size;
  if (video) {
    ++r.stats.frames;
    r.stats.last_video_us = t_us;
  } else {
    r.stats.last_audio_us = t_us;
  }
}

void Pipeline::Impl::RenditionLoop(Rendition& r) {
  auto fail = [&](const core::Result<void>& res) {
    if (!res) Fail(res.error());
    return !res;
  };
  auto video_packet = [&](AVPacket* p) {
    auto now = Clock::now();
    while (!r.pending.empty() && r.pending.front().first <= p->pts) {
      r.stats.encode_us_total +=
          std::chrono::duration_cast<std::chrono::microseconds>(now - r.pending.front().second)
              .count();
      ++r.stats.encoded;
      r.pending.pop_front();
    }
    Deliver(r, p, r.out_video, r.venc->time_base());
  };
  auto audio_packet = [&](AVPacket* p) { Deliver(r, p, r.out_audio, r.aenc->time_base()); };
  auto encode_video = [&](AVFrame* f) {
    r.pending.emplace_back(f->pts, Clock::now());
    fail(r.venc->Encode(f, video_packet));
  };
  auto encode_audio = [&](AVFrame* f) { fail(r.aenc->Encode(f, audio_packet)); };

  while (auto it = r.in.Pop()) {
    if (it->packet) {
      int stream = it->video ? r.out_video : r.out_audio;
      if (stream >= 0) Deliver(r, it->packet.get(), stream, kMicros);
    } else if (it->video) {
      r.vconv->Push(it->frame.get(), it->t_us, encode_video);
    } else {
      r.aconv->Push(it->frame.get(), it->t_us, encode_audio);
    }
  }
  if (r.vconv) fail(r.venc->Encode(nullptr, video_packet));
  if (r.aconv) {
    r.aconv->Flush(encode_audio);
    fail(r.aenc->Encode(nullptr, audio_packet));
  }
  if (r.vconv) {
    r.stats.dropped = r.vconv->dropped();
    r.stats.duplicated = r.vconv->duplicated();
  }
  r.out.Close();
}

void Pipeline::Impl::MuxLoop(Rendition& r) {
  bool failed = false;
  while (auto item = r.out.Pop()) {
    if (failed) continue;  // keep draining so the encoder side never blocks
    auto res = r.mux->Write(item->stream, item->packet.get());
    if (!res) {
      failed = true;
      Fail(res.error());
    }
  }
  if (!failed) r.mux->Finish();
}

std::string Pipeline::Impl::StatsLine(double seconds, std::vector<int64_t>& last_frames,
                                      std::vector<int64_t>& last_bytes, int64_t& last_in_frames,
                                      int64_t& last_in_bytes, std::vector<int64_t>& last_media_us) {
  nlohmann::ordered_json j;
  int64_t inf = in_frames.load(), inb = in_bytes.load();
  j["event"] = "stats";
  j["input"] = {{"fps", (inf - last_in_frames) / seconds},
                {"kbps", (inb - last_in_bytes) * 8 / 1000.0 / seconds}};
  last_in_frames = inf;
  last_in_bytes = inb;
  nlohmann::ordered_json outs = nlohmann::ordered_json::array();
  double speed = 0;
  for (size_t i = 0; i < renditions.size(); ++i) {
    auto& s = renditions[i]->stats;
    int64_t f = s.frames.load(), b = s.bytes.load();
    int64_t v = s.last_video_us.load(), a = s.last_audio_us.load();
    int64_t media = std::max(v, a);
    if (i == 0 && last_media_us[i] != INT64_MIN && media != INT64_MIN) {
      speed = (media - last_media_us[i]) / 1e6 / seconds;
    }
    last_media_us[i] = media;
    nlohmann::ordered_json o{
        {"rendition", i},
        {"fps", (f - last_frames[i]) / seconds},
        {"kbps", (b - last_bytes[i]) * 8 / 1000.0 / seconds},
        {"frames", f},
        {"dropped", renditions[i]->vconv ? renditions[i]->vconv->dropped() : 0},
        {"duplicated", renditions[i]->vconv ? renditions[i]->vconv->duplicated() : 0},
        {"shed", s.shed.load()},
        {"encode_latency_ms", s.encoded ? s.encode_us_total / 1000.0 / s.encoded : 0.0},
        {"reconnects", s.reconnects.load()}};
    if (v != INT64_MIN && a != INT64_MIN) o["av_offset_ms"] = (v - a) / 1000.0;
    outs.push_back(o);
    last_frames[i] = f;
    last_bytes[i] = b;
  }
  j["speed"] = speed;
  j["outputs"] = outs;
  return j.dump();
}

core::Result<void> Pipeline::Run() {
  InitFfmpegLogging();
  Impl& im = *impl_;
  if (auto r = im.Setup(); !r) return r;
  spdlog::info("event=pipeline_started input={} renditions={}", im.cfg.input_url,
               im.renditions.size());
  std::vector<std::thread> threads;
  threads.emplace_back([&] { im.DemuxLoop(); });
  threads.emplace_back([&] { im.DecodeLoop(); });
  for (auto& r : im.renditions) {
    threads.emplace_back([&im, rp = r.get()] { im.RenditionLoop(*rp); });
    threads.emplace_back([&im, rp = r.get()] { im.MuxLoop(*rp); });
  }
  std::atomic<bool> done{false};
  std::thread stats([&] {
    size_t n = im.renditions.size();
    std::vector<int64_t> lf(n, 0), lb(n, 0), lm(n, INT64_MIN);
    int64_t lif = 0, lib = 0;
    auto last = Clock::now();
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto now = Clock::now();
      double secs = std::chrono::duration<double>(now - last).count();
      if (secs * 1000 < im.cfg.stats_interval_ms) continue;
      last = now;
      std::string line = im.StatsLine(secs, lf, lb, lif, lib, lm);
      if (im.cfg.on_stats) im.cfg.on_stats(line);
    }
  });
  // Once stopping, outputs get a few seconds to flush before blocked writes are abandoned.
  std::thread watchdog([&] {
    while (!done && !im.stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!done && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    im.abort_io = true;
  });
  for (auto& t : threads) t.join();
  done = true;
  stats.join();
  watchdog.join();
  std::lock_guard lock(im.err_mu);
  if (im.error) return *im.error;
  spdlog::info("event=pipeline_finished");
  return {};
}

}  // namespace floe::media
