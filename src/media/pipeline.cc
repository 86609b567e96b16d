#include "media/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "core/url_policy.h"
#include "media/input.h"
#include "media/stages.h"

namespace floe::media {

using core::Error;
using Clock = std::chrono::steady_clock;

namespace {
int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}
}  // namespace

struct Pipeline::Impl {
  PipelineConfig cfg;
  std::atomic<bool> abort_input{false};  // aborts blocking opens and reads at once
  std::atomic<bool> abort_io{false};     // output side: give up on blocked writes
  std::stop_source stop;                 // every loop of the pipeline ends on it
  std::vector<std::unique_ptr<InputSource>> sources;
  std::vector<std::unique_ptr<Rendition>> renditions;
  std::vector<Rendition*> rendition_ptrs;
  std::unique_ptr<DecodeStage> decode;
  BoundedQueue<DecodeItem> decode_queue{256};
  bool need_video_decode = false, need_audio_decode = false;
  bool copies_video = false, copies_audio = false;

  // The routing of input packets, under route_mu: which source plays, on which media time.
  std::mutex route_mu;
  std::condition_variable_any route_cv;  // the output clock waits on it
  std::unique_ptr<InputSelector> selector;
  std::shared_ptr<Epoch> first_epoch, epoch;
  int next_epoch_id = 1;
  int sources_running = 0;
  std::atomic<int64_t> in_bytes{0};

  std::mutex err_mu;
  std::optional<Error> error;

  void Fail(const Error& e) {
    {
      std::lock_guard lock(err_mu);
      if (!error) error = e;
    }
    spdlog::error("event=pipeline_error code={} message=\"{}\"", e.code, e.message);
    RequestStop();
  }
  void RequestStop() {
    abort_input = true;
    stop.request_stop();
  }

  core::Result<void> Setup();
  void OnPacket(InputSource& src, Demuxer& demux, AVPacket* pkt);
  void NewEpoch(InputSource& src, Demuxer& demux);
  void ClockLoop(std::stop_token st);
  void SourceEnded();
  InputStats Input();
};

Pipeline::Pipeline(PipelineConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(config);
}
Pipeline::~Pipeline() = default;

void Pipeline::Stop() {
  impl_->RequestStop();
}

core::Result<void> Pipeline::Impl::Setup() {
  // Refuse a bad output before waiting on the input.
  for (const auto& rc : cfg.renditions) {
    if (auto ok = core::CheckUrl(rc.output_url, core::UrlRole::kOutput); !ok) return ok.error();
  }
  bool has_backup = !cfg.backup_input_url.empty();
  if (has_backup) {
    if (auto ok = core::CheckUrl(cfg.backup_input_url, core::UrlRole::kInput); !ok) {
      return ok.error();
    }
  }
  SelectorOptions so;
  so.stall_tolerance_us = int64_t{cfg.stall_tolerance_ms} * 1000;
  so.return_after_us = int64_t{cfg.backup_return_ms} * 1000;
  so.black_after_us = int64_t{cfg.slate_black_after_ms} * 1000;
  so.has_backup = has_backup;
  // HLS arrives in segments, read ahead: its lead is real. RTMP and SRT arrive as they play.
  so.keep_lead = cfg.input_url.rfind("http", 0) == 0;
  selector = std::make_unique<InputSelector>(so);
  sources.push_back(std::make_unique<InputSource>(InputRole::kPrimary, cfg.input_url, cfg.input,
                                                  cfg.reconnect_window_ms, &abort_input));
  if (has_backup) {
    sources.push_back(std::make_unique<InputSource>(InputRole::kBackup, cfg.backup_input_url,
                                                    cfg.input, cfg.reconnect_window_ms,
                                                    &abort_input));
  }
  // The renditions are set up from the first input that opens (the primary, else the backup,
  // whose source then reconnects the primary on its own thread).
  InputSource* opened = nullptr;
  core::Result<void> first_error;
  for (auto& s : sources) {
    auto r = s->Open();
    if (r) {
      opened = s.get();
      break;
    }
    if (first_error) first_error = r.error();
  }
  if (!opened) return first_error;
  for (const auto& rc : cfg.renditions) {
    need_video_decode |= rc.settings.video.has_value();
    need_audio_decode |= rc.settings.audio.has_value();
    copies_video |= rc.settings.copy_video;
    copies_audio |= rc.settings.copy_audio;
  }
  return {};
}

