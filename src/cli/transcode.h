// `floe transcode`: the media engine without the server. One input, one or more renditions
// (--template FILE --output URL, repeated), optional HLS, stats as JSON lines on stdout.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/net_policy.h"
#include "core/result.h"
#include "media/encode_settings.h"

namespace floe::cli {

struct TranscodeArgs {
  std::vector<std::string> templates;  // JSON files {"Type": ..., "TemplateConfig": {...}}
  std::string input;
  std::string backup_input;  // optional: played while the input stalls (a Floe extension)
  int backup_return_ms = 10'000;
  int stall_tolerance_ms = 200;
  std::vector<std::string> outputs;  // one per template
  std::string hls_dir;
  bool stats = false;
  int connect_timeout_ms = 10'000;
  int read_timeout_ms = 5'000;
  int slate_black_after_ms = 3'000;
  int reconnect_window_ms = 30'000;
  std::string hevc_flv = "enhanced";      // or "codec-id-12"
  std::string x264_tune = "zerolatency";  // or "none"
  std::vector<std::string> allow_net;     // CIDRs reachable besides public unicast
};

// Installs this process's network guard (media/net_guard.h): public unicast addresses and the
// `allow_net` CIDRs.
core::Result<void> GuardNetwork(const std::vector<std::string>& allow_net);

// The endpoints of a LiveCenter push URL the operator configured (rtmp://HOST[:PORT]/…, 1935
// when it names no port), for that rendition's output alone (media::RenditionConfig).
core::Result<std::vector<core::Endpoint>> TrustedEndpointsOf(const std::string& push_url);

// `floe flv-probe --input rtmp://… [--seconds N]`: reads an H.265 FLV stream with Floe's own
// reader and prints a JSON summary (convention, tags, keyframes, decoded frames, size).
int FlvProbe(const std::string& url, int seconds);

int Transcode(const TranscodeArgs& args);

// {"Type": ..., "TemplateConfig": {...}} → encoder settings (ice::TemplateSpecOf validates it
// as the API does; media::MakeEncodeSettings turns it into encoder settings).
core::Result<media::EncodeSettings> TemplateSettings(const nlohmann::json& doc);

// Runs `run` with SIGTERM/SIGINT blocked and watched: the first one calls `stop`, and `run`
// is expected to return soon after (flushed).
core::Result<void> RunUntilSignal(const std::function<core::Result<void>()>& run,
                                  const std::function<void()>& stop);

}  // namespace floe::cli
