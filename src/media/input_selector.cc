#include "media/input_selector.h"

#include <algorithm>

namespace floe::media {

const char* RoleName(InputRole role) {
  return role == InputRole::kPrimary ? "primary" : "backup";
}

namespace {
InputRole Other(InputRole role) {
  return role == InputRole::kPrimary ? InputRole::kBackup : InputRole::kPrimary;
}
}  // namespace

int64_t InputSelector::StallAtUs() const {
  return anchor_wall_us_ + (last_media_us_ - anchor_media_us_) + interval_us_ +
         opt_.stall_tolerance_us;
}

bool InputSelector::Healthy(InputRole role, int64_t now_us) const {
  const Source& s = source(role);
  return s.seen && now_us - s.last_arrival_us <= interval_us_ + opt_.stall_tolerance_us;
}

Route InputSelector::OnPacket(const Arrival& a) {
  Source& s = source(a.role);
  // A source is healthy since its last gap (or reconnect): the backup gives way only to a
  // primary that has been sending steadily for a while.
  if (!s.seen || s.connection != a.connection ||
      a.now_us - s.last_arrival_us > interval_us_ + opt_.stall_tolerance_us) {
    s.healthy_since_us = a.now_us;
  }
  s.seen = true;
  s.connection = a.connection;
  s.last_arrival_us = a.now_us;

  bool owns_mapping = mapped_ && a.role == epoch_role_ && a.connection == epoch_connection_;
  if (a.role == active_ && owns_mapping) {
    if (!slate_) return Forward(a, {});
    // Back during the slate on the same connection: its own timestamps go on once it has
    // caught up with the slate (a publisher that kept its clock), at a keyframe.
    if (resume_since_us_ == 0) resume_since_us_ = a.now_us;
    if (!a.key) return {};
    if (a.dts_us - offset_us_ > clock_us_) return TakeOver(a, false);
    if (a.now_us - resume_since_us_ >= opt_.catch_up_us) return TakeOver(a, true);
    return {};
  }
  if (a.role == active_) {
    // The first packet ever, or a new connection of the active input: at its first keyframe.
    return a.key ? TakeOver(a, true) : Route{};
  }
  if (has_pending_ && a.role == pending_) return a.key ? TakeOver(a, true) : Route{};
  // The primary, while the backup plays: back once it has been healthy long enough.
  if (a.role == InputRole::kPrimary && a.key &&
      a.now_us - s.healthy_since_us >= opt_.return_after_us) {
    return TakeOver(a, true);
  }
  return {};
}

Route InputSelector::TakeOver(const Arrival& a, bool retime) {
  Route r;
  r.new_epoch = !(mapped_ && a.role == epoch_role_ && a.connection == epoch_connection_);
  if (a.role != active_) {
    r.switched = true;
    r.from = active_;
    r.to = a.role;
    active_ = a.role;
  }
  if (retime) {
    // The first input starts the media clock; any later one follows where it stands.
    offset_us_ = a.dts_us - (mapped_ ? clock_us_ + 1 : kFirstMediaUs);
  }
  mapped_ = true;
  epoch_start_us_ = a.dts_us - offset_us_;
  epoch_role_ = a.role;
  epoch_connection_ = a.connection;
  r.resumed = slate_;
  slate_ = false;
  resume_since_us_ = 0;
  has_pending_ = false;
  // The output clock starts again from this packet.
  anchored_ = false;
  last_video_us_ = INT64_MIN;
  return Forward(a, r);
}

Route InputSelector::Forward(const Arrival& a, Route r) {
  int64_t media = a.dts_us - offset_us_;
  // Audio interleaved just before the keyframe that took over belongs to the time before it
  // (the slate's, or the input before): it would go back in time.
  if (media < epoch_start_us_ && media >= epoch_start_us_ - kJumpBackUs) return {};
  // A jump in the input's own timestamps (a splice, an encoder restart): the media clock goes
  // on from where it is, instead of filling a forward gap with repeated frames or going back.
  if (clock_us_ > 0 && (media > clock_us_ + kJumpForwardUs || media < clock_us_ - kJumpBackUs)) {
    r.discontinuity_ms = (media - clock_us_) / 1000;
    offset_us_ = a.dts_us - (clock_us_ + 1);
    media = clock_us_ + 1;
    epoch_start_us_ = media;
    anchored_ = false;
    last_video_us_ = INT64_MIN;
  }
  if (a.video) {
    if (last_video_us_ != INT64_MIN && media > last_video_us_) {
      interval_us_ = std::clamp<int64_t>(media - last_video_us_, 5'000, 1'000'000);
    }
    last_video_us_ = media;
  }
  if (!anchored_) {
    anchored_ = true;
    anchor_wall_us_ = a.now_us;
    anchor_media_us_ = media;
    last_media_us_ = media;
  } else {
    last_media_us_ = std::max(last_media_us_, media);
    // A live input is anchored on its latest packet; a segmented one keeps its lead and the
    // anchor follows only a packet that is late (network delay, a clock a little slow).
    bool late = a.now_us > anchor_wall_us_ + (media - anchor_media_us_);
    if ((late || !opt_.keep_lead) && media >= last_media_us_) {
      anchor_wall_us_ = a.now_us;
      anchor_media_us_ = media;
    }
  }
  clock_us_ = std::max(clock_us_, media);
  r.forward = true;
  r.offset_us = offset_us_;
  return r;
}

SlateTick InputSelector::OnTick(int64_t now_us) {
  SlateTick t;
  if (!anchored_) return t;  // nothing has played yet: no picture to repeat
  if (!slate_ && now_us >= StallAtUs()) {
    slate_ = true;
    slate_since_us_ = now_us;
    resume_since_us_ = 0;
    t.started = true;
  }
  if (!slate_) return t;
  if (opt_.has_backup && !has_pending_ && Healthy(Other(active_), now_us)) {
    has_pending_ = true;
    pending_ = Other(active_);
  }
  t.active = true;
  t.until_us = anchor_media_us_ + (now_us - anchor_wall_us_);
  clock_us_ = std::max(clock_us_, t.until_us);
  t.black = now_us - slate_since_us_ > opt_.black_after_us;
  return t;
}

int64_t InputSelector::NextTickUs(int64_t now_us) const {
  if (slate_) return now_us + 10'000;
  if (!anchored_) return now_us + 100'000;
  return std::max(now_us + 1'000, StallAtUs());
}

}  // namespace floe::media