void Pipeline::Impl::NewEpoch(InputSource& src, Demuxer& demux) {
  // The connection the renditions were set up from is the first epoch; any other is new.
  if (epoch == nullptr && first_epoch->role == src.role() && src.connection() == 0) {
    epoch = first_epoch;
    return;
  }
  epoch = Epoch::Of(next_epoch_id++, src.role(), demux);
  epoch->copy_video = SameStream(epoch->video_par.get(), first_epoch->video_par.get());
  epoch->copy_audio = SameStream(epoch->audio_par.get(), first_epoch->audio_par.get());
  if (copies_video && !epoch->copy_video) {
    spdlog::warn("event=copy_stopped reason=\"the input came back with other video parameters\"");
  }
  if (copies_audio && !epoch->copy_audio) {
    spdlog::warn("event=copy_stopped reason=\"the input came back with other audio parameters\"");
  }
}

void Pipeline::Impl::OnPacket(InputSource& src, Demuxer& demux, AVPacket* pkt) {
  int idx = pkt->stream_index;
  bool is_video = idx == demux.video_stream(), is_audio = idx == demux.audio_stream();
  int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
  if ((!is_video && !is_audio) || ts == AV_NOPTS_VALUE || pkt->pts == AV_NOPTS_VALUE) return;
  AVRational tb = demux.format()->streams[idx]->time_base;
  Arrival a;
  a.role = src.role();
  a.connection = src.connection();
  a.video = is_video;
  a.key = is_video ? (pkt->flags & AV_PKT_FLAG_KEY) != 0 : demux.video_stream() < 0;
  a.dts_us = av_rescale_q(ts, tb, kMicros);
  a.now_us = NowUs();

  std::lock_guard lock(route_mu);
  Route r = selector->OnPacket(a);
  if (!r.forward) return;
  if (r.switched) {
    spdlog::warn("event=input_switched from={} to={} reason=\"{} → {}\"", RoleName(r.from),
                 RoleName(r.to), RoleName(r.from), RoleName(r.to));
  }
  if (r.resumed) spdlog::info("event=input_resumed input={}", RoleName(a.role));
  if (r.discontinuity_ms != 0) {
    spdlog::warn("event=input_discontinuity jump_ms={}", r.discontinuity_ms);
  }
  if (r.new_epoch || !epoch) NewEpoch(src, demux);
  PacketPtr out = RefPacket(pkt);
  out->pts = av_rescale_q(pkt->pts, tb, kMicros) - r.offset_us;
  out->dts = a.dts_us - r.offset_us;
  out->duration = av_rescale_q(pkt->duration, tb, kMicros);
  out->time_base = kMicros;
  in_bytes += pkt->size;
  for (auto& rend : renditions) {
    const auto& s = rend->config().settings;
    bool copy = (is_video && s.copy_video) || (is_audio && s.copy_audio);
    // A copy goes on after a reconnect or switch (from the first keyframe, on the media clock)
    // when the input came back with the same parameters; it cannot follow a change.
    if (!copy || !(is_video ? epoch->copy_video : epoch->copy_audio)) continue;
    rend->in().Push(Item{nullptr, RefPacket(out.get()), is_video, out->pts});
  }
  if ((is_video && need_video_decode) || (is_audio && need_audio_decode)) {
    decode_queue.Push(DecodeItem{std::move(out), is_video, epoch});
  }
}

// The output clock: while no input is due, fills every transcoding rendition with slate up to
// the wall clock, through the decode stage so that it stays in order with the frames.
void Pipeline::Impl::ClockLoop(std::stop_token st) {
  std::unique_lock lock(route_mu);
  while (!st.stop_requested() && sources_running > 0) {
    int64_t now = NowUs();
    SlateTick t = selector->OnTick(now);
    if (t.started) {
      spdlog::warn("event=input_stalled input={} reason=\"no input for {} ms; slate\"",
                   RoleName(selector->active()),
                   (selector->frame_interval_us() + cfg.stall_tolerance_ms * 1000) / 1000);
    }
    if (t.active) {
      DecodeItem mark;
      mark.slate = true;
      mark.t_us = t.until_us;
      mark.slate_black = t.black;
      decode_queue.TryPush(std::move(mark));
    }
    auto next = Clock::time_point(std::chrono::microseconds(selector->NextTickUs(now)));
    route_cv.wait_until(lock, st, next, [&] { return sources_running == 0; });
  }
}

void Pipeline::Impl::SourceEnded() {
  bool last = false;
  {
    std::lock_guard lock(route_mu);
    last = --sources_running == 0;
  }
  route_cv.notify_all();
  if (last) decode_queue.Close();
}

