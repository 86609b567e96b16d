// `floe transcode`: the media engine without the server. One input, one or more renditions
// (--template FILE --output URL, repeated), optional HLS, stats as JSON lines on stdout.
#pragma once

#include <string>
#include <vector>

namespace floe::cli {

struct TranscodeArgs {
  std::vector<std::string> templates;  // JSON files {"Type": ..., "TemplateConfig": {...}}
  std::string input;
  std::vector<std::string> outputs;  // one per template
  std::string hls_dir;
  bool stats = false;
  int connect_timeout_ms = 10'000;
  int read_timeout_ms = 5'000;
  int slate_black_after_ms = 3'000;
  int reconnect_window_ms = 30'000;
};

int Transcode(const TranscodeArgs& args);

}  // namespace floe::cli
