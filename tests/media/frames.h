// Synthetic frames for the media tests.
#pragma once

#include <gtest/gtest.h>

#include "media/ffmpeg.h"

namespace floe::media::testing {

// A YUV 4:2:0 picture filled with a diagonal ramp shifted by `shade`.
inline FramePtr Picture(int w, int h, int shade = 0) {
  FramePtr f = NewFrame();
  f->format = AV_PIX_FMT_YUV420P;
  f->width = w;
  f->height = h;
  EXPECT_EQ(av_frame_get_buffer(f.get(), 0), 0);
  for (int p = 0; p < 3; ++p) {
    int rows = p ? h / 2 : h;
    for (int y = 0; y < rows; ++y) {
      for (int x = 0; x < f->linesize[p]; ++x) {
        f->data[p][y * f->linesize[p] + x] = static_cast<uint8_t>((x + y + shade) & 0xff);
      }
    }
  }
  return f;
}

}  // namespace floe::media::testing
