#include "ice/job_service.h"

#include <gtest/gtest.h>

#include "core/time.h"
#include "ice/jobs.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15T08:00:00Z
constexpr int64_t kDay = 24 * 3600 * 1000;
constexpr char kSystem360[] = "00000000000000000000000000000360";

std::string Utc(int64_t ms) {
  return core::FormatUtc(ms / 1000);
}

std::string Timed(int64_t start, int64_t end = 0) {
  std::string s = R"({"StartTime":")" + Utc(start) + "\"";
  if (end) s += R"(,"EndTime":")" + Utc(end) + "\"";
  return s + "}";
}

class JobServiceTest : public ::testing::Test {
 protected:
  JobServiceTest()
      : store_(dir_.File("floe.db")),
        live_center_(store_),
        service_(store_, live_center_, nullptr, [] { return kNow; }) {
    EXPECT_TRUE(
        store_.AddDomain({"live.example", alice_.account_id, "rtmp://origin:1935", 0}).ok());
  }

  JobSubmit Submit(store::StartMode start_mode = store::StartMode::kNow) {
    JobSubmit s;
    s.name = "job";
    s.template_id = kSystem360;
    s.start_mode = start_mode;
    s.stream_input = R"({"Type":"rtmp","InputUrl":"rtmp://in.example/live/cam"})";
    s.transcode_output = R"({"Type":"LiveCenter","DomainName":"live.example"})";
    if (start_mode == store::StartMode::kTimed)
      s.timed_config = Timed(kNow + 3600'000, kNow + 7200'000);
    return s;
  }

  std::string CodeOf(const JobSubmit& s) {
    auto r = service_.Submit(alice_, s);
    return r ? "OK" : r.error().code;
  }

  auth::Principal alice_{"1000000000000001", "", "LTAIalice"};
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  LiveCenter live_center_;
  JobService service_;
};

TEST_F(JobServiceTest, ImmediateJobRunsAtOnceAndResolvesLiveCenter) {
  auto id = service_.Submit(alice_, Submit());
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto view = service_.Get(alice_, *id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->job.status, store::JobStatus::kRunning);
  EXPECT_EQ(view->job.output_url, std::string("rtmp://origin:1935/live/cam_") + kSystem360);
  EXPECT_EQ(view->job.template_name, "system-h264-360p");
  ASSERT_EQ(view->events.size(), 1u);
  EXPECT_EQ(view->events[0].event, "submitted");
}

TEST_F(JobServiceTest, ARecordJobIsNotATranscodingJob) {
  ASSERT_TRUE(*store_.InsertFamilyTemplate(
      {"record", "r1", alice_.account_id, "rec", R"([{"Format":"flv"}])", 1, 1}, 0));
  store::JobRecord rec;
  rec.job_id = "0123456789abcdef0123456789abcdef";
  rec.account_id = alice_.account_id;
  rec.family = "record";
  rec.template_id = "r1";
  rec.status = store::JobStatus::kRunning;
  ASSERT_TRUE(store_.InsertJob(rec, {}).ok());
  // Every transcoding action answers as for a job that is not there, and leaves it be.
  EXPECT_EQ(service_.Get(alice_, rec.job_id).error().code, "ResourceNotFound");
  EXPECT_EQ(service_.Update(alice_, rec.job_id, {std::string("x"), {}, {}, {}}).error().code,
            "ResourceNotFound");
  EXPECT_EQ(service_.Stop(alice_, rec.job_id).error().code, "ResourceNotFound");
  EXPECT_EQ(service_.Delete(alice_, rec.job_id).error().code, "ResourceNotFound");
  EXPECT_EQ(service_.List(alice_, {})->total_count, 0);
  auto kept = store_.GetJob(alice_.account_id, rec.job_id);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->status, store::JobStatus::kRunning);
}

