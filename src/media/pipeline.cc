#include "media/pipeline.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>
#include <tuple>

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

// Names the calling thread (15 characters at most, as `top -H` and /proc/PID/task/TID/comm
// show it). Threads a codec starts inherit the name: an encoder's workers count with its
// rendition (bench/jobs/families.js reads each kind's CPU this way).
void NameThread(const char* name) {
  pthread_setname_np(pthread_self(), name);
}

// The thread names of a rendition's loops, by what it makes: transcode, record or snapshot.
std::pair<const char*, const char*> LoopNames(const RenditionConfig& rc) {
  if (rc.record) return {"rec-enc", "rec-mux"};
  if (rc.snapshot) return {"shot-enc", "shot-mux"};
  return {"tx-enc", "tx-mux"};
}

// While it lives, the calling thread goes by `name`: threads an encoder starts as it opens
// (x264's lookahead and frame threads) take it, and count with their rendition.
class ThreadNamedAs {
 public:
  explicit ThreadNamedAs(const char* name) {
    if (pthread_getname_np(pthread_self(), old_, sizeof old_) != 0) old_[0] = 0;
    NameThread(name);
  }
  ~ThreadNamedAs() {
    if (old_[0]) NameThread(old_);
  }
  ThreadNamedAs(const ThreadNamedAs&) = delete;
  ThreadNamedAs& operator=(const ThreadNamedAs&) = delete;

 private:
  char old_[16] = {};
};
}  // namespace

struct Pipeline::Impl {
  PipelineConfig cfg;
  std::atomic<bool> abort_input{false};  // aborts blocking opens and reads at once
  std::atomic<bool> abort_io{false};     // output side: give up on blocked writes
  std::stop_source stop;                 // every loop of the pipeline ends on it
  std::vector<std::unique_ptr<InputSource>> sources;
  std::unique_ptr<DecodeStage> decode;
  BoundedQueue<DecodeItem> decode_queue{256};
  std::atomic<bool> need_video_decode{false}, need_audio_decode{false};
  std::atomic<bool> copies_video{false}, copies_audio{false};

  // The renditions, under rend_mu: set up when the input opens (kSetup: only configs), added
  // and removed while running; the stages read the snapshot `live`.
  struct Slot {
    std::shared_ptr<Rendition> rendition;
    std::jthread encode, mux;
    std::atomic<int> loops{2};  // both loops ended: the slot can be joined at once
  };
  enum class Phase { kSetup, kRunning, kDone };
  std::mutex rend_mu;
  Phase phase = Phase::kSetup;
  std::vector<RenditionConfig> pending;               // kSetup
  std::map<std::string, bool> starting;               // key → still wanted
  std::vector<std::unique_ptr<Slot>> slots, retired;  // retired: failed, joined later
  struct AudioSlot {
    std::shared_ptr<AudioStage> stage;
    std::jthread thread;
  };
  std::vector<std::unique_ptr<AudioSlot>> audio_slots;  // one per distinct audio setting
  std::mutex live_mu;
  Renditions live = std::make_shared<const Consumers>();

