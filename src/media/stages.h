// The pipeline's stages and what flows between them (internal to src/media):
//   InputSource ×1–2 → (InputSelector) → decode → Rendition (convert + encode) → mux
// Origin renditions take the input's packets as they are. The Pipeline (pipeline.cc) owns
// every thread and queue; each stage here is one loop over its input queue.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/result.h"
#include "media/convert.h"
#include "media/demux.h"
#include "media/encoder.h"
#include "media/events.h"
#include "media/ffmpeg.h"
#include "media/input_selector.h"
#include "media/mux.h"
#include "media/pipeline.h"
#include "media/queue.h"
#include "media/snapshotter.h"

namespace floe::media {

inline constexpr AVRational kMicros{1, 1'000'000};
using FailFn = std::function<void(const core::Error&)>;

// One connection of one input, as the decoders and the copies see it. Packets carry media
// time (microseconds, continuous across reconnects and switches); decoders are reopened when
// the epoch changes.
struct Epoch {
  int id = 0;
  InputRole role = InputRole::kPrimary;
  CodecParametersPtr video_par, audio_par;
  // Whether packets of this connection can go on into outputs that copy them: only when the
  // stream has the first connection's parameters (an output cannot change codec mid-stream).
  bool copy_video = true, copy_audio = true;

  static std::shared_ptr<Epoch> Of(int id, InputRole role, Demuxer& demux);
};

// Same codec, picture or sound format and codec headers: a copy can carry on across epochs.
bool SameStream(const AVCodecParameters* a, const AVCodecParameters* b);

// What flows from the input and decode stages into a rendition: a decoded frame, a packet (for
// copied streams), or a slate mark (no input: fill up to t_us).
struct Item {
  FramePtr frame;
  PacketPtr packet;
  bool video = false;
  int64_t t_us = 0;  // media time
  bool slate = false;
  bool slate_black = false;
};

// Into the decode stage: a packet on the media clock (microseconds), or a slate mark, which
// the decoder passes on in order.
struct DecodeItem {
  PacketPtr packet;
  bool video = false;
  std::shared_ptr<const Epoch> epoch;
  bool slate = false;
  int64_t t_us = 0;
  bool slate_black = false;
};

struct MuxItem {
  PacketPtr packet;
  int stream = 0;
  bool gap = false;  // no packet: the input is away (a recording's files hear of it)
};

// Wall time between packets written to an output (its video, or its audio when it has none):
// what a viewer sees as a stall. Fixed bounds, so that a stats line can carry the counts.
struct GapHistogram {
  static constexpr std::array<double, 9> kBounds{0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10};  // s
  std::array<std::atomic<int64_t>, kBounds.size() + 1> counts{};  // the last: above them all
  std::atomic<int64_t> sum_us{0};
  void Observe(int64_t gap_us);
};

struct RenditionCounters {
  std::atomic<int64_t> frames{0}, bytes{0}, dropped{0}, duplicated{0}, shed{0}, reconnects{0},
      silence_ms{0};
  GapHistogram gaps;
  std::atomic<int64_t> encode_us_total{0}, encoded{0};
  std::atomic<int64_t> last_video_us{INT64_MIN}, last_audio_us{INT64_MIN};
};

class Rendition;

// The audio encode that every rendition with the same audio settings shares: one converter and
// one encoder on a thread of their own, each packet delivered to every subscribed rendition.
class AudioStage {
 public:
  static core::Result<std::shared_ptr<AudioStage>> Open(const AudioSettings& settings);
  // Names the settings: renditions whose settings have the same key share a stage.
  static std::string Key(const AudioSettings& settings);

  const std::string& key() const { return key_; }
  const AVCodecContext* context() const { return enc_->context(); }
  AVRational time_base() const { return enc_->time_base(); }
  BoundedQueue<Item>& in() { return in_; }
  void Subscribe(Rendition* r);
  // From its return on, no packet reaches r.
  void Unsubscribe(Rendition* r);
  size_t subscribers();
  // Converts and encodes until in() closes, then flushes; Wait returns once that is done.
  void Run(const FailFn& fail);
  void Wait();
  int64_t silence_ms() const { return silence_ms_.load(); }

 private:
  AudioStage() = default;
  std::string key_;
  std::unique_ptr<Encoder> enc_;
  std::unique_ptr<AudioConverter> conv_;
  BoundedQueue<Item> in_{64};
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::vector<Rendition*> subscribers_;
  std::atomic<int64_t> silence_ms_{0};
};

// One output: converters and encoders (or a copy), its muxer, and the queues between them.
// Run (convert + encode) and RunMux each run on a thread of their own. A rendition can be added
// to a running pipeline and removed from it (closing in() ends both loops, flushed).
class Rendition {
 public:
  // Opens the encoders and the output (a network connect). An output lost or back later is said
  // through on_event with the rendition's key. With `audio`, its audio comes encoded from that
  // shared stage (subscribe it once it runs).
  static core::Result<std::unique_ptr<Rendition>> Open(
      const RenditionConfig& config, const Epoch& first, const LiveDefaults& defaults,
      bool hevc_flv_codec_id_12, const std::atomic<bool>* abort_io, EventFn on_event,
      std::shared_ptr<AudioStage> audio = nullptr);

