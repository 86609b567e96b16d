// The filter stage on synthetic frames: constant frame rate (drops, duplicates, regenerated
// timestamps), scaling, and audio re-chunked to the encoder's frame size with continuous pts.
#include "media/convert.h"

#include <gtest/gtest.h>

#include <vector>

#include "media/frames.h"

#include "media/encoder.h"

namespace floe::media {
namespace {

using testing::Picture;

TEST(VideoConverter, HalvesFrameRateByDropping) {
  VideoConverter conv(15, 320, 180, SWS_BILINEAR);
  auto in = Picture(640, 360);
  std::vector<int64_t> pts;
  for (int i = 0; i < 30; ++i) {
    conv.Push(in.get(), i * 1'000'000LL / 30, [&](AVFrame* f) {
      pts.push_back(f->pts);
      EXPECT_EQ(f->width, 320);
      EXPECT_EQ(f->height, 180);
    });
  }
  ASSERT_EQ(pts.size(), 15u);
  for (size_t i = 0; i < pts.size(); ++i) EXPECT_EQ(pts[i], static_cast<int64_t>(i));
  EXPECT_EQ(conv.dropped(), 15);
  EXPECT_EQ(conv.duplicated(), 0);
}

TEST(VideoConverter, FillsGapsByDuplicating) {
  VideoConverter conv(30, 64, 64, SWS_BILINEAR);
  auto in = Picture(64, 64);
  std::vector<int64_t> pts;
  auto emit = [&](AVFrame* f) { pts.push_back(f->pts); };
  conv.Push(in.get(), 0, emit);
  conv.Push(in.get(), 100'000, emit);  // 3 slots later
  EXPECT_EQ(pts, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(conv.duplicated(), 2);
  conv.RepeatUntil(200'000, /*black=*/false, emit);
  EXPECT_EQ(pts.back(), 6);
}

TEST(VideoConverter, StartsAtTheFirstFramesSlot) {
  VideoConverter conv(25, 64, 64, SWS_BILINEAR);
  auto in = Picture(64, 64);
  std::vector<int64_t> pts;
  conv.Push(in.get(), 2'000'000, [&](AVFrame* f) { pts.push_back(f->pts); });
  EXPECT_EQ(pts, (std::vector<int64_t>{50}));
}

TEST(AudioConverter, ResamplesAndChunksForTheEncoder) {
  AudioSettings a;
  a.encoder = "aac";
  a.sample_rate = 44100;
  a.channels = 2;
  auto enc = Encoder::OpenAudio(a);
  ASSERT_TRUE(enc.ok()) << enc.error().message;
  AudioConverter conv((*enc)->context());
  std::vector<int64_t> pts;
  int64_t samples = 0;
  auto emit = [&](AVFrame* f) {
    pts.push_back(f->pts);
    EXPECT_EQ(f->nb_samples, 1024);
    EXPECT_EQ(f->sample_rate, 44100);
    EXPECT_EQ(f->ch_layout.nb_channels, 2);
    samples += f->nb_samples;
  };
  // One second of 48 kHz mono in 960-sample frames, starting at media time 1 s.
  for (int i = 0; i < 50; ++i) {
    FramePtr in = NewFrame();
    in->format = AV_SAMPLE_FMT_FLTP;
    in->sample_rate = 48000;
    in->nb_samples = 960;
    av_channel_layout_default(&in->ch_layout, 1);
    ASSERT_EQ(av_frame_get_buffer(in.get(), 0), 0);
    av_samples_set_silence(in->data, 0, 960, 1, AV_SAMPLE_FMT_FLTP);
    conv.Push(in.get(), 1'000'000 + i * 20'000, emit);
  }
  conv.Flush(emit);
  ASSERT_FALSE(pts.empty());
  EXPECT_EQ(pts.front(), 44100);  // starts at the input's media time, in samples
  for (size_t i = 1; i < pts.size(); ++i) EXPECT_EQ(pts[i] - pts[i - 1], 1024);
  EXPECT_NEAR(static_cast<double>(samples), 44100.0, 2048.0);
}

}  // namespace
}  // namespace floe::media
