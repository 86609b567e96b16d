// The output clock and input switching on a fake clock: when the slate starts, how many slate
// frames a gap makes, where the input takes over again, and when the backup plays.
#include "media/input_selector.h"

#include <gtest/gtest.h>

#include <vector>

#include "media/convert.h"
#include "media/frames.h"

namespace floe::media {
namespace {

constexpr int64_t kFrame = 40'000;  // 25 fps input
constexpr int64_t kStart = InputSelector::kFirstMediaUs;

// A live 25 fps video input with a keyframe every `gop` frames, on a wall clock the test moves.
struct Feed {
  InputSelector& sel;
  InputRole role = InputRole::kPrimary;
  int connection = 0;
  int gop = 25;
  int64_t dts = 1'000'000'000;  // the input's own clock starts anywhere
  int n = 0;

  Route Send(int64_t now) {
    Arrival a;
    a.role = role;
    a.connection = connection;
    a.video = true;
    a.key = n % gop == 0;
    a.dts_us = dts;
    a.now_us = now;
    dts += kFrame;
    ++n;
    return sel.OnPacket(a);
  }
};

SelectorOptions Options(bool backup = false) {
  SelectorOptions o;
  o.stall_tolerance_us = 200'000;
  o.return_after_us = 10'000'000;
  o.catch_up_us = 1'000'000;
  o.black_after_us = 3'000'000;
  o.has_backup = backup;
  return o;
}

TEST(InputSelector, SteadyInputNeverStallsAndStartsTheMediaClockAtZero) {
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 100; ++i) {
    int64_t now = i * kFrame;
    Route r = in.Send(now);
    ASSERT_TRUE(r.forward) << i;
    EXPECT_EQ(in.dts - kFrame - r.offset_us, kStart + i * kFrame);
    EXPECT_FALSE(sel.OnTick(now + kFrame - 1).active);
  }
  EXPECT_EQ(sel.frame_interval_us(), kFrame);
}

TEST(InputSelector, WaitsForTheFirstKeyframe) {
  InputSelector sel(Options());
  Feed in{sel};
  in.n = 20;  // joins mid-GOP: 5 frames before the keyframe
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(in.Send(i * kFrame).forward);
  Route first = in.Send(5 * kFrame);
  EXPECT_TRUE(first.forward);
  EXPECT_TRUE(first.new_epoch);
  EXPECT_EQ(in.dts - kFrame - first.offset_us, kStart);
}

TEST(InputSelector, AudioBeforeTheKeyframeThatTookOverIsDropped) {
  InputSelector sel(Options());
  Feed in{sel};
  ASSERT_TRUE(in.Send(0).forward);
  Arrival audio;
  audio.dts_us = in.dts - kFrame - 15'000;  // interleaved 15 ms before the keyframe
  audio.now_us = 1'000;
  EXPECT_FALSE(sel.OnPacket(audio).forward);
  audio.dts_us += 21'000;
  Route r = sel.OnPacket(audio);
  ASSERT_TRUE(r.forward);
  EXPECT_EQ(audio.dts_us - r.offset_us, kStart + 6'000);
}

TEST(InputSelector, SlateStartsOneFrameIntervalPlusToleranceAfterTheLastFrame) {
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 50; ++i) in.Send(i * kFrame);
  int64_t last = 49 * kFrame;
  EXPECT_EQ(sel.StallAtUs(), last + kFrame + 200'000);
  EXPECT_FALSE(sel.OnTick(last + kFrame + 199'999).active);
  SlateTick t = sel.OnTick(last + kFrame + 200'000);
  EXPECT_TRUE(t.active);
  EXPECT_TRUE(t.started);
  // The slate fills up to where the wall clock says the media should be.
  EXPECT_EQ(t.until_us, kStart + 49 * kFrame + kFrame + 200'000);
  SlateTick later = sel.OnTick(last + 2'000'000);
  EXPECT_FALSE(later.started);
  EXPECT_EQ(later.until_us, kStart + 49 * kFrame + 2'000'000);
  EXPECT_FALSE(later.black);
  EXPECT_TRUE(sel.OnTick(last + kFrame + 200'000 + 3'000'001).black);
}

TEST(InputSelector, AGapMakesExactlyTheSlateFramesTheWallClockOwes) {
  // 1 s of input, 2 s of nothing, ticks every 10 ms: the converter at 25 fps emits the 25 real
  // frames and then exactly one frame per 40 ms slot up to the last tick.
  InputSelector sel(Options());
  Feed in{sel};
  VideoConverter conv(25, 64, 64, SWS_BILINEAR);
  auto pic = testing::Picture(64, 64);
  int frames = 0;
  auto emit = [&](AVFrame*) { ++frames; };
  for (int i = 0; i < 25; ++i) {
    Route r = in.Send(i * kFrame);
    conv.Push(pic.get(), in.dts - kFrame - r.offset_us, emit);
  }
  EXPECT_EQ(frames, 25);
  int64_t end = 24 * kFrame + 2'000'000;
  for (int64_t now = 24 * kFrame; now <= end; now += 10'000) {
    SlateTick t = sel.OnTick(now);
    if (t.active) conv.RepeatUntil(t.until_us, t.black, emit);
  }
  // The clock starts at 0.1 s (slot 3, rounded); it ends at 0.1 + 24×40 ms + 2 s = 3.06 s
  // (slot 77): 50 slots of slate after the 25 frames.
  EXPECT_EQ(frames, 75);
  EXPECT_EQ(conv.duplicated(), 50);
}

TEST(InputSelector, ALateInputMovesTheAnchorInsteadOfStalling) {
  // Each frame arrives 5 ms later than the one before would say: 2 s of drift, never a slate.
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 400; ++i) {
    int64_t now = i * (kFrame + 5'000);
    ASSERT_TRUE(in.Send(now).forward);
    ASSERT_FALSE(sel.OnTick(now + kFrame + 4'999).active) << i;
  }
}

TEST(InputSelector, ASegmentedInputAheadOfTheWallClockKeepsItsLead) {
  // An HLS-like burst: 4 s of media in 100 ms, then nothing for 3.5 s: still no slate.
  SelectorOptions o = Options();
  o.keep_lead = true;
  InputSelector sel(o);
  Feed in{sel};
  for (int i = 0; i < 100; ++i) in.Send(i * 1'000);
  EXPECT_FALSE(sel.OnTick(3'500'000).active);
  EXPECT_TRUE(sel.OnTick(100 * kFrame + 200'000).active);
}

TEST(InputSelector, ALiveInputsConnectBurstIsNoLead) {
  // An RTMP server hands a new player 1.5 s of buffered media at once, then the stream goes
  // on in real time: when it stops, the slate starts a frame interval + tolerance after the
  // last packet, not 1.5 s later.
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 38; ++i) in.Send(i * 1'000);
  int64_t now = 38 * 1'000;
  for (int i = 0; i < 50; ++i, now += kFrame) in.Send(now);
  int64_t last = now - kFrame;
  EXPECT_EQ(sel.StallAtUs(), last + kFrame + 200'000);
  EXPECT_FALSE(sel.OnTick(last + kFrame + 199'999).active);
  SlateTick t = sel.OnTick(last + kFrame + 200'000);
  ASSERT_TRUE(t.active);
  // From the last frame's media time on, in real time.
  EXPECT_EQ(t.until_us, kStart + 87 * kFrame + kFrame + 200'000);
}

TEST(InputSelector, SameConnectionCatchingUpTakesOverAtAKeyframePastTheSlate) {
  // A publisher frozen for 2 s that then sends its backlog at once (its clock kept running):
  // the backlog behind the slate is dropped, the first keyframe past it plays on its own time.
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 30; ++i) in.Send(i * kFrame);
  int64_t frozen_at = 29 * kFrame;
  for (int64_t now = frozen_at; now <= frozen_at + 2'000'000; now += 10'000) sel.OnTick(now);
  ASSERT_TRUE(sel.slate());
  int64_t clock = sel.media_us();
  int64_t now = frozen_at + 2'000'000;
  int dropped = 0;
  Route took;
  for (int i = 0; i < 200 && !took.forward; ++i) {
    took = in.Send(now);
    if (!took.forward) ++dropped;
    now += 500;  // the backlog comes fast
  }
  ASSERT_TRUE(took.forward);
  EXPECT_TRUE(took.resumed);
  EXPECT_FALSE(took.new_epoch);  // same connection: the decoders go on
  int64_t media = in.dts - kFrame - took.offset_us;
  EXPECT_GT(media, clock);
  EXPECT_EQ(media, kStart + (in.n - 1) * kFrame);  // its own timeline, unchanged
  EXPECT_EQ((in.n - 1) % 25, 0);
  EXPECT_GT(dropped, 25);
  EXPECT_FALSE(sel.slate());
}

TEST(InputSelector, SameConnectionThatNeverCatchesUpIsRetimedAfterTheCatchUpTime) {
  // A publisher whose clock stopped with it: after 1 s still behind, its next keyframe is
  // re-timed to follow the slate.
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 30; ++i) in.Send(i * kFrame);
  int64_t t0 = 29 * kFrame;
  for (int64_t now = t0; now <= t0 + 3'000'000; now += 10'000) sel.OnTick(now);
  int64_t now = t0 + 3'000'000;
  Route took;
  int sent = 0;
  while (!took.forward && sent < 200) {
    sel.OnTick(now);
    took = in.Send(now);
    now += kFrame;  // real time, 3 s behind for ever
    ++sent;
  }
  ASSERT_TRUE(took.forward);
  EXPECT_TRUE(took.resumed);
  EXPECT_GE(sent, 25);  // not before catch_up_us (1 s = 25 frames)
  EXPECT_LE(sent, 51);  // at the first keyframe after it
  int64_t media = in.dts - kFrame - took.offset_us;
  EXPECT_GT(media, 29 * kFrame + 3'000'000);  // after the slate, never back
}

TEST(InputSelector, AReconnectIsANewEpochRetimedAfterTheSlate) {
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 30; ++i) in.Send(i * kFrame);
  for (int64_t now = 29 * kFrame; now <= 29 * kFrame + 1'000'000; now += 10'000) sel.OnTick(now);
  int64_t clock = sel.media_us();
  Feed again{sel};
  again.connection = 1;
  again.dts = 5'000;  // a new connection's clock starts anew
  Route r = again.Send(29 * kFrame + 1'000'000);
  ASSERT_TRUE(r.forward);
  EXPECT_TRUE(r.new_epoch);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(5'000 - r.offset_us, clock + 1);
}

TEST(InputSelector, ATimestampJumpIsAbsorbed) {
  InputSelector sel(Options());
  Feed in{sel};
  for (int i = 0; i < 30; ++i) in.Send(i * kFrame);
  in.dts += 1'000'000'000;  // +1000 s
  Route r = in.Send(30 * kFrame);
  ASSERT_TRUE(r.forward);
  EXPECT_GE(r.discontinuity_ms, 999'000);
  EXPECT_EQ(in.dts - kFrame - r.offset_us, kStart + 29 * kFrame + 1);
}

TEST(InputSelector, BackupTakesOverAtItsKeyframeAndThePrimaryReturnsWhenHealthy) {
  InputSelector sel(Options(true));
  Feed primary{sel};
  Feed backup{sel, InputRole::kBackup};
  backup.dts = 77'000'000;
  backup.n = 3;  // its keyframes fall elsewhere
  int64_t now = 0;
  for (int i = 0; i < 50; ++i, now += kFrame) {
    ASSERT_TRUE(primary.Send(now).forward);
    ASSERT_FALSE(backup.Send(now).forward);  // standby: read, not played
    sel.OnTick(now);
  }
  // The primary stops; the backup goes on.
  Route r;
  int backup_frames_before_switch = 0;
  bool stalled = false;
  for (; !r.forward; now += kFrame) {
    stalled = stalled || sel.OnTick(now).active;
    r = backup.Send(now);
    if (!r.forward) ++backup_frames_before_switch;
  }
  EXPECT_TRUE(stalled);
  EXPECT_TRUE(r.switched);
  EXPECT_EQ(r.from, InputRole::kPrimary);
  EXPECT_EQ(r.to, InputRole::kBackup);
  EXPECT_TRUE(r.new_epoch);
  EXPECT_EQ((backup.n - 1) % 25, 0);  // at a keyframe
  EXPECT_EQ(sel.active(), InputRole::kBackup);
  // The primary comes back on a new connection: it plays only after 10 s of steady input.
  primary.connection = 1;
  primary.dts = 0;
  primary.n = 0;
  int64_t back_at = now;
  Route ret;
  for (; !ret.forward && now < back_at + 20'000'000; now += kFrame) {
    ASSERT_TRUE(backup.Send(now).forward) << "the backup plays until the switch";
    ret = primary.Send(now);
    sel.OnTick(now);
  }
  ASSERT_TRUE(ret.forward);
  EXPECT_TRUE(ret.switched);
  EXPECT_EQ(ret.to, InputRole::kPrimary);
  EXPECT_GE(now - back_at, 10'000'000);
  EXPECT_LE(now - back_at, 11'100'000);
  EXPECT_FALSE(backup.Send(now).forward);
}

TEST(InputSelector, APrimaryWithGapsDoesNotTakeBackFromTheBackup) {
  InputSelector sel(Options(true));
  Feed primary{sel};
  Feed backup{sel, InputRole::kBackup};
  int64_t now = 0;
  for (int i = 0; i < 10; ++i, now += kFrame) {
    primary.Send(now);
    backup.Send(now);
  }
  for (int i = 0; i < 40; ++i, now += kFrame) {
    sel.OnTick(now);
    backup.Send(now);
  }
  ASSERT_EQ(sel.active(), InputRole::kBackup);
  // 20 s of a primary that pauses 1 s every 5 s: never 10 s healthy in a row.
  for (int i = 0; i < 500; ++i, now += kFrame) {
    backup.Send(now);
    if (i % 125 < 100) {
      EXPECT_FALSE(primary.Send(now).forward) << i;
    }
    sel.OnTick(now);
  }
  EXPECT_EQ(sel.active(), InputRole::kBackup);
}

}  // namespace
}  // namespace floe::media