TEST_F(JobServiceTest, TimedConfigBoundaries) {
  auto timed = [&](const std::string& cfg) {
    auto s = Submit(store::StartMode::kTimed);
    s.timed_config = cfg;
    return CodeOf(s);
  };
  EXPECT_EQ(timed(Timed(kNow + 7 * kDay)), "OK");
  EXPECT_EQ(timed(Timed(kNow + 7 * kDay + 1000)), "InvalidParam.TimedConfig.StartTime");
  EXPECT_EQ(timed(Timed(kNow - 7 * kDay - 1000)), "InvalidParam.TimedConfig.StartTime");
  EXPECT_EQ(timed(Timed(kNow + 1000, kNow + 7 * kDay)), "OK");
  EXPECT_EQ(timed(Timed(kNow + 1000, kNow + 7 * kDay + 1000)), "InvalidParam.TimedConfig.EndTime");
  EXPECT_EQ(timed(Timed(kNow + 5000, kNow + 5000)), "InvalidParam.TimedConfig.EndTime");
  EXPECT_EQ(timed(Timed(kNow - 5000, kNow - 1000)), "InvalidParam.TimedConfig.EndTime");
  // JavaScript's toISOString() form, with milliseconds.
  EXPECT_EQ(timed(R"({"StartTime":"2027-01-15T09:00:00.123Z"})"), "OK");
  EXPECT_EQ(timed(R"({"StartTime":"2027-01-15T09:00:00.12Z"})"),
            "InvalidParam.TimedConfig.StartTime");
  EXPECT_EQ(timed(R"({"StartTime":5})"), "InvalidParam.TimedConfig.StartTime");
  EXPECT_EQ(timed(R"({"StartTime":"2027-01-15 09:00:00"})"), "InvalidParam.TimedConfig.StartTime");
  EXPECT_EQ(timed("[]"), "InvalidParam.TimedConfig");
}

