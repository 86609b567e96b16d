// The supervisor ↔ media process protocol: every message survives a round trip, and what is not
// a whole, well-formed message is refused with BadMessage (never half-read).
#include "runtime/protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace floe::runtime {
namespace {

RenditionSpec Spec(const std::string& id) {
  return RenditionSpec{id, "normal", R"({"Video":{"Fps":25}})", "rtmp://127.0.0.1/live/" + id,
                       id == "b"};
}

TEST(ProtocolTest, CommandsRoundTrip) {
  Command start;
  start.kind = CommandKind::kStart;
  start.input = InputSpec{"acct1", "rtmp", "rtmp://127.0.0.1/live/in", "rtmp://127.0.0.1/live/bk"};
  start.renditions = {Spec("a"), Spec("b")};
  std::string line = Encode(start);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = ParseCommand(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kind, CommandKind::kStart);
  EXPECT_EQ(back->input, start.input);
  ASSERT_EQ(back->renditions.size(), 2u);
  EXPECT_EQ(back->renditions[1].job_id, "b");
  EXPECT_EQ(back->renditions[1].template_config, R"({"Video":{"Fps":25}})");
  EXPECT_EQ(back->renditions[1].output_url, "rtmp://127.0.0.1/live/b");
  EXPECT_TRUE(back->renditions[1].trusted_output);
  EXPECT_FALSE(back->renditions[0].trusted_output);

  Command add;
  add.kind = CommandKind::kAdd;
  add.renditions = {Spec("c")};
  auto a = ParseCommand(Encode(add));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, CommandKind::kAdd);
  EXPECT_EQ(a->renditions.at(0).job_id, "c");

  Command remove;
  remove.kind = CommandKind::kRemove;
  remove.job_id = "c";
  auto r = ParseCommand(Encode(remove));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, CommandKind::kRemove);
  EXPECT_EQ(r->job_id, "c");
}

TEST(ProtocolTest, ARecordJobsRenditionAndItsClosedFilesRoundTrip) {
  Command add;
  add.kind = CommandKind::kAdd;
  RenditionSpec rec{"r1", "", R"([{"Format":"mp4"}])", "/srv/buckets/b1", false, "record"};
  add.renditions = {rec};
  auto a = ParseCommand(Encode(add));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->renditions.at(0).family, "record");
  EXPECT_EQ(a->renditions.at(0).output_url, "/srv/buckets/b1");
  // A rendition that names no family is a transcode (as a process of an older floe sends it);
  // an unknown family is refused.
  EXPECT_EQ(ParseCommand(R"({"command":"add","rendition":{"job_id":"x","output_url":"u"}})")
                ->renditions.at(0)
                .family,
            "transcode");
  EXPECT_FALSE(ParseCommand(
      R"({"command":"add","rendition":{"job_id":"x","output_url":"u","family":"snap"}})"));

  media::RecordedFile f;
  f.container = media::RecordContainer::kM3u8;
  f.object = "record/r1/1_2026-12-06-10-00-00.m3u8";
  f.sequence = 3;
  f.start_ms = 1'796'000'000'000;
  f.end_ms = 1'796'000'060'000;
  f.duration_s = 59.96;
  f.size_bytes = int64_t{5} << 32;
  f.width = 1280;
  f.height = 720;
  Report r{ReportKind::kFile, "r1", media::EventKind::kStarted, "", "", ""};
  r.file = FileReport(f);
  auto back = ParseReport(Encode(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kind, ReportKind::kFile);
  EXPECT_EQ(back->job_id, "r1");
  auto g = ParseFileReport(back->file);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->container, f.container);
  EXPECT_EQ(g->object, f.object);
  EXPECT_EQ(g->sequence, 3);
  EXPECT_EQ(g->start_ms, f.start_ms);
  EXPECT_EQ(g->end_ms, f.end_ms);
  EXPECT_DOUBLE_EQ(g->duration_s, 59.96);
  EXPECT_EQ(g->size_bytes, f.size_bytes);
  EXPECT_EQ(g->width, 1280);
  EXPECT_EQ(g->height, 720);
  // A file report without its job, its object, a known format or its figures is refused.
  EXPECT_FALSE(ParseReport(R"({"report":"file","file":{}})"));
  EXPECT_FALSE(ParseReport(R"({"report":"file","job_id":"r1"})"));
  EXPECT_FALSE(ParseFileReport(R"({"format":"avi","object":"a"})"));
  EXPECT_FALSE(ParseFileReport(R"({"format":"flv","object":""})"));
  std::string no_size = FileReport(f);
  no_size.replace(no_size.find("\"size\""), 6, "\"sixe\"");
  EXPECT_FALSE(ParseFileReport(no_size));
  std::string negative = FileReport(f);
  negative.replace(negative.find("\"width\":1280"), 12, "\"width\":-1");
  EXPECT_FALSE(ParseFileReport(negative));
}