  void Run(const FailFn& fail);
  void RunMux(const FailFn& fail, const std::atomic<bool>& abort_io);

  const RenditionConfig& config() const { return cfg_; }
  const std::string& key() const { return cfg_.key; }
  // Audio encoded by a shared stage, if so.
  const std::shared_ptr<AudioStage>& audio_stage() const { return audio_stage_; }
  // An encoded packet of the shared audio stage (time base `tb`), from its thread.
  void DeliverAudio(AVPacket* pkt, AVRational tb) { Deliver(pkt, out_audio_, tb); }
  // Takes decoded video: to encode it, or to take pictures of it.
  bool transcodes_video() const { return vconv_ != nullptr || snap_ != nullptr; }
  bool transcodes_audio() const { return aconv_ != nullptr; }
  bool transcodes() const { return vconv_ || aconv_ || snap_; }
  bool records() const { return rec_ != nullptr; }
  BoundedQueue<Item>& in() { return in_; }
  const RenditionCounters& stats() const { return stats_; }

 private:
  Rendition() = default;
  void Deliver(AVPacket* pkt, int stream, AVRational tb);
  void PublishCounters();

  RenditionConfig cfg_;
  EventFn on_event_;
  std::unique_ptr<Encoder> venc_, aenc_;
  std::unique_ptr<VideoConverter> vconv_;
  std::unique_ptr<AudioConverter> aconv_;
  std::shared_ptr<AudioStage> audio_stage_;
  std::unique_ptr<Muxer> mux_;
  std::unique_ptr<Recorder> rec_;      // instead of mux_: a recording (config().record)
  std::unique_ptr<Snapshotter> snap_;  // instead of encoders and mux_: config().snapshot
  void RunRecord(const FailFn& fail);
  int out_video_ = -1, out_audio_ = -1;
  BoundedQueue<Item> in_{64};
  BoundedQueue<MuxItem> out_{512};
  bool need_keyframe_ = false;
  std::deque<std::pair<int64_t, std::chrono::steady_clock::time_point>> pending_;
  RenditionCounters stats_;
};

// The renditions running now and their shared audio stages, as the stages that feed them see
// them: a snapshot, replaced (not changed) when one is added or removed, so a stage holding one
// never sees a rendition freed.
struct Consumers {
  std::vector<std::shared_ptr<Rendition>> renditions;
  std::vector<std::shared_ptr<AudioStage>> audio;
};
using Renditions = std::shared_ptr<const Consumers>;

// The decode stage: one video and one audio decoder for every rendition that transcodes,
// reopened at each new epoch.
class DecodeStage {
 public:
  DecodeStage(bool video, bool audio) : need_video_(video), need_audio_(audio) {}
  // Opens the decoders for the first epoch: an undecodable input fails the run at once.
  core::Result<void> Open(const Epoch& first);
  // A rendition added later needs video (or audio) decoded: the decoder opens at the next
  // packet (video from the next keyframe).
  void Require(bool video, bool audio);
  // Decodes until the queue closes, then flushes and closes every rendition's input.
  void Run(BoundedQueue<DecodeItem>& queue, const std::function<Renditions()>& renditions);
  int64_t frames() const { return frames_.load(); }

 private:
  core::Result<void> OpenFor(const Epoch& epoch);
  void Drain(AVCodecContext* dec, bool video, const Renditions& renditions);

  std::atomic<bool> need_video_, need_audio_;
  bool video_wait_key_ = false;  // a video decoder opened mid-stream starts at a keyframe
  int epoch_id_ = 0;
  CodecContextPtr vdec_, adec_;
  FramePtr frame_ = NewFrame();
  std::atomic<int64_t> frames_{0};
};

core::Result<CodecContextPtr> OpenDecoder(const AVCodecParameters* par);

// The once-a-second stats line (JSON) of a pipeline.
struct InputStats {
  int64_t frames = 0, bytes = 0, reconnects = 0;
  int64_t switches = 0;  // between the input and its backup
  bool lost = false, stalled = false;
  bool has_backup = false;
  InputRole active = InputRole::kPrimary;
};
// Each output is named by its rendition's key; its rates are counted from the previous line
// that had it (a rendition added meanwhile starts from zero).
class StatsReporter {
 public:
  // audio_encoders: the audio encodes running (renditions with the same settings share one).
  // final: the line after the flush ("final": true), its counts the whole run's.
  std::string Line(double seconds, const InputStats& input,
                   const std::vector<std::pair<std::string, const RenditionCounters*>>& outputs,
                   size_t audio_encoders, bool final = false);

 private:
  struct Last {
    int64_t frames = 0, bytes = 0, media = INT64_MIN;
  };
  std::map<std::string, Last> last_;
  int64_t last_in_frames_ = 0, last_in_bytes_ = 0;
};

}  // namespace floe::media