TEST_F(JobServiceTest, TimedJobWithoutStartTimeStartsNowAndImmediateJobIgnoresTimedConfig) {
  auto s = Submit(store::StartMode::kTimed);
  s.timed_config = R"({"EndTime":"2027-01-15T09:00:00Z"})";
  auto id = service_.Submit(alice_, s);
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto view = service_.Get(alice_, *id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->job.start_time_ms, kNow);
  EXPECT_EQ(view->job.end_time_ms, kNow + 3600'000);

  s.timed_config.reset();
  id = service_.Submit(alice_, s);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(service_.Get(alice_, *id)->job.start_time_ms, kNow);

  s = Submit(store::StartMode::kNow);
  s.timed_config = Timed(kNow + 1000);
  id = service_.Submit(alice_, s);
  ASSERT_TRUE(id.ok()) << id.error().message;
  view = service_.Get(alice_, *id);
  EXPECT_EQ(view->job.status, store::JobStatus::kRunning);
  EXPECT_EQ(view->job.start_time_ms, 0);
}

TEST_F(JobServiceTest, InputsAndOutputsAreWhitelisted) {
  auto with_input = [&](const std::string& in) {
    auto s = Submit();
    s.stream_input = in;
    s.transcode_output = R"({"Type":"rtmp","OutputUrl":"rtmp://origin/live/out"})";
    return CodeOf(s);
  };
  EXPECT_EQ(with_input(R"({"Type":"rtmp","InputUrl":"rtmp://h/a/b"})"), "OK");
  EXPECT_EQ(with_input(R"({"Type":"srt","InputUrl":"srt://h:9000?streamid=x"})"), "OK");
  EXPECT_EQ(with_input(R"({"Type":"hls","InputUrl":"https://h/a/b.m3u8"})"), "OK");
  EXPECT_EQ(with_input(R"({"Type":"hls","InputUrl":"https://h/a/b.mp4"})"),
            "InvalidParam.StreamInput.InputUrl");
  for (const char* bad : {"file:///etc/passwd", "rtmp:///a/b", "concat:rtmp://h/a|rtmp://h/b",
                          "srt://h:9000", "rtmp://h/a b", "http://h/a.m3u8"}) {
    EXPECT_EQ(with_input(std::string(R"({"Type":"rtmp","InputUrl":")") + bad + "\"}"),
              "InvalidParam.StreamInput.InputUrl")
        << bad;
  }
  EXPECT_EQ(with_input(R"({"Type":"rtsp","InputUrl":"rtsp://h/a"})"),
            "InvalidParam.StreamInput.Type");
  EXPECT_EQ(with_input(R"({"InputUrl":"rtmp://h/a/b"})"), "MissingParameter");
  auto s = Submit();
  s.transcode_output = R"({"Type":"rtmp","OutputUrl":"file:///tmp/x.flv"})";
  EXPECT_EQ(CodeOf(s), "InvalidParam.TranscodeOutput.OutputUrl");
  s.transcode_output = R"({"Type":"LiveCenter","DomainName":"nowhere"})";
  EXPECT_EQ(CodeOf(s), "InvalidParam.TranscodeOutput.DomainName");
  s.transcode_output = R"({"Type":"LiveCenter"})";  // the account's only domain
  EXPECT_EQ(CodeOf(s), "OK");
}

TEST_F(JobServiceTest, ABackupInputFollowsTheInputsRulesAndIsKept) {
  auto with_backup = [&](const std::string& backup_json) {
    auto s = Submit();
    s.stream_input =
        R"({"Type":"rtmp","InputUrl":"rtmp://h/a/b","BackupInputUrl":)" + backup_json + "}";
    return CodeOf(s);
  };
  EXPECT_EQ(with_backup(R"("")"), "OK");
  EXPECT_EQ(with_backup("null"), "OK");
  for (const char* bad : {"file:///etc/passwd", "srt://h:9000?streamid=x", "rtmp://h/a b",
                          "concat:rtmp://h/a|rtmp://h/b", "rtmp://h/a/b"}) {
    EXPECT_EQ(with_backup(std::string("\"") + bad + "\""),
              "InvalidParam.StreamInput.BackupInputUrl")
        << bad;
  }
  EXPECT_EQ(with_backup("7"), "InvalidParam.StreamInput.BackupInputUrl");
  auto s = Submit();
  s.stream_input = R"({"Type":"rtmp","InputUrl":"rtmp://h/a/b","BackupInputUrl":"rtmp://k/a/c"})";
  auto id = service_.Submit(alice_, s);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(service_.Get(alice_, *id)->job.backup_input_url, "rtmp://k/a/c");
}

TEST_F(JobServiceTest, WhatEachKindOfJobMayChangeAndWhen) {
  auto now_id = *service_.Submit(alice_, Submit(store::StartMode::kNow));
  const std::string in = R"({"Type":"rtmp","InputUrl":"rtmp://in.example/live/other"})";
  EXPECT_TRUE(service_.Update(alice_, now_id, {"renamed", {}, {}, {}}).ok());
  auto r = service_.Update(alice_, now_id, {{}, in, {}, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.StartMode");

  auto timed_id = *service_.Submit(alice_, Submit(store::StartMode::kTimed));
  ASSERT_TRUE(service_.Update(alice_, timed_id, {{}, in, {}, Timed(kNow + 60'000)}).ok());
  auto view = service_.Get(alice_, timed_id);
  EXPECT_EQ(view->job.output_url, std::string("rtmp://origin:1935/live/other_") + kSystem360);
  EXPECT_EQ(view->job.start_time_ms, kNow + 60'000);
  EXPECT_EQ(view->job.end_time_ms, 0);
  // Once stopped (or started) only the Name may change.
  ASSERT_TRUE(service_.Stop(alice_, timed_id).ok());
  r = service_.Update(alice_, timed_id, {{}, in, {}, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.JobStatus");
  EXPECT_TRUE(service_.Update(alice_, timed_id, {"still-renamable", {}, {}, {}}).ok());
  EXPECT_EQ(service_.Get(alice_, timed_id)->job.status, store::JobStatus::kStopped);
  // Stop is idempotent; Delete removes; another account sees nothing.
  EXPECT_TRUE(service_.Stop(alice_, timed_id).ok());
  auth::Principal bob{"1000000000000002", "", "LTAIbob"};
  EXPECT_EQ(service_.Stop(bob, now_id).error().code, "ResourceNotFound");
  EXPECT_EQ(service_.Delete(bob, now_id).error().code, "ResourceNotFound");
  EXPECT_TRUE(service_.Delete(alice_, now_id).ok());
  EXPECT_EQ(service_.Get(alice_, now_id).error().code, "ResourceNotFound");
  EXPECT_EQ(service_.Get(alice_, "not-an-id").error().code, "ResourceNotFound");
}

TEST_F(JobServiceTest, JobsThatAreNotStoppedAreLimitedPerAccountAndPerNode) {
  JobService limited(store_, live_center_, nullptr, [] { return kNow; }, {2, 3});
  ASSERT_TRUE(limited.Submit(alice_, Submit()).ok());
  auto second = limited.Submit(alice_, Submit());
  ASSERT_TRUE(second.ok());
  auto refused = limited.Submit(alice_, Submit());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "QuotaExceeded.Jobs");
  EXPECT_EQ(refused.error().http_status, 403);
  EXPECT_NE(refused.error().message.find("at most 2"), std::string::npos);
  auth::Principal bob{"1000000000000002", "", "LTAIbob"};
  auto bobs = Submit();
  bobs.transcode_output = R"({"Type":"rtmp","OutputUrl":"rtmp://origin/live/bob"})";
  auto first = limited.Submit(bob, bobs);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto full = limited.Submit(bob, bobs);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, "QuotaExceeded.NodeJobs");
  // Stopping one makes room.
  ASSERT_TRUE(limited.Stop(alice_, *second).ok());
  EXPECT_TRUE(limited.Submit(alice_, Submit()).ok());
}

TEST_F(JobServiceTest, StoredJobsAreLimitedPerAccountStoppedOnesToo) {
  JobService limited(store_, live_center_, nullptr, [] { return kNow; }, {0, 0, 2});
  auto first = limited.Submit(alice_, Submit());
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(limited.Stop(alice_, *first).ok());
  ASSERT_TRUE(limited.Submit(alice_, Submit()).ok());
  auto refused = limited.Submit(alice_, Submit());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "QuotaExceeded.StoredJobs");
  EXPECT_EQ(refused.error().http_status, 403);
  EXPECT_NE(refused.error().message.find("at most 2"), std::string::npos);
  // Deleting one makes room.
  ASSERT_TRUE(limited.Delete(alice_, *first).ok());
  EXPECT_TRUE(limited.Submit(alice_, Submit()).ok());
}

TEST_F(JobServiceTest, AStoppedJobKnowsWhenItStopped) {
  auto id = service_.Submit(alice_, Submit());
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(service_.Get(alice_, *id)->job.stop_time_ms, 0);
  ASSERT_TRUE(service_.Stop(alice_, *id).ok());
  EXPECT_EQ(service_.Get(alice_, *id)->job.stop_time_ms, kNow);  // the service's clock
}

TEST_F(JobServiceTest, AnotherAccountsDomainIsRefusedAsAnUnmappedOne) {
  auth::Principal bob{"1000000000000002", "", "LTAIbob"};
  auto r = service_.Submit(bob, Submit());  // live.example is alice's
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.TranscodeOutput.DomainName");
  ASSERT_TRUE(store_.AddDomain({"bob.example", bob.account_id, "rtmp://origin-b:1935", 0}).ok());
  auto s = Submit();
  s.transcode_output = R"({"Type":"LiveCenter","DomainName":"bob.example"})";
  auto id = service_.Submit(bob, s);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(service_.Get(bob, *id)->job.output_url,
            std::string("rtmp://origin-b:1935/live/cam_") + kSystem360);
}

// The whole Command was echoed back: a 100 KB one made a 100 KB message.
TEST_F(JobServiceTest, AnUnknownCommandIsEchoedOnlyInAnExcerpt) {
  ActionTable table;
  AddJobActions(table, service_);
  auto r = table.at("SendLiveTranscodeJobCommand")(ActionContext{
      alice_, Params({{"JobId", "j"}, {"Command", std::string(100'000, 'x')}}), "req"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.Command");
  EXPECT_LT(r.error().message.size(), 300u);
}

}  // namespace
}  // namespace floe::ice
