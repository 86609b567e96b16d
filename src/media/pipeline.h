// The scheduler: one input (a primary, and optionally a backup) decoded once, feeding any
// number of renditions, each stage on its own thread joined by bounded queues:
//   input source(s) → selector → decode → rendition (convert + encode) → mux
// Origin renditions take the input's packets as they are. The output is clocked by the wall
// clock: when the input stops arriving, every transcoding rendition carries on with slate in
// real time. A slow output sheds packets (to the next keyframe) instead of stalling decoding;
// stats come once a second. The stages are in stages.h; this class owns their threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net_policy.h"
#include "core/result.h"
#include "media/demux.h"
#include "media/encode_settings.h"
#include "media/events.h"
#include "media/recorder.h"
#include "media/snapshotter.h"

namespace floe::media {

struct RenditionConfig {
  std::string key;  // names it in stats and events, and for RemoveRendition (a job's id)
  EncodeSettings settings;
  std::string output_url;     // rtmp(s)://; empty: HLS only
  std::string hls_dir;        // optional: also write HLS here
  bool hls_optional = false;  // an HLS failure ends HLS only (a preview), not the rendition
  // Reachable by this rendition's output connection alone, whatever the network policy says
  // (its LiveCenter push base): not by the input, nor by another rendition of the process.
  std::vector<core::Endpoint> trusted_endpoints{};
  // Instead of an output: a recording of the input's packets as they are (media/recorder.h;
  // settings: copy_video and copy_audio, nothing encoded). A gap of the input is said to the
  // recorder, which continues or closes its files.
  std::optional<RecorderConfig> record{};
  // Instead of an output: pictures of the decoded video every so often (media/snapshotter.h;
  // settings: nothing encoded or copied; the video decode shared with the transcodes).
  std::optional<SnapshotConfig> snapshot{};
  // Whether the input's video is decoded for it (a transcode of video, or snapshots).
  bool DecodesVideo() const { return settings.video.has_value() || snapshot.has_value(); }
};

struct PipelineConfig {
  std::string input_url;
  // Optional: a second URL of the same programme. When the primary stalls the renditions
  // switch to it at its next keyframe; they return once the primary has been healthy for
  // backup_return_ms.
  std::string backup_input_url;
  int backup_return_ms = 10'000;
  // No input for one input frame interval plus this: the outputs carry on with slate.
  int stall_tolerance_ms = 200;
  std::vector<RenditionConfig> renditions;
  InputOptions input;
  // While the input is away, outputs carry a slate (the last picture, then black after
  // slate_black_after_ms; silence); after the read timeout the input is declared lost and
  // reopened with backoff. After reconnect_window_ms without it the run ends as if the input
  // had ended (0: never).
  int slate_black_after_ms = 3'000;
  // H.265 over RTMP: Enhanced RTMP ("hvc1", default) or the older codec-id-12 convention.
  bool hevc_flv_codec_id_12 = false;
  int reconnect_window_ms = 30'000;
  LiveDefaults defaults;
  int stats_interval_ms = 1000;
  std::function<void(const std::string& json_line)> on_stats;  // optional
  EventFn on_event;                                            // optional
  // Optional: a rendition that fails (its output refused, its encoder broken) is taken out and
  // reported here while the others go on. Without it, it fails the whole run.
  std::function<void(const std::string& key, const core::Error& error)> on_rendition_failed;
};

class Pipeline {
 public:
  explicit Pipeline(PipelineConfig config);
  ~Pipeline();

  // Runs until the input ends or Stop(); flushes every encoder and output. An error means a
  // fatal failure (input never opened, encoder or output unusable).
  core::Result<void> Run();
  // Asks Run to finish; safe from any thread or a signal-watching thread.
  void Stop();

  // While Run runs (or before): one more rendition of the same input, started without a gap on
  // the others; an error when its encoder or output cannot be opened. Safe from any thread.
  core::Result<void> AddRendition(RenditionConfig rendition);
  // Takes a rendition out (its encoders flushed, its output finished) while the others go on.
  // Returns once it is gone; false when there was none with that key.
  bool RemoveRendition(const std::string& key);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::media
