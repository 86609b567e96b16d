// The stats line a pipeline prints once a second (and once more at the end).
#include <nlohmann/json.hpp>

#include "media/stages.h"

namespace floe::media {

void GapHistogram::Observe(int64_t gap_us) {
  size_t i = 0;
  while (i < kBounds.size() && gap_us > kBounds[i] * 1e6) ++i;
  ++counts[i];
  sum_us += gap_us;
}

namespace {
// Prometheus' shape: cumulative counts per upper bound ("le"), then the sum and count.
nlohmann::ordered_json GapsJson(const GapHistogram& h) {
  nlohmann::ordered_json le = nlohmann::ordered_json::array(), counts = le;
  int64_t total = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    total += h.counts[i].load();
    if (i < GapHistogram::kBounds.size()) {
      le.push_back(GapHistogram::kBounds[i]);
      counts.push_back(total);
    }
  }
  return {{"le", le}, {"counts", counts}, {"sum", h.sum_us.load() / 1e6}, {"count", total}};
}
}  // namespace

std::string StatsReporter::Line(
    double seconds, const InputStats& input,
    const std::vector<std::pair<std::string, const RenditionCounters*>>& outputs,
    size_t audio_encoders, bool final) {
  nlohmann::ordered_json j;
  j["event"] = "stats";
  if (final) j["final"] = true;
  j["input"] = {{"fps", (input.frames - last_in_frames_) / seconds},
                {"kbps", (input.bytes - last_in_bytes_) * 8 / 1000.0 / seconds},
                {"lost", input.lost},
                {"stalled", input.stalled},
                {"reconnects", input.reconnects},
                {"frames", input.frames},
                {"bytes", input.bytes},
                {"switches", input.switches}};
  if (input.has_backup) j["input"]["active"] = RoleName(input.active);
  last_in_frames_ = input.frames;
  last_in_bytes_ = input.bytes;
  nlohmann::ordered_json outs = nlohmann::ordered_json::array();
  std::map<std::string, Last> now;
  for (const auto& [key, counters] : outputs) {
    const auto& s = *counters;
    Last& last = last_[key];
    int64_t f = s.frames.load(), b = s.bytes.load();
    int64_t v = s.last_video_us.load(), a = s.last_audio_us.load();
    int64_t media = std::max(v, a);
    // Media time output per second of wall time: 1.0 is real time.
    double speed = 0;
    if (last.media != INT64_MIN && media != INT64_MIN) {
      speed = (media - last.media) / 1e6 / seconds;
    }
    nlohmann::ordered_json o{
        {"rendition", key},
        {"fps", (f - last.frames) / seconds},
        {"kbps", (b - last.bytes) * 8 / 1000.0 / seconds},
        {"speed", speed},
        {"frames", f},
        {"bytes", b},
        {"dropped", s.dropped.load()},
        {"duplicated", s.duplicated.load()},
        {"shed", s.shed.load()},
        {"encode_latency_ms", s.encoded ? s.encode_us_total / 1000.0 / s.encoded : 0.0},
        {"reconnects", s.reconnects.load()},
        {"silence_inserted_ms", s.silence_ms.load()},
        {"gap_seconds", GapsJson(s.gaps)}};
    if (v != INT64_MIN && a != INT64_MIN) o["av_offset_ms"] = (v - a) / 1000.0;
    if (outs.empty()) j["speed"] = speed;
    outs.push_back(o);
    now[key] = Last{f, b, media};
  }
  if (outs.empty()) j["speed"] = 0.0;
  j["audio_encoders"] = audio_encoders;
  j["outputs"] = outs;
  last_ = std::move(now);  // a removed rendition is forgotten
  return j.dump();
}

}  // namespace floe::media
