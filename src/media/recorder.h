// A recording of one input by copy (no decode, no encode): the input's packets, as they come,
// written into one or more containers, each cut into files.
//   m3u8  MPEG-TS segments of about slice_s each (cut at the first video keyframe after it)
//         and a playlist that grows with them: #EXT-X-DISCONTINUITY where the input came back
//         after a gap, #EXT-X-ENDLIST once the file is closed;
//   flv   one FLV file (Floe's own FLV writer for H.265, Enhanced RTMP's "hvc1");
//   mp4   fragmented MP4, a fragment per video keyframe, each on disk as soon as it is complete:
//         a crash or SIGKILL leaves a file that plays up to its last fragment.
// A file is written under an in-progress name and takes its final name (which holds its end
// time) when it closes: after cycle_s (at the next keyframe), or when the input has been away
// longer than gap_close_ms. A shorter gap continues the same file, its timeline carried on
// where it stopped. Single-threaded: the owner calls it from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "media/mux.h"
#include "media/record_file.h"

namespace floe::media {

struct RecordFileSpec {
  RecordContainer container = RecordContainer::kM3u8;
  int slice_s = 30;         // m3u8: a segment's length
  int64_t cycle_s = 21600;  // a file's length
};

// Object names, relative to the directory; each with its extension. The owner renders the
// template's placeholders.
struct RecordNaming {
  // A closed file (an m3u8 file is its playlist). sequence counts from 1 per container.
  std::function<std::string(RecordContainer, int sequence, int64_t start_ms, int64_t end_ms)> file;
  // Where a file is written until it closes (unique per container and sequence).
  std::function<std::string(RecordContainer, int sequence)> in_progress;
  // An m3u8 segment; sequence counts from 1 over the whole recording.
  std::function<std::string(int sequence, int64_t unix_ms)> slice;
};

struct RecorderConfig {
  std::string dir;  // the bucket's directory
  std::vector<RecordFileSpec> files;
  RecordNaming naming;
  int64_t gap_close_ms = 180'000;
  std::function<void(const RecordedFile&)> on_file;  // called as each file closes
};

// What another recorder of the same recording left under in-progress names when it died (a
// crash, a SIGKILL, its node lost): the files in `folder` (relative to dir) but those whose
// names start with `own_prefix` (this recorder's). Named RUN-SEQUENCE.EXT as cli/record.h's
// naming writes them, each is closed as it is, like a file whose input ended: an mp4 or flv
// renamed, a playlist ended (its segments' URIs made relative to its new name), named by
// naming.file with its sequence and times (its last write its end, its media's length before
// that its start), and returned for the catalogue. One that cannot be read or closed stays
// where it is, and is named in `unreadable` (the job's events say so).
struct Leftovers {
  std::vector<RecordedFile> recovered;
  std::vector<std::string> unreadable;  // objects under dir
};
Leftovers RecoverLeftovers(const std::string& dir, const std::string& folder,
                           const std::string& own_prefix, const RecordNaming& naming);

class Recorder {
 public:
  // The streams as the input gives them (their codec parameters and time bases).
  static core::Result<std::unique_ptr<Recorder>> Open(RecorderConfig config,
                                                      const std::vector<MuxStream>& streams);
  ~Recorder();

  // One packet of the input (timestamps in its stream's time base), arrived at now_ms (Unix
  // ms). An error: a file could not be written (the disk, the directory).
  core::Result<void> Write(int stream, const AVPacket* packet, int64_t now_ms);
  // The input is away (no packet since kMinGapMs at least; sooner, it is only a stall that the
  // file carries as it is): the packets that follow, once it is back, start a new timeline.
  void InputLost(int64_t now_ms);
  static constexpr int64_t kMinGapMs = 1000;
  // Closes the files when the input has been away for longer than gap_close_ms; call it now
  // and then while the input is away.
  core::Result<void> Tick(int64_t now_ms);
  // Closes every open file (the recording ends).
  core::Result<void> Finish();

  struct Impl;

 private:
  explicit Recorder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::media
