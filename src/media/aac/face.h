// The "face" of Floe's own AAC encoders: an AVCodecContext that is never opened, only filled in so
// that muxers and the pipeline read the stream's parameters and AudioSpecificConfig from it.
#pragma once

#include <cstdint>
#include <vector>

#include "media/ffmpeg.h"

namespace floe::media::aac {

struct FaceParams {
  int sample_rate = 0;
  int channels = 0;
  int frame_size = 0;
  int profile = 0;  // FF_PROFILE_AAC_*
  int64_t bit_rate = 0;
  int initial_padding = 0;
};

// Allocates the face for float planar AAC described by `p`, with `asc` as its extradata.
// Returns null when the context or its extradata cannot be allocated.
CodecContextPtr NewFace(const FaceParams& p, const std::vector<uint8_t>& asc);

}  // namespace floe::media::aac
