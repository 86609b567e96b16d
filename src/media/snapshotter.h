// Pictures of a live input for the snapshot family: every interval_s of media time, the decoded
// picture of that moment as a JPEG (FFmpeg's mjpeg encoder) at the input's size, written into
// a bucket's directory under the template's names: one object replaced at each shot
// (overwrite) and/or a new object per shot (sequence). A file appears whole: written under a
// temporary name, then renamed. Single-threaded: the owner calls it from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "media/ffmpeg.h"

namespace floe::media {

// One picture taken, as the catalogue keeps it.
struct SnapshotShot {
  std::string object;
  bool overwrite = false;  // the one object replaced at each shot
  int sequence = 0;        // counts shots from SnapshotConfig::first_sequence
  int64_t time_ms = 0;     // wall clock (Unix ms) when it was taken
  int64_t size_bytes = 0;
  int width = 0, height = 0;
};

struct SnapshotConfig {
  std::string dir;  // the bucket's directory
  int interval_s = 5;
  // The objects' names (relative to dir, with their extension); a function left empty: none
  // of that kind (a template has one kind or both).
  std::function<std::string()> overwrite_object;
  std::function<std::string(int sequence, int64_t unix_ms)> sequence_object;
  int first_sequence = 1;  // the first shot's {Sequence} (a job's next process goes on)
  int qscale = 3;          // the JPEG's quantiser, 2 (best) to 31
  std::function<void(const SnapshotShot&)> on_shot;  // once per object written
};

class Snapshotter {
 public:
  explicit Snapshotter(SnapshotConfig config);
  ~Snapshotter();

  // A decoded picture at media time t_us, arrived at now_ms (Unix ms). The first picture is
  // taken, then one each interval_s of media time after the last shot. An error: the picture
  // could not be encoded or written (the disk, the directory).
  core::Result<void> Push(const AVFrame* picture, int64_t t_us, int64_t now_ms);
  int shots() const { return shots_; }

 private:
  core::Result<std::string> Encode(const AVFrame* picture);
  core::Result<int64_t> Write(const std::string& object, const std::string& jpeg);

  SnapshotConfig config_;
  CodecContextPtr enc_;
  SwsPtr sws_;
  FramePtr yuvj_;
  PacketPtr packet_ = NewPacket();
  int shots_ = 0;
  int sequence_ = 0;
  int64_t last_us_ = 0;
};

}  // namespace floe::media