  // The routing of input packets, under route_mu: which source plays, on which media time.
  std::mutex route_mu;
  std::condition_variable_any route_cv;  // the output clock waits on it
  std::unique_ptr<InputSelector> selector;
  std::shared_ptr<Epoch> first_epoch, epoch;
  int next_epoch_id = 1;
  int sources_running = 0;
  std::atomic<int64_t> in_bytes{0};
  std::atomic<int64_t> switches{0};

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
  Renditions Live() {
    std::lock_guard lock(live_mu);
    return live;
  }
  void PublishLocked();  // under rend_mu: `live` from `slots`
  core::Result<void> StartRendition(RenditionConfig rc);
  void RenditionFailed(const std::string& key, const Error& e);
  void ReapLocked();  // under rend_mu: joins retired slots whose loops have ended
  void Emit(EventKind kind, std::string detail) {
    if (cfg.on_event) cfg.on_event(Event{kind, "", std::move(detail)});
  }
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
  {
    std::lock_guard lock(rend_mu);
    for (const auto& rc : pending) {
      if (rc.output_url.empty()) continue;  // HLS only
      if (auto ok = core::CheckUrl(rc.output_url, core::UrlRole::kOutput); !ok) {
        if (!cfg.on_rendition_failed) return ok.error();
      }
    }
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
  for (auto& s : sources) {
    s->SetEvents(cfg.on_event);
  }
  return {};
}

void Pipeline::Impl::PublishLocked() {
  auto next = std::make_shared<Consumers>();
  for (const auto& slot : slots) next->renditions.push_back(slot->rendition);
  for (const auto& a : audio_slots) next->audio.push_back(a->stage);
  std::lock_guard lock(live_mu);
  live = std::move(next);
}

void Pipeline::Impl::ReapLocked() {
  std::erase_if(retired, [](const std::unique_ptr<Slot>& s) { return s->loops.load() == 0; });
}

core::Result<void> Pipeline::Impl::StartRendition(RenditionConfig rc) {
  {
    std::lock_guard lock(rend_mu);
    bool exists = starting.count(rc.key) > 0;
    for (const auto& slot : slots) exists = exists || slot->rendition->key() == rc.key;
    if (exists) return Error{"RenditionExists", 409, "rendition " + rc.key + " runs already", ""};
    starting[rc.key] = true;
  }
  auto unmark = [&] {
    std::lock_guard lock(rend_mu);
    bool wanted = starting[rc.key];
    starting.erase(rc.key);
    return wanted && phase == Phase::kRunning;
  };
  // Opening connects to the output: no lock is held meanwhile. No URL: HLS only, or a
  // recording (files in the operator's directory).
  bool no_url = rc.output_url.empty() && (!rc.hls_dir.empty() || rc.record || rc.snapshot);
  if (auto ok = no_url ? core::Result<core::UrlPolicy>(core::UrlPolicy{})
                       : core::CheckUrl(rc.output_url, core::UrlRole::kOutput);
      !ok) {
    unmark();
    return ok.error();
  }
  // Renditions with the same audio settings share one audio encode.
  const auto& s = rc.settings;
  std::shared_ptr<AudioStage> audio;
  bool new_stage = false;
  if (s.audio && first_epoch->audio_par) {
    std::string key = AudioStage::Key(*s.audio);
    {
      std::lock_guard lock(rend_mu);
      for (const auto& a : audio_slots) {
        if (a->stage->key() == key) audio = a->stage;
      }
    }
    if (!audio) {
      ThreadNamedAs opening("audio-enc");
      auto stage = AudioStage::Open(*s.audio);
      if (!stage) {
        unmark();
        return stage.error();
      }
      audio = std::move(*stage);
      new_stage = true;
    }
  }
  auto opened = [&] {
    ThreadNamedAs opening(LoopNames(rc).first);
    return Rendition::Open(rc, *first_epoch, cfg.defaults, cfg.hevc_flv_codec_id_12, &abort_io,
                           cfg.on_event, audio);
  }();
  if (!opened) {
    unmark();
    return opened.error();
  }
  if (rc.DecodesVideo()) need_video_decode = true;
  if (s.audio) need_audio_decode = true;
  if (s.copy_video) copies_video = true;
  if (s.copy_audio) copies_audio = true;
  decode->Require(rc.DecodesVideo(), s.audio.has_value());
  auto slot = std::make_unique<Slot>();
  slot->rendition = std::move(*opened);
  Rendition* r = slot->rendition.get();
  Slot* sp = slot.get();
  FailFn fail = [this, key = rc.key](const Error& e) { RenditionFailed(key, e); };
  std::lock_guard lock(rend_mu);
  bool wanted = starting[rc.key];
  starting.erase(rc.key);
  if (!wanted || phase != Phase::kRunning) return {};  // removed, or the run ended, meanwhile
  if (new_stage) {
    auto a = std::make_unique<AudioSlot>();
    a->stage = audio;
    a->thread = std::jthread([this, stage = audio.get()] {
      NameThread("audio-enc");
      stage->Run([this](const Error& e) { Fail(e); });
    });
    audio_slots.push_back(std::move(a));
  }
  if (audio) audio->Subscribe(r);
  auto [encode_name, mux_name] = LoopNames(rc);
  slot->encode = std::jthread([r, sp, fail, name = encode_name] {
    NameThread(name);
    r->Run(fail);
    --sp->loops;
  });
  slot->mux = std::jthread([this, r, sp, fail, name = mux_name] {
    NameThread(name);
    r->RunMux(fail, abort_io);
    --sp->loops;
  });
  slots.push_back(std::move(slot));
  PublishLocked();
  // Each rendition says it has started (a job that joins a running pipeline too).
  if (cfg.on_event) cfg.on_event(Event{EventKind::kStarted, rc.key, ""});
  return {};
}

void Pipeline::Impl::RenditionFailed(const std::string& key, const Error& e) {
  if (!cfg.on_rendition_failed) {
    Fail(e);
    return;
  }
  std::shared_ptr<Rendition> gone;
  {
    std::lock_guard lock(rend_mu);
    auto it = std::find_if(slots.begin(), slots.end(),
                           [&](const auto& slot) { return slot->rendition->key() == key; });
    if (it == slots.end()) return;  // taken out already
    gone = (*it)->rendition;
    if (const auto& a = gone->audio_stage()) a->Unsubscribe(gone.get());
    retired.push_back(std::move(*it));
    slots.erase(it);
    PublishLocked();
  }
  // Called on one of its own loops: they end once its input is closed, and are joined later.
  gone->in().Close();
  spdlog::error("event=rendition_failed rendition={} code={} message=\"{}\"", key, e.code,
                e.message);
  cfg.on_rendition_failed(key, e);
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
  for (auto [copies, same, what] : {std::tuple{copies_video.load(), epoch->copy_video, "video"},
                                    std::tuple{copies_audio.load(), epoch->copy_audio, "audio"}}) {
    if (!copies || same) continue;
    std::string why = std::string("the input came back with other ") + what + " parameters";
    spdlog::warn("event=copy_stopped reason=\"{}\"", why);
    Emit(EventKind::kCopyStopped, why);
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
    ++switches;
    spdlog::warn("event=input_switched from={} to={} reason=\"{} → {}\"", RoleName(r.from),
                 RoleName(r.to), RoleName(r.from), RoleName(r.to));
    Emit(EventKind::kInputSwitched, std::string(RoleName(r.from)) + " → " + RoleName(r.to));
  }
  if (r.resumed) {
    spdlog::info("event=input_resumed input={}", RoleName(a.role));
    Emit(EventKind::kInputResumed, sources.size() > 1 ? RoleName(a.role) : "");
  }
  if (r.discontinuity_ms != 0) {
    spdlog::warn("event=input_discontinuity jump_ms={}", r.discontinuity_ms);
    Emit(EventKind::kInputDiscontinuity,
         "timestamps jumped " + std::to_string(r.discontinuity_ms) + " ms");
  }
  if (r.new_epoch || !epoch) NewEpoch(src, demux);
  PacketPtr out = RefPacket(pkt);
  out->pts = av_rescale_q(pkt->pts, tb, kMicros) - r.offset_us;
  out->dts = a.dts_us - r.offset_us;
  out->duration = av_rescale_q(pkt->duration, tb, kMicros);
  out->time_base = kMicros;
  in_bytes += pkt->size;
  for (const auto& rend : Live()->renditions) {
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
      std::string why =
          "no input for " +
          std::to_string((selector->frame_interval_us() + cfg.stall_tolerance_ms * 1000) / 1000) +
          " ms; slate";
      spdlog::warn("event=input_stalled input={} reason=\"{}\"", RoleName(selector->active()), why);
      Emit(EventKind::kInputStalled, why);
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
  s.switches = switches.load();
  for (const auto& src : sources) s.reconnects += src->reconnects();
  s.has_backup = sources.size() > 1;
  std::lock_guard lock(route_mu);
  s.active = selector->active();
  s.stalled = selector->slate();
  s.lost = !sources[static_cast<int>(s.active)]->connected();
  return s;
}

core::Result<void> Pipeline::AddRendition(RenditionConfig rendition) {
  Impl& im = *impl_;
  {
    std::lock_guard lock(im.rend_mu);
    if (im.phase == Impl::Phase::kSetup) {
      for (const auto& rc : im.pending) {
        if (rc.key == rendition.key) {
          return Error{"RenditionExists", 409, "rendition " + rc.key + " runs already", ""};
        }
      }
      im.pending.push_back(std::move(rendition));  // set up with the others
      return {};
    }
    if (im.phase == Impl::Phase::kDone) {
      return Error{"PipelineStopped", 503, "the pipeline has stopped", ""};
    }
    im.ReapLocked();
  }
  return im.StartRendition(std::move(rendition));
}

bool Pipeline::RemoveRendition(const std::string& key) {
  Impl& im = *impl_;
  std::unique_ptr<Impl::Slot> slot;
  std::unique_ptr<Impl::AudioSlot> audio;
  {
    std::lock_guard lock(im.rend_mu);
    if (im.phase == Impl::Phase::kSetup) {
      return std::erase_if(im.pending, [&](const auto& rc) { return rc.key == key; }) > 0;
    }
    if (auto it = im.starting.find(key); it != im.starting.end()) {
      it->second = false;  // being opened: dropped once open
      return true;
    }
    auto it = std::find_if(im.slots.begin(), im.slots.end(),
                           [&](const auto& s) { return s->rendition->key() == key; });
    if (it == im.slots.end()) return false;
    slot = std::move(*it);
    im.slots.erase(it);
    // Its shared audio goes on for the others, or ends with the last one.
    if (const auto& a = slot->rendition->audio_stage()) {
      a->Unsubscribe(slot->rendition.get());
      if (a->subscribers() == 0) {
        auto at = std::find_if(im.audio_slots.begin(), im.audio_slots.end(),
                               [&](const auto& s) { return s->stage == a; });
        if (at != im.audio_slots.end()) {
          audio = std::move(*at);
          im.audio_slots.erase(at);
        }
      }
    }
    im.PublishLocked();
    im.ReapLocked();
  }
  // Its encoders flush and its output finishes; the other renditions never wait on it.
  slot->rendition->in().Close();
  slot->encode.join();
  slot->mux.join();
  if (audio) {
    audio->stage->in().Close();
    audio->thread.join();
  }
  spdlog::info("event=rendition_removed rendition={}", key);
  return true;
}

core::Result<void> Pipeline::Run() {
  InitFfmpegLogging();
  Impl& im = *impl_;
  {
    std::lock_guard lock(im.rend_mu);
    for (auto& rc : im.cfg.renditions) im.pending.push_back(std::move(rc));
    im.cfg.renditions.clear();
  }
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
  std::vector<RenditionConfig> first;
  {
    std::lock_guard lock(im.rend_mu);
    first = std::move(im.pending);
    im.pending.clear();
    im.phase = Impl::Phase::kRunning;
  }
  bool video = false, audio = false;
  for (const auto& rc : first) {
    video |= rc.DecodesVideo();
    audio |= rc.settings.audio.has_value();
  }
  im.decode = std::make_unique<DecodeStage>(video, audio);
  if (auto r = im.decode->Open(*im.first_epoch); !r) return r;
  size_t started = 0;
  for (auto& rc : first) {
    std::string key = rc.key;
    auto r = im.StartRendition(std::move(rc));
    if (r) {
      ++started;
    } else if (im.cfg.on_rendition_failed) {
      im.cfg.on_rendition_failed(key, r.error());  // the others go on
    } else {
      std::unique_lock lock(im.rend_mu);
      im.phase = Impl::Phase::kDone;
      auto slots = std::move(im.slots);
      auto audio_slots = std::move(im.audio_slots);
      lock.unlock();
      im.RequestStop();
      for (auto& a : audio_slots) a->stage->in().Close();
      for (auto& slot : slots) slot->rendition->in().Close();
      return r.error();
    }
  }
  spdlog::info("event=pipeline_started input={} renditions={}", im.cfg.input_url, started);

  // One owner of every thread: sources, output clock and decode here, and per rendition its
  // encode and mux loops in its slot; they end on the stop source or when their queue closes.
  im.sources_running = static_cast<int>(im.sources.size());
  std::vector<std::jthread> threads;
  for (auto& s : im.sources) {
    threads.emplace_back([&im, src = s.get()] {
      NameThread("input");
      src->Run(im.stop.get_token(),
               [&im](InputSource& from, Demuxer& d, AVPacket* p) { im.OnPacket(from, d, p); });
      im.SourceEnded();
    });
  }
  threads.emplace_back([&im] {
    NameThread("clock");
    im.ClockLoop(im.stop.get_token());
  });
  threads.emplace_back([&im] {
    NameThread("decode");
    im.decode->Run(im.decode_queue, [&im] { return im.Live(); });
  });

  // Stats once a second; and once stopping, outputs get a few seconds to flush before blocked
  // writes are abandoned.
  std::mutex done_mu;
  std::condition_variable_any done_cv;
  bool done = false;
  auto counters = [](const Renditions& live) {
    std::vector<std::pair<std::string, const RenditionCounters*>> out;
    for (const auto& r : live->renditions) out.emplace_back(r->key(), &r->stats());
    return out;
  };
  StatsReporter reporter;
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
      Renditions live = im.Live();  // held while its counters are read
      std::string line = reporter.Line(secs, im.Input(), counters(live), live->audio.size());
      if (im.cfg.on_stats) im.cfg.on_stats(line);
      {
        std::lock_guard rl(im.rend_mu);
        im.ReapLocked();
      }
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
  // The decode stage closed the inputs of every rendition it fed; one added at the last moment
  // is closed here. Then every encoder flushes and every output finishes.
  std::vector<std::unique_ptr<Impl::Slot>> slots;
  std::vector<std::unique_ptr<Impl::AudioSlot>> audio_slots;
  {
    std::lock_guard lock(im.rend_mu);
    im.phase = Impl::Phase::kDone;
    slots = std::move(im.slots);
    for (auto& slot : im.retired) slots.push_back(std::move(slot));
    im.retired.clear();
    audio_slots = std::move(im.audio_slots);
  }
  for (auto& a : audio_slots) {
    a->stage->in().Close();
    a->thread.join();
  }
  for (auto& slot : slots) {
    slot->rendition->in().Close();
    slot->encode.join();
    slot->mux.join();
  }
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
    std::vector<std::pair<std::string, const RenditionCounters*>> final_counts;
    for (const auto& slot : slots) {
      if (slot->rendition) {
        final_counts.emplace_back(slot->rendition->key(), &slot->rendition->stats());
      }
    }
    StatsReporter last;
    im.cfg.on_stats(last.Line(1.0, im.Input(), final_counts, audio_slots.size(), true));
  }
  std::lock_guard lock(im.err_mu);
  if (im.error) return *im.error;
  spdlog::info("event=pipeline_finished");
  return {};
}

}  // namespace floe::media
