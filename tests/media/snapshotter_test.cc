// The snapshotter on decoded pictures, its JPEGs read back with FFmpeg's decoder: one shot at
// the first picture and then one per interval of media time, at the picture's size (a new size
// followed), the sequence objects one per shot and the overwrite object replaced, each file
// whole.
#include "media/snapshotter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "media/frames.h"
#include "test_util.h"

namespace floe::media {
namespace {

namespace fs = std::filesystem;

struct Decoded {
  int width = 0, height = 0;
  double mean_luma = 0;
};

// A JPEG file decoded by FFmpeg's mjpeg decoder.
std::optional<Decoded> DecodeJpeg(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string bytes = s.str();
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
  CodecContextPtr dec(avcodec_alloc_context3(codec));
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return std::nullopt;
  PacketPtr p = NewPacket();
  if (av_new_packet(p.get(), static_cast<int>(bytes.size())) < 0) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), p->data);
  if (avcodec_send_packet(dec.get(), p.get()) < 0) return std::nullopt;
  FramePtr f = NewFrame();
  if (avcodec_receive_frame(dec.get(), f.get()) < 0) return std::nullopt;
  Decoded d{f->width, f->height, 0};
  double sum = 0;
  for (int y = 0; y < f->height; ++y) {
    for (int x = 0; x < f->width; ++x) sum += f->data[0][y * f->linesize[0] + x];
  }
  d.mean_luma = sum / (f->width * f->height);
  return d;
}

class SnapshotterTest : public ::testing::Test {
 protected:
  SnapshotConfig Config(bool overwrite, bool sequence) {
    SnapshotConfig c;
    c.dir = dir_.path();
    c.interval_s = 5;
    if (overwrite) c.overwrite_object = [] { return std::string("snapshot/job.jpg"); };
    if (sequence) {
      c.sequence_object = [](int seq, int64_t ms) {
        return "snapshot/job/" + std::to_string(ms) + "_" + std::to_string(seq) + ".jpg";
      };
    }
    c.on_shot = [this](const SnapshotShot& s) { shots_.push_back(s); };
    return c;
  }
  // Pictures at 25 fps from media time `from_s` for `seconds`, arriving at t0 + media time.
  void Feed(Snapshotter& s, double from_s, double seconds, int w = 320, int h = 180,
            int shade = 0) {
    for (int i = 0; i < static_cast<int>(seconds * 25); ++i) {
      auto f = testing::Picture(w, h, shade);
      int64_t t_us = static_cast<int64_t>(from_s * 1e6) + int64_t{i} * 40'000;
      ASSERT_TRUE(s.Push(f.get(), t_us, t0_ + t_us / 1000).ok());
    }
  }
  floe::testing::TempDir dir_;
  std::vector<SnapshotShot> shots_;
  const int64_t t0_ = 1'800'000'000'000;
};

TEST_F(SnapshotterTest, OneShotAtTheStartAndThenOnePerIntervalAtThePicturesSize) {
  Snapshotter s(Config(/*overwrite=*/true, /*sequence=*/true));
  Feed(s, 0, 12);  // shots at 0, 5 and 10 s
  EXPECT_EQ(s.shots(), 3);
  ASSERT_EQ(shots_.size(), 6u);  // each shot: its sequence object, then the overwrite object
  for (int i = 0; i < 3; ++i) {
    const auto& seq = shots_[2 * i];
    const auto& over = shots_[2 * i + 1];
    EXPECT_FALSE(seq.overwrite);
    EXPECT_TRUE(over.overwrite);
    EXPECT_EQ(seq.sequence, i + 1);
    EXPECT_EQ(seq.time_ms, t0_ + i * 5'000);
    EXPECT_EQ(seq.object, "snapshot/job/" + std::to_string(t0_ + i * 5'000) + "_" +
                              std::to_string(i + 1) + ".jpg");
    EXPECT_EQ(over.object, "snapshot/job.jpg");
    EXPECT_EQ(seq.width, 320);
    EXPECT_EQ(seq.height, 180);
    EXPECT_GT(seq.size_bytes, 1000);
    auto d = DecodeJpeg(dir_.path() + "/" + seq.object);
    ASSERT_TRUE(d) << seq.object;
    EXPECT_EQ(d->width, 320);
    EXPECT_EQ(d->height, 180);
    EXPECT_EQ(fs::file_size(dir_.path() + "/" + seq.object), static_cast<size_t>(seq.size_bytes));
  }
  // One overwrite object, whole; no temporary file left.
  ASSERT_TRUE(DecodeJpeg(dir_.path() + "/snapshot/job.jpg"));
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_.path())) {
    if (e.is_regular_file()) {
      ++files;
      EXPECT_NE(e.path().extension(), ".tmp") << e.path();
    }
  }
  EXPECT_EQ(files, 4);
}

TEST_F(SnapshotterTest, ThePictureIsTheInputsAndANewSizeIsFollowed) {
  Snapshotter s(Config(/*overwrite=*/true, /*sequence=*/false));
  // A dark picture, then (after the interval) a bright one of another size.
  for (int i = 0; i < 10; ++i) {
    auto f = testing::Picture(320, 180, 0);
    for (int y = 0; y < 180; ++y) memset(f->data[0] + y * f->linesize[0], 30, 320);
    ASSERT_TRUE(s.Push(f.get(), i * 40'000, t0_).ok());
  }
  auto dark = DecodeJpeg(dir_.path() + "/snapshot/job.jpg");
  ASSERT_TRUE(dark);
  EXPECT_LT(dark->mean_luma, 40);  // 30 in video range: about 16 in the JPEG's full range
  auto bright = testing::Picture(640, 360, 0);
  for (int y = 0; y < 360; ++y) memset(bright->data[0] + y * bright->linesize[0], 200, 640);
  ASSERT_TRUE(s.Push(bright.get(), 5'000'000, t0_ + 5'000).ok());
  auto d = DecodeJpeg(dir_.path() + "/snapshot/job.jpg");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width, 640);
  EXPECT_EQ(d->height, 360);
  EXPECT_GT(d->mean_luma, 180);
  EXPECT_EQ(s.shots(), 2);
}

TEST_F(SnapshotterTest, ANextProcessOfTheJobGoesOnWithItsSequence) {
  SnapshotConfig c = Config(/*overwrite=*/false, /*sequence=*/true);
  c.first_sequence = 7;
  Snapshotter s(c);
  Feed(s, 0, 6);  // shots at 0 and 5 s
  ASSERT_EQ(shots_.size(), 2u);
  EXPECT_EQ(shots_[0].sequence, 7);
  EXPECT_EQ(shots_[1].sequence, 8);
  EXPECT_EQ(s.shots(), 2);
}

TEST_F(SnapshotterTest, AWriteThatFailsIsAnError) {
  fs::create_directories(dir_.path() + "/snapshot");
  std::ofstream(dir_.path() + "/snapshot/job") << "a file where a folder should be";
  Snapshotter s(Config(/*overwrite=*/false, /*sequence=*/true));
  auto f = testing::Picture(320, 180);
  auto r = s.Push(f.get(), 0, t0_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "SnapshotFailed");
}

}  // namespace
}  // namespace floe::media
