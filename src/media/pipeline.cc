#include "media/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/url_policy.h"
#include "media/convert.h"
#include "media/encoder.h"
#include "media/ffmpeg.h"
#include "media/mux.h"
#include "media/queue.h"

namespace floe::media {

using core::Error;
using Clock = std::chrono::steady_clock;
constexpr AVRational kMicros{1, 1'000'000};
// Input timestamps that move this far from the media clock are a discontinuity, not media:
// forward further than any sane interleaving gap, backward further than B-frame reordering.
constexpr int64_t kJumpForwardUs = 10'000'000, kJumpBackUs = 3'000'000;

namespace {

// What flows from demux/decode into a rendition: a decoded frame, or (for copied streams) a
// packet; t_us is media time since the stream began.
struct Item {
  FramePtr frame;
  PacketPtr packet;
  bool video = false;
  int64_t t_us = 0;
  bool slate = false;  // no input: fill up to t_us (black when slate_black)
  bool slate_black = false;
};

// One connection to the input. Packets leave the demuxer with timestamps already on the media
// clock (microseconds, continuous across reconnects), so later stages never see an epoch's
// own timestamps; decoders are reopened when the epoch changes.
struct Epoch {
  int id = 0;
  int video = -1, audio = -1;  // stream indexes in this connection
  AVCodecParameters* video_par = nullptr;
  AVCodecParameters* audio_par = nullptr;
  // Whether packets of this connection can go on into outputs that copy them: only when the
  // stream has the first connection's parameters (an output cannot change codec mid-stream).
  bool copy_video = true, copy_audio = true;
  ~Epoch() {
    avcodec_parameters_free(&video_par);
    avcodec_parameters_free(&audio_par);
  }
};

struct DecodeItem {
  PacketPtr packet;  // timestamps in microseconds of media time
  bool video = false;
  std::shared_ptr<Epoch> epoch;
};

struct MuxItem {
  PacketPtr packet;
  int stream = 0;
};

struct Counters {
  std::atomic<int64_t> frames{0}, bytes{0}, dropped{0}, duplicated{0}, shed{0}, reconnects{0},
      silence_ms{0};
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
  bool need_video_decode = false, need_audio_decode = false;
  std::vector<std::unique_ptr<Rendition>> renditions;
  BoundedQueue<DecodeItem> decode_queue{256};
  std::atomic<int64_t> in_frames{0}, in_bytes{0}, reconnects{0};
  // The media clock: the latest media time handed downstream (input packets or slate).
  std::atomic<int64_t> media_us{0};
  std::atomic<bool> input_lost{false};
  std::atomic<bool> demux_done{false};
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
  core::Result<CodecContextPtr> OpenDecoder(const AVCodecParameters* par);
  std::shared_ptr<Epoch> NewEpoch(int id);
  bool Reconnect();
  void SlateLoop();
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

core::Result<CodecContextPtr> Pipeline::Impl::OpenDecoder(const AVCodecParameters* par) {
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

namespace {
// Same codec, picture or sound format and codec headers: a copy can carry on across connections.
bool SameStream(const AVCodecParameters* a, const AVCodecParameters* b) {
  if (!a || !b) return false;
  return a->codec_id == b->codec_id && a->width == b->width && a->height == b->height &&
         a->format == b->format && a->sample_rate == b->sample_rate &&
         a->ch_layout.nb_channels == b->ch_layout.nb_channels &&
         a->extradata_size == b->extradata_size &&
         (a->extradata_size == 0 ||
          std::memcmp(a->extradata, b->extradata, a->extradata_size) == 0);
}
}  // namespace

std::shared_ptr<Epoch> Pipeline::Impl::NewEpoch(int id) {
  auto e = std::make_shared<Epoch>();
  e->id = id;
  e->video = demux->video_stream();
  e->audio = demux->audio_stream();
  AVFormatContext* fmt = demux->format();
  if (e->video >= 0) {
    e->video_par = avcodec_parameters_alloc();
    avcodec_parameters_copy(e->video_par, fmt->streams[e->video]->codecpar);
  }
  if (e->audio >= 0) {
    e->audio_par = avcodec_parameters_alloc();
    avcodec_parameters_copy(e->audio_par, fmt->streams[e->audio]->codecpar);
  }
  return e;
}

core::Result<void> Pipeline::Impl::Setup() {
  // Refuse a bad output before waiting on the input.
  for (const auto& rc : cfg.renditions) {
    if (auto ok = core::CheckUrl(rc.output_url, core::UrlRole::kOutput); !ok) return ok.error();
  }
  auto d = Demuxer::Open(cfg.input_url, cfg.input, &stop);
  if (!d) return d.error();
  demux = std::move(*d);
  AVFormatContext* fmt = demux->format();
  for (const auto& rc : cfg.renditions) {
    need_video_decode |= rc.settings.video.has_value();
    need_audio_decode |= rc.settings.audio.has_value();
  }
  if (need_video_decode && demux->video_stream() < 0) {
    return Error{"InputUnsupported", 400, "the template transcodes video but the input has none",
                 ""};
  }
  // Decoders open here too, so that an undecodable input fails the run at once.
  if (need_video_decode) {
    auto v = OpenDecoder(fmt->streams[demux->video_stream()]->codecpar);
    if (!v) return v.error();
    vdec = std::move(*v);
  }
  if (need_audio_decode && demux->audio_stream() >= 0) {
    auto a = OpenDecoder(fmt->streams[demux->audio_stream()]->codecpar);
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
    auto m =
        Muxer::Open(rc.output_url, rc.hls_dir, streams, &abort_io,
                    cfg.hevc_flv_codec_id_12 ? HevcFlvMode::kCodecId12 : HevcFlvMode::kEnhanced);
    for (auto* p : owned) avcodec_parameters_free(&p);
    if (!m) return m.error();
    r->mux = std::move(*m);
    renditions.push_back(std::move(r));
  }
  return {};
}

bool Pipeline::Impl::Reconnect() {
  auto lost_at = Clock::now();
  int backoff_ms = 250;
  while (!stop) {
    if (cfg.reconnect_window_ms > 0 &&
        Clock::now() - lost_at > std::chrono::milliseconds(cfg.reconnect_window_ms)) {
      spdlog::info("event=input_ended reason=\"not back within {} ms\"", cfg.reconnect_window_ms);
      return false;
    }
    for (int waited = 0; waited < backoff_ms && !stop; waited += 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (stop) return false;
    auto d = Demuxer::Open(cfg.input_url, cfg.input, &stop);
    if (d) {
      demux = std::move(*d);
      ++reconnects;
      spdlog::info("event=input_reconnected reconnects={}", reconnects.load());
      return true;
    }
    spdlog::info("event=input_retry in_ms={} reason=\"{}\"", backoff_ms, d.error().message);
    backoff_ms = std::min(backoff_ms * 2, 4'000);
  }
  return false;
}

// While the input is lost, moves the media clock on with the wall clock and asks every
// transcoding rendition to fill up to it: players stay connected.
void Pipeline::Impl::SlateLoop() {
  Clock::time_point lost_since{};
  int64_t clock_at_loss = 0;
  while (!demux_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!input_lost) {
      lost_since = {};
      continue;
    }
    if (lost_since == Clock::time_point{}) {
      lost_since = Clock::now();
      clock_at_loss = media_us.load();
    }
    auto away =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - lost_since).count();
    int64_t t = clock_at_loss + away;
    media_us = t;
    bool black = away > int64_t{cfg.slate_black_after_ms} * 1000;
    for (auto& r : renditions) {
      if (r->vconv || r->aconv) r->in.TryPush(Item{nullptr, nullptr, false, t, true, black});
    }
  }
}

void Pipeline::Impl::DemuxLoop() {
  PacketPtr pkt = NewPacket();
  int epoch_id = 0;
  std::shared_ptr<Epoch> epoch = NewEpoch(epoch_id);
  const std::shared_ptr<Epoch> first_epoch = epoch;
  bool copies_video = false, copies_audio = false;
  for (auto& r : renditions) {
    copies_video |= r->cfg.settings.copy_video;
    copies_audio |= r->cfg.settings.copy_audio;
  }
  int64_t offset_us = AV_NOPTS_VALUE;  // epoch time − media time
  bool wait_keyframe = false;
  for (;;) {
    int rc = demux->Read(pkt.get());
    if (rc < 0) {
      if (stop) break;
      if (rc == AVERROR_EOF) {
        // The source says it is finished (e.g. an HLS playlist with an end): that is the end.
        spdlog::info("event=input_ended reason=\"end of stream\"");
        break;
      }
      spdlog::warn("event=input_lost reason=\"{}\"",
                   demux->TimedOut() ? "no data within the read timeout" : AvError(rc));
      input_lost = true;
      demux.reset();
      if (!Reconnect()) break;
      epoch = NewEpoch(++epoch_id);
      epoch->copy_video = SameStream(epoch->video_par, first_epoch->video_par);
      epoch->copy_audio = SameStream(epoch->audio_par, first_epoch->audio_par);
      if (copies_video && !epoch->copy_video) {
        spdlog::warn(
            "event=copy_stopped reason=\"the input came back with other video parameters\"");
      }
      if (copies_audio && !epoch->copy_audio) {
        spdlog::warn(
            "event=copy_stopped reason=\"the input came back with other audio parameters\"");
      }
      offset_us = AV_NOPTS_VALUE;
      wait_keyframe = epoch->video >= 0;
      continue;
    }
    int idx = pkt->stream_index;
    bool is_video = idx == epoch->video, is_audio = idx == epoch->audio;
    int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    if ((!is_video && !is_audio) || ts == AV_NOPTS_VALUE || pkt->pts == AV_NOPTS_VALUE) {
      av_packet_unref(pkt.get());
      continue;
    }
    // After a reconnect the new input takes over from the slate at its first keyframe.
    if (wait_keyframe) {
      if (!is_video || !(pkt->flags & AV_PKT_FLAG_KEY)) {
        av_packet_unref(pkt.get());
        continue;
      }
      wait_keyframe = false;
    }
    in_bytes += pkt->size;
    AVRational tb = demux->format()->streams[idx]->time_base;
    int64_t raw_us = av_rescale_q(ts, tb, kMicros);
    if (offset_us == AV_NOPTS_VALUE) {
      // Epoch time → media time: the first epoch starts at 0, a later one where the slate is.
      offset_us = raw_us - (epoch_id == 0 ? 0 : media_us.load() + 1);
    }
    // A jump in the input's own timestamps (a splice, an encoder restart): the media clock goes
    // on from where it is, instead of filling a forward gap with repeated frames or going back.
    if (int64_t clock = media_us.load(), mapped = raw_us - offset_us;
        clock > 0 && (mapped > clock + kJumpForwardUs || mapped < clock - kJumpBackUs)) {
      spdlog::warn("event=input_discontinuity jump_ms={}", (mapped - clock) / 1000);
      offset_us = raw_us - (clock + 1);
    }
    input_lost = false;
    pkt->pts = av_rescale_q(pkt->pts, tb, kMicros) - offset_us;
    pkt->dts =
        pkt->dts == AV_NOPTS_VALUE ? pkt->pts : av_rescale_q(pkt->dts, tb, kMicros) - offset_us;
    pkt->duration = av_rescale_q(pkt->duration, tb, kMicros);
    pkt->time_base = kMicros;
    if (pkt->dts > media_us) media_us = pkt->dts;
    for (auto& r : renditions) {
      bool copy =
          (is_video && r->cfg.settings.copy_video) || (is_audio && r->cfg.settings.copy_audio);
      // A copy goes on after a reconnect (from the first keyframe, on the media clock) when
      // the input came back with the same parameters; it cannot follow a change.
      if (!copy || !(is_video ? epoch->copy_video : epoch->copy_audio)) continue;
      Item it;
      it.packet = RefPacket(pkt.get());
      it.video = is_video;
      it.t_us = pkt->pts;
      r->in.Push(std::move(it));
    }
    if ((is_video && need_video_decode) || (is_audio && need_audio_decode)) {
      decode_queue.Push(DecodeItem{RefPacket(pkt.get()), is_video, epoch});
    }
    av_packet_unref(pkt.get());
  }
  demux_done = true;
  decode_queue.Close();
}

void Pipeline::Impl::DecodeLoop() {
  FramePtr frame = NewFrame();
  int epoch_id = 0;
  auto drain = [&](AVCodecContext* dec, bool video) {
    while (avcodec_receive_frame(dec, frame.get()) == 0) {
      int64_t ts = frame->best_effort_timestamp;
      if (ts == AV_NOPTS_VALUE) ts = frame->pts;
      if (ts != AV_NOPTS_VALUE) {
        if (video) ++in_frames;
        for (auto& r : renditions) {
          if ((video && r->vconv) || (!video && r->aconv)) {
            r->in.Push(Item{RefFrame(frame.get()), nullptr, video, ts});
          }
        }
      }
      av_frame_unref(frame.get());
    }
  };
  while (auto item = decode_queue.Pop()) {
    if (item->epoch->id != epoch_id) {
      // A new connection: flush what the old decoders hold, then decode with the new parameters.
      for (auto [dec, video] : {std::pair{vdec.get(), true}, std::pair{adec.get(), false}}) {
        if (!dec) continue;
        avcodec_send_packet(dec, nullptr);
        drain(dec, video);
      }
      epoch_id = item->epoch->id;
      vdec.reset();
      adec.reset();
      if (need_video_decode && item->epoch->video_par) {
        if (auto v = OpenDecoder(item->epoch->video_par)) vdec = std::move(*v);
      }
      if (need_audio_decode && item->epoch->audio_par) {
        if (auto a = OpenDecoder(item->epoch->audio_par)) adec = std::move(*a);
      }
    }
    AVCodecContext* dec = item->video ? vdec.get() : adec.get();
    if (!dec || avcodec_send_packet(dec, item->packet.get()) < 0) continue;  // damaged: skip
    drain(dec, item->video);
  }
  for (auto [dec, video] : {std::pair{vdec.get(), true}, std::pair{adec.get(), false}}) {
    if (!dec) continue;
    avcodec_send_packet(dec, nullptr);
    drain(dec, video);
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

  // The converters belong to this thread; the stats thread reads these copies.
  auto publish_counters = [&] {
    if (r.vconv) {
      r.stats.dropped = r.vconv->dropped();
      r.stats.duplicated = r.vconv->duplicated();
    }
    if (r.aconv) r.stats.silence_ms = r.aconv->inserted_ms();
  };
  while (auto it = r.in.Pop()) {
    if (it->slate) {
      if (r.vconv) r.vconv->RepeatUntil(it->t_us, it->slate_black, encode_video);
      if (r.aconv) r.aconv->SilenceUntil(it->t_us, encode_audio);
    } else if (it->packet) {
      int stream = it->video ? r.out_video : r.out_audio;
      if (stream >= 0) Deliver(r, it->packet.get(), stream, kMicros);
    } else if (it->video) {
      r.vconv->Push(it->frame.get(), it->t_us, encode_video);
    } else {
      r.aconv->Push(it->frame.get(), it->t_us, encode_audio);
    }
    publish_counters();
  }
  if (r.vconv) fail(r.venc->Encode(nullptr, video_packet));
  if (r.aconv) {
    r.aconv->Flush(encode_audio);
    fail(r.aenc->Encode(nullptr, audio_packet));
  }
  publish_counters();
  r.out.Close();
}

void Pipeline::Impl::MuxLoop(Rendition& r) {
  bool failed = false;
  auto retry_at = Clock::now();
  int backoff_ms = 250;
  while (auto item = r.out.Pop()) {
    if (failed) continue;  // keep draining so the encoder side never blocks
    if (!r.mux->rtmp_up() && Clock::now() >= retry_at && !abort_io) {
      // The output dropped: retry with backoff; packets meanwhile go to HLS only.
      if (r.mux->Reconnect()) {
        backoff_ms = 250;
        r.stats.reconnects = r.mux->reconnects();
      } else {
        retry_at = Clock::now() + std::chrono::milliseconds(backoff_ms);
        backoff_ms = std::min(backoff_ms * 2, 4'000);
      }
    }
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
                {"kbps", (inb - last_in_bytes) * 8 / 1000.0 / seconds},
                {"lost", input_lost.load()},
                {"reconnects", reconnects.load()}};
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
        {"dropped", s.dropped.load()},
        {"duplicated", s.duplicated.load()},
        {"shed", s.shed.load()},
        {"encode_latency_ms", s.encoded ? s.encode_us_total / 1000.0 / s.encoded : 0.0},
        {"reconnects", s.reconnects.load()},
        {"silence_inserted_ms", s.silence_ms.load()}};
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
  threads.emplace_back([&] { im.SlateLoop(); });
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
  if (im.cfg.on_stats) {
    // A last line with the final counts (every queue drained, every encoder flushed).
    size_t n = im.renditions.size();
    std::vector<int64_t> lf(n, 0), lb(n, 0), lm(n, INT64_MIN);
    int64_t lif = 0, lib = 0;
    im.cfg.on_stats(im.StatsLine(1.0, lf, lb, lif, lib, lm));
  }
  std::lock_guard lock(im.err_mu);
  if (im.error) return *im.error;
  spdlog::info("event=pipeline_finished");
  return {};
}

}  // namespace floe::media
