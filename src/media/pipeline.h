// The scheduler: one input decoded once, feeding any number of renditions, each stage on its
// own thread joined by bounded queues:
//   demux → decode → rendition (convert + encode) → mux
// Origin renditions take the demuxer's packets as they are. A slow output sheds packets (to
// the next keyframe) instead of stalling decoding; stats come once a second.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/demux.h"
#include "media/encode_settings.h"

namespace floe::media {

struct RenditionConfig {
  EncodeSettings settings;
  std::string output_url;  // rtmp(s)://
  std::string hls_dir;     // optional: also write HLS here
};

struct PipelineConfig {
  std::string input_url;
  std::vector<RenditionConfig> renditions;
  InputOptions input;
  // When the input is lost, outputs carry a slate (the last picture, then black after
  // slate_black_after_ms; silence) while the input is reopened with backoff. After
  // reconnect_window_ms without input the run ends as if the input had ended (0: never).
  int slate_black_after_ms = 3'000;
  // H.265 over RTMP: Enhanced RTMP ("hvc1", default) or the older codec-id-12 convention.
  bool hevc_flv_codec_id_12 = false;
  int reconnect_window_ms = 30'000;
  LiveDefaults defaults;
  int stats_interval_ms = 1000;
  std::function<void(const std::string& json_line)> on_stats;  // optional
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

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::media