TEST(ProtocolTest, ASnapshotJobsPictureTravelsWhole) {
  media::SnapshotShot s;
  s.object = "snapshot/j1/快照 1660638613798.jpg";
  s.overwrite = true;
  s.sequence = 4;
  s.time_ms = 1'660'638'613'798;
  s.size_bytes = int64_t{1} << 33;
  s.width = 1280;
  s.height = 720;
  Report r{ReportKind::kFile, "s1", media::EventKind::kStarted, "", "", ""};
  r.file = ShotReport(s);
  auto back = ParseReport(Encode(r));
  ASSERT_TRUE(back) << back.error().message;
  auto g = ParseShotReport(back->file);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->object, s.object);
  EXPECT_TRUE(g->overwrite);
  EXPECT_EQ(g->sequence, 4);
  EXPECT_EQ(g->time_ms, s.time_ms);
  EXPECT_EQ(g->size_bytes, s.size_bytes);
  EXPECT_EQ(g->width, 1280);
  EXPECT_EQ(g->height, 720);
  // A record job's file is not a picture, nor the other way round.
  EXPECT_FALSE(ParseFileReport(ShotReport(s)));
  EXPECT_FALSE(ParseShotReport(R"({"format":"mp4","object":"a","overwrite":false,"sequence":1,)"
                               R"("time_ms":1,"size":1,"width":1,"height":1})"));
  std::string no_mode = ShotReport(s);
  no_mode.replace(no_mode.find("\"overwrite\":true"), 16, "\"overwrite\":1   ");
  EXPECT_FALSE(ParseShotReport(no_mode));
  std::string negative = ShotReport(s);
  negative.replace(negative.find("\"height\":720"), 12, "\"height\":-7");
  EXPECT_FALSE(ParseShotReport(negative));
  // A rendition of the snapshot family travels; an unknown family does not.
  RenditionSpec spec{"s1", "snapshot", "{}", "/srv/b", false, "snapshot"};
  Command add{CommandKind::kAdd, {}, {spec}, "", 0};
  auto cmd = ParseCommand(Encode(add));
  ASSERT_TRUE(cmd) << cmd.error().message;
  EXPECT_EQ(cmd->renditions.at(0).family, "snapshot");
  std::string odd = Encode(add);
  odd.replace(odd.find("\"family\":\"snapshot\""), 19, "\"family\":\"snapsho\" ");
  EXPECT_FALSE(ParseCommand(odd));
}

TEST(ProtocolTest, AnInputPreviewNameIsPerAccountAndInput) {
  InputSpec a{"1000000000000001", "rtmp", "rtmp://h/live/in", ""};
  InputSpec b = a;
  b.account_id = "2000000000000002";
  EXPECT_NE(InputPreviewName(a), InputPreviewName(b));
  EXPECT_EQ(InputPreviewName(a), InputPreviewName(InputSpec{a}));
  // Parts cannot be shifted into each other: "ab"+"c" is not "a"+"bc".
  InputSpec shifted{"1000000000000001", "rtmp", "rtmp://h/live/i", "n"};
  InputSpec other{"1000000000000001", "rtmp", "rtmp://h/live/in", ""};
  EXPECT_NE(InputPreviewName(shifted), InputPreviewName(other));
  std::string name = InputPreviewName(a);
  EXPECT_EQ(name.size(), 33u);
  EXPECT_EQ(name[0], 'i');
  EXPECT_EQ(name.find_first_not_of("0123456789abcdef", 1), std::string::npos);
}

