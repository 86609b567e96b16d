// What a job costs a node, in thousandths of a core, from its template: the measure that
// admission control (runtime/supervisor.h) holds against a node's capacity.
//
//   cost = base + width × height × fps × codec factor / pixels per core
//
// calibrated on the CI kind of machine (bench/RESULTS.md, "Jobs: how many live jobs one node
// holds"): a 1080p30 → 720p30 x264 veryfast job uses 0.37 of a core (12.2 ms of CPU per frame,
// its 1080p decode included) and two cores hold four such jobs in real time, not five. With a
// base of 0.10 (demux, audio, its share of the decode) and 79 million pixels a second per core,
// the 720p30 job costs 0.45: four fit in 2 cores, five do not. docs/operations.md explains how
// to recalibrate from `make bench-jobs` on other machines.
#pragma once

#include <cstdint>

#include "core/template_spec.h"

namespace floe::runtime {

struct CostModel {
  int64_t base_mc = 100;
  double pixels_per_core = 79e6;  // pixels a second one core encodes (x264 veryfast, 1.0)
  double h265_factor = 2.0;       // x265 ultrafast against x264 veryfast (MEDIA-NOTES)
  double narrow_band_factor = 1.3;
  int64_t audio_only_mc = 50;
  int64_t origin_mc = 50;  // remux only
  // A snapshot job: its input's decode (shared with the transcodes of its input, whole when it
  // is alone: 0.15 of a core for 1080p30 H.264 here) and a JPEG every TimeInterval.
  int64_t snapshot_mc = 150;
  // A template that keeps the input's size or rate is costed at this (the largest common input).
  int assume_width = 1920, assume_height = 1080, assume_fps = 30;
};

int64_t JobCostMillicores(const core::TemplateSpec& spec, const CostModel& model = {});

}  // namespace floe::runtime