InputStats Pipeline::Impl::Input() {
  InputStats s;
  s.frames = decode ? decode->frames() : 0;
  s.bytes = in_bytes.load();
  for (const auto& src : sources) s.reconnects += src->reconnects();
  s.has_backup = sources.size() > 1;
  std::lock_guard lock(route_mu);
  s.active = selector->active();
  s.stalled = selector->slate();
  s.lost = !sources[static_cast<int>(s.active)]->connected();
  return s;
}

core::Result<void> Pipeline::Run() {
  InitFfmpegLogging();
  Impl& im = *impl_;
  if (auto r = im.Setup(); !r) return r;
  // The renditions and the decoders are set up from the input that opened.
  InputSource* opened = nullptr;
  for (auto& s : im.sources) {
    if (s->opened()) {
      opened = s.get();
      break;
    }
  }
  im.first_epoch = Epoch::Of(0, opened->role(), *opened->opened());
  if (im.need_video_decode && !im.first_epoch->video_par) {
    return Error{"InputUnsupported", 400, "the template transcodes video but the input has none",
                 ""};
  }
  im.decode = std::make_unique<DecodeStage>(im.need_video_decode, im.need_audio_decode);
  if (auto r = im.decode->Open(*im.first_epoch); !r) return r;
  for (const auto& rc : im.cfg.renditions) {
    auto r = Rendition::Open(rc, *im.first_epoch, im.cfg.defaults, im.cfg.hevc_flv_codec_id_12,
                             &im.abort_io);
    if (!r) return r.error();
    im.rendition_ptrs.push_back(r->get());
    im.renditions.push_back(std::move(*r));
  }
  spdlog::info("event=pipeline_started input={} renditions={}", im.cfg.input_url,
               im.renditions.size());

  // One owner of every thread: sources, output clock, decode, and per rendition its encode and
  // mux; they end on the stop source or when their input queue closes.
  auto fail = [&im](const Error& e) { im.Fail(e); };
  im.sources_running = static_cast<int>(im.sources.size());
  std::vector<std::jthread> threads;
  for (auto& s : im.sources) {
    threads.emplace_back([&im, src = s.get()] {
      src->Run(im.stop.get_token(),
               [&im](InputSource& from, Demuxer& d, AVPacket* p) { im.OnPacket(from, d, p); });
      im.SourceEnded();
    });
  }
  threads.emplace_back([&im] { im.ClockLoop(im.stop.get_token()); });
  threads.emplace_back([&im] { im.decode->Run(im.decode_queue, im.rendition_ptrs); });
  for (Rendition* r : im.rendition_ptrs) {
    threads.emplace_back([r, fail] { r->Run(fail); });
    threads.emplace_back([r, fail, &im] { r->RunMux(fail, im.abort_io); });
  }

  // Stats once a second; and once stopping, outputs get a few seconds to flush before blocked
  // writes are abandoned.
  std::mutex done_mu;
  std::condition_variable_any done_cv;
  bool done = false;
  std::vector<const RenditionCounters*> counters;
  for (Rendition* r : im.rendition_ptrs) counters.push_back(&r->stats());
  StatsReporter reporter(counters.size());
  std::jthread stats([&](std::stop_token st) {
    auto last = Clock::now();
    std::unique_lock lock(done_mu);
    while (!done) {
      auto next = last + std::chrono::milliseconds(im.cfg.stats_interval_ms);
      done_cv.wait_until(lock, st, next, [&] { return done; });
      if (done || st.stop_requested()) break;
      auto now = Clock::now();
      double secs = std::chrono::duration<double>(now - last).count();
      last = now;
      lock.unlock();
      std::string line = reporter.Line(secs, im.Input(), counters);
      if (im.cfg.on_stats) im.cfg.on_stats(line);
      lock.lock();
    }
  });
  std::jthread watchdog([&](std::stop_token st) {
    std::unique_lock lock(done_mu);
    done_cv.wait(lock, im.stop.get_token(), [&] { return done; });
    done_cv.wait_for(lock, st, std::chrono::seconds(5), [&] { return done; });
    im.abort_io = true;
  });
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(done_mu);
    done = true;
  }
  done_cv.notify_all();
  stats.join();
  watchdog.request_stop();
  watchdog.join();
  if (im.cfg.on_stats) {
    // A last line with the final counts (every queue drained, every encoder flushed).
    StatsReporter final_counts(counters.size());
    im.cfg.on_stats(final_counts.Line(1.0, im.Input(), counters));
  }
  std::lock_guard lock(im.err_mu);
  if (im.error) return *im.error;
  spdlog::info("event=pipeline_finished");
  return {};
}

}  // namespace floe::media