TEST(ProtocolTest, ReportsRoundTrip) {
  Report event{ReportKind::kEvent, "a", media::EventKind::kInputSwitched, "",
               "primary → backup", ""};
  auto e = ParseReport(Encode(event));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ReportKind::kEvent);
  EXPECT_EQ(e->job_id, "a");
  EXPECT_EQ(e->event, media::EventKind::kInputSwitched);
  EXPECT_EQ(e->detail, "primary → backup");
  EXPECT_NE(Encode(event).find("\"event\":\"input_switched\""), std::string::npos);

  Report stats{ReportKind::kStats, "a", media::EventKind::kStarted, "", "", R"({"speed":1.0})"};
  auto s = ParseReport(Encode(stats));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, ReportKind::kStats);
  EXPECT_EQ(s->stats, R"({"speed":1.0})");

  Report failed{ReportKind::kFailed, "",         media::EventKind::kStarted,
                "InputUnsupported",  "no video", ""};
  auto f = ParseReport(Encode(failed));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ReportKind::kFailed);
  EXPECT_TRUE(f->job_id.empty());
  EXPECT_EQ(f->code, "InputUnsupported");

  Report removed{ReportKind::kRemoved, "a", media::EventKind::kStarted, "", "", ""};
  auto d = ParseReport(Encode(removed));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, ReportKind::kRemoved);
}

TEST(ProtocolTest, EveryEventHasOneName) {
  for (int k = 0; k <= static_cast<int>(media::EventKind::kLockWait); ++k) {
    auto kind = static_cast<media::EventKind>(k);
    std::string name = media::EventName(kind);
    EXPECT_NE(name, "unknown");
    EXPECT_EQ(media::EventByName(name), kind) << name;
  }
  // The names the job event log has always used.
  EXPECT_STREQ(media::EventName(media::EventKind::kStarted), "started");
  EXPECT_STREQ(media::EventName(media::EventKind::kInputReconnected), "reconnected");
}

TEST(ProtocolTest, WhatIsNotAWholeMessageIsRefused) {
  for (const char* line : {
           "",
           "log: event=input_lost",  // a log line is not a message
           "[1,2]",
           R"({"command":"start"})",                     // no input
           R"({"command":"start","input":{"url":""}})",  // no URL
           R"({"command":"start","input":{"url":"x"},"renditions":{}})",
           R"({"command":"start","input":{"url":"x"},"renditions":[{"job_id":"a"}]})",
           R"({"command":"add"})", R"({"command":"add","rendition":{"job_id":7,"output_url":"x"}})",
           R"({"command":"add","rendition":{"job_id":"../../etc/x","output_url":"x"}})",
           R"({"command":"remove"})", R"({"command":"launch"})",
           R"({"command":"remove","job_id":"a")",  // cut off
       }) {
    auto c = ParseCommand(line);
    ASSERT_FALSE(c) << line;
    EXPECT_EQ(c.error().code, "BadMessage") << line;
  }
  for (const char* line : {
           R"({"report":"event","event":"meltdown"})",
           R"({"report":"stats","job_id":"a","stats":"fast"})",
           R"({"report":"stats","stats":{}})",
           R"({"report":"removed"})",
           R"({"report":"event","job_id":["a"],"event":"started"})",
           R"({"report":"gossip"})",
       }) {
    auto r = ParseReport(line);
    ASSERT_FALSE(r) << line;
    EXPECT_EQ(r.error().code, "BadMessage") << line;
  }
  std::string huge = R"({"command":"remove","job_id":")" + std::string(kMaxLine, 'a') + "\"}";
  EXPECT_FALSE(ParseCommand(huge));
}

}  // namespace
}  // namespace floe::runtime
