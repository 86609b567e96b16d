#include "runtime/cost.h"

#include <cmath>

namespace floe::runtime {

int64_t JobCostMillicores(const core::TemplateSpec& spec, const CostModel& m) {
  if (spec.type == "audio-only") return m.audio_only_mc;
  if (spec.type == "origin") return m.origin_mc;
  const auto& v = spec.video;
  double w = v.width.value_or(0), h = v.height.value_or(0);
  // One side given: the other keeps the input's aspect (taken as 16:9).
  if (w <= 0 && h > 0) w = h * 16 / 9;
  if (h <= 0 && w > 0) h = w * 9 / 16;
  if (w <= 0) w = m.assume_width;
  if (h <= 0) h = m.assume_height;
  double fps = v.fps.value_or(0) > 0 ? *v.fps : m.assume_fps;
  double factor = v.codec.value_or("H.264") == "H.265" ? m.h265_factor : 1.0;
  if (spec.type == "narrow-band") factor *= m.narrow_band_factor;
  double cores = w * h * fps * factor / m.pixels_per_core;
  return m.base_mc + static_cast<int64_t>(std::lround(cores * 1000));
}

}  // namespace floe::runtime
