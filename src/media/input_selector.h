// Which input feeds the renditions, on which media time, and when the output must go on
// without one. Pure logic on the caller's times (wall clock in microseconds), so it is tested
// with a fake clock; the pipeline calls it under one lock from its source threads (every packet
// read: forward it or drop it) and from its output clock (every tick: fill with slate or not).
//
// The output clock: an input packet is due at the wall time its media time says, counted from
// an anchor. A live push input (RTMP, SRT) is anchored on its latest packet: what it sent at
// once on connecting (the server's buffer) is no lead, so the output goes on one frame
// interval plus a tolerance after the last packet arrived. A segmented input (HLS, keep_lead)
// is anchored on its first packet and moved on only when a packet comes late, so the segments
// it fetched ahead keep their lead. When nothing is due any more, the output is filled with
// slate up to the wall clock, long before the demuxer's read timeout says the input is lost. The
// input takes over again at a keyframe: on the same connection with its own timestamps once it has
// caught up with the slate (re-timed after catch_up_us if it never does), after a reconnect or a
// switch re-timed to follow the slate. The backup, when there is one, takes over at its next
// keyframe once the primary stalls, and gives way again at a keyframe of the primary once the
// primary has been healthy for return_after_us.
#pragma once

#include <cstdint>

namespace floe::media {

enum class InputRole { kPrimary = 0, kBackup = 1 };
const char* RoleName(InputRole role);

struct SelectorOptions {
  int64_t stall_tolerance_us = 200'000;  // no input for a frame interval + this: slate
  int64_t return_after_us = 10'000'000;  // primary healthy this long: back from the backup
  int64_t catch_up_us = 1'000'000;       // an input still behind the slate this long: re-timed
  int64_t black_after_us = 3'000'000;    // the slate shows the last picture, then black
  bool has_backup = false;
  bool keep_lead = false;  // a segmented input (HLS): media read ahead counts as lead
};

struct Arrival {
  InputRole role = InputRole::kPrimary;
  int connection = 0;  // the source's connection number: a reconnect makes a new one
  bool video = false;
  bool key = false;    // a video keyframe (any packet, for an input without video)
  int64_t dts_us = 0;  // the packet's own decode time, in microseconds
  int64_t now_us = 0;  // when it arrived
};

struct Route {
  bool forward = false;
  int64_t offset_us = 0;   // media time = the packet's own time − offset
  bool new_epoch = false;  // another connection or input takes over: decoders start afresh
  bool switched = false;   // the active input changed, from → to
  InputRole from = InputRole::kPrimary, to = InputRole::kPrimary;
  bool resumed = false;          // the output leaves the slate with this packet
  int64_t discontinuity_ms = 0;  // a jump of the input's own timestamps absorbed (0: none)
};

struct SlateTick {
  bool active = false;
  bool started = false;  // the slate starts at this tick
  int64_t until_us = 0;  // fill every transcoded output up to this media time
  bool black = false;
};

class InputSelector {
 public:
  // Where the media clock starts: encoders that prime (AAC's 1024 samples, HE-AAC's 2048 plus
  // its SBR delay: 94 ms at 32 kHz) stamp their first packets before their first frame, and an
  // FLV output cannot go below its first packet. A whole second is a whole number of frames at
  // every integer frame rate, so the outputs' frame grid keeps the input's A/V alignment
  // (0.1 s was 2.5 frames at 25 fps: video half a frame late, measured in audio.test.js).
  static constexpr int64_t kFirstMediaUs = 1'000'000;

  explicit InputSelector(SelectorOptions options) : opt_(options) {}

  Route OnPacket(const Arrival& a);
  SlateTick OnTick(int64_t now_us);
  // When the output clock should look again: the stall deadline, or soon while the slate runs.
  int64_t NextTickUs(int64_t now_us) const;

  InputRole active() const { return active_; }
  bool slate() const { return slate_; }
  int64_t media_us() const { return clock_us_; }
  int64_t frame_interval_us() const { return interval_us_; }
  // The wall time from which, without another packet, the output is filled with slate.
  int64_t StallAtUs() const;

 private:
  struct Source {
    bool seen = false;
    int connection = -1;
    int64_t last_arrival_us = 0;
    int64_t healthy_since_us = 0;
  };
  static constexpr int64_t kJumpForwardUs = 10'000'000, kJumpBackUs = 3'000'000;

  bool Healthy(InputRole role, int64_t now_us) const;
  Route TakeOver(const Arrival& a, bool retime);
  Route Forward(const Arrival& a, Route r);
  Source& source(InputRole role) { return sources_[static_cast<int>(role)]; }
  const Source& source(InputRole role) const { return sources_[static_cast<int>(role)]; }

  SelectorOptions opt_;
  Source sources_[2];
  InputRole active_ = InputRole::kPrimary;
  bool has_pending_ = false;
  InputRole pending_ = InputRole::kPrimary;
  // Whose timestamps are mapped now, and how.
  bool mapped_ = false;
  InputRole epoch_role_ = InputRole::kPrimary;
  int epoch_connection_ = -1;
  int64_t offset_us_ = 0;
  int64_t epoch_start_us_ = 0;  // media time of the packet that took over: nothing before it
  int64_t clock_us_ = 0;        // the media clock: the latest media time handed on (input or slate)
  // The output clock's anchor: media time anchor_media_us_ was due at wall time anchor_wall_us_.
  bool anchored_ = false;
  int64_t anchor_wall_us_ = 0, anchor_media_us_ = 0, last_media_us_ = 0;
  int64_t interval_us_ = 40'000;  // the input's frame interval, as seen
  int64_t last_video_us_ = INT64_MIN;
  bool slate_ = false;
  int64_t slate_since_us_ = 0;
  int64_t resume_since_us_ = 0;  // the active input came back during the slate (catching up)
};

}  // namespace floe::media
