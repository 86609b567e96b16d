// The stats line a pipeline prints once a second (and once more at the end).
#include <nlohmann/json.hpp>

#include "media/stages.h"

namespace floe::media {

std::string StatsReporter::Line(double seconds, const InputStats& input,
                                const std::vector<const RenditionCounters*>& outputs) {
  nlohmann::ordered_json j;
  j["event"] = "stats";
  j["input"] = {{"fps", (input.frames - last_in_frames_) / seconds},
                {"kbps", (input.bytes - last_in_bytes_) * 8 / 1000.0 / seconds},
                {"lost", input.lost},
                {"stalled", input.stalled},
                {"reconnects", input.reconnects}};
  if (input.has_backup) j["input"]["active"] = RoleName(input.active);
  last_in_frames_ = input.frames;
  last_in_bytes_ = input.bytes;
  nlohmann::ordered_json outs = nlohmann::ordered_json::array();
  double speed = 0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& s = *outputs[i];
    int64_t f = s.frames.load(), b = s.bytes.load();
    int64_t v = s.last_video_us.load(), a = s.last_audio_us.load();
    int64_t media = std::max(v, a);
    if (i == 0 && last_media_[i] != INT64_MIN && media != INT64_MIN) {
      speed = (media - last_media_[i]) / 1e6 / seconds;
    }
    last_media_[i] = media;
    nlohmann::ordered_json o{
        {"rendition", i},
        {"fps", (f - last_frames_[i]) / seconds},
        {"kbps", (b - last_bytes_[i]) * 8 / 1000.0 / seconds},
        {"frames", f},
        {"dropped", s.dropped.load()},
        {"duplicated", s.duplicated.load()},
        {"shed", s.shed.load()},
        {"encode_latency_ms", s.encoded ? s.encode_us_total / 1000.0 / s.encoded : 0.0},
        {"reconnects", s.reconnects.load()},
        {"silence_inserted_ms", s.silence_ms.load()}};
    if (v != INT64_MIN && a != INT64_MIN) o["av_offset_ms"] = (v - a) / 1000.0;
    outs.push_back(o);
    last_frames_[i] = f;
    last_bytes_[i] = b;
  }
  j["speed"] = speed;
  j["outputs"] = outs;
  return j.dump();
}

}  // namespace floe::media
