// Record jobs through their actions (the handlers as the gateway calls them), on a real SQLite
// store: what a submit must name (this account's bucket, its endpoint, an rtmp input), the
// family kept apart from transcoding, the job's copy of its template, the file catalogue's
// answers (strings where the SDK models say so, the window and page rules) and the deletion of
// files with their segments.
#include "ice/record_jobs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/time.h"
#include "ice/record_templates.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

namespace fs = std::filesystem;

class RecordJobsTest : public ::testing::Test {
 protected:
  RecordJobsTest()
      : store_(dir_.File("floe.db")),
        templates_(RecordTemplates(store_, 0)),
        service_(store_, nullptr, {}),
        links_("key", store_) {
    AddRecordTemplateActions(actions_, templates_);
    AddRecordJobActions(actions_, service_, links_);
    bucket_dir_ = dir_.File("bucket");
    fs::create_directories(bucket_dir_);
    EXPECT_TRUE(*store_.AddBucket({"rec-a", alice_.account_id, "oss.example", bucket_dir_, 1}));
    EXPECT_TRUE(*store_.AddBucket({"rec-b", bob_.account_id, "", dir_.File("b"), 1}));
    auto t = Call(
        "CreateLiveRecordTemplate",
        {{"Name", "t"},
         {"RecordFormat",
          R"([{"Format":"m3u8","SliceDuration":5,)"
          R"("OssObjectPrefix":"record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}",)"
          R"("SliceOssObjectPrefix":"record/{JobId}/{UnixTimestamp}_{Sequence}"},)"
          R"({"Format":"mp4"}])"}});
    EXPECT_TRUE(t) << CodeOf(t);
    template_id_ = t ? (*t)["TemplateId"].get<std::string>() : "";
  }

  core::Result<Json> Call(const std::string& action, std::map<std::string, std::string> params,
                          const auth::Principal* who = nullptr) {
    return actions_.at(action)(
        ActionContext{who ? *who : alice_, Params(std::move(params)), "req", "floe.test:8080"});
  }

  std::map<std::string, std::string> Submit(const std::string& output) {
    return {{"Name", "cam"},
            {"TemplateId", template_id_},
            {"StreamInput", R"({"Type":"rtmp","Url":"rtmp://127.0.0.1/live/cam"})"},
            {"RecordOutput", output}};
  }

  static std::string CodeOf(const core::Result<Json>& r) {
    return r ? "OK" : r.error().code + " " + r.error().message;
  }

  store::RecordFileRecord File(const std::string& id, const std::string& job,
                               const std::string& format, const std::string& object,
                               int64_t start_ms) {
    store::RecordFileRecord f;
    f.record_id = id;
    f.account_id = alice_.account_id;
    f.job_id = job;
    f.job_name = "cam";
    f.format = format;
    f.bucket = "rec-a";
    f.object = object;
    f.output_json = R"({"Type":"oss","Bucket":"rec-a","Endpoint":"oss.example"})";
    f.stream_url = "rtmp://127.0.0.1/live/cam";
    f.start_time_ms = start_ms;
    f.end_time_ms = start_ms + 10'000;
    f.create_time_ms = start_ms + 11'000;
    f.duration_ms = 9'960;
    f.size_bytes = 1234;
    f.width = 320;
    f.height = 240;
    return f;
  }

  auth::Principal alice_{"1000000000000001", "", "LTAIalice"};
  auth::Principal bob_{"2000000000000002", "", "LTAIbob"};
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  FamilyTemplateService templates_;
  RecordJobService service_;
  BucketLinks links_;
  ActionTable actions_;
  std::string bucket_dir_;
  std::string template_id_;
};

TEST_F(RecordJobsTest, ASubmittedJobIsShownInTheRecordFamilysShapes) {
  auto r = Call("SubmitLiveRecordJob",
                Submit(R"({"Type":"oss","Bucket":"rec-a","Endpoint":"oss.example"})"));
  ASSERT_TRUE(r) << CodeOf(r);
  std::string id = (*r)["JobId"];
  auto got = Call("GetLiveRecordJob", {{"JobId", id}});
  ASSERT_TRUE(got) << CodeOf(got);
  const Json& job = (*got)["RecordJob"];
  EXPECT_EQ(job["JobId"], id);
  EXPECT_EQ(job["Name"], "cam");
  EXPECT_EQ(job["Status"], "started");
  EXPECT_EQ(job["TemplateId"], template_id_);
  EXPECT_EQ(job["TemplateName"], "t");
  EXPECT_EQ(job["StreamInput"],
            Json::parse(R"({"Type":"rtmp","Url":"rtmp://127.0.0.1/live/cam"})"));
  EXPECT_EQ(job["RecordOutput"],
            Json::parse(R"({"Type":"oss","Bucket":"rec-a","Endpoint":"oss.example"})"));
  EXPECT_EQ(job["Events"].at(0)["Event"], "submitted");
  // The bucket's Endpoint is filled in when the job names none.
  auto r2 = Call("SubmitLiveRecordJob", Submit(R"({"Type":"oss","Bucket":"rec-a"})"));
  ASSERT_TRUE(r2) << CodeOf(r2);
  auto got2 = Call("GetLiveRecordJob", {{"JobId", (*r2)["JobId"]}});
  EXPECT_EQ((*got2)["RecordJob"]["RecordOutput"]["Endpoint"], "oss.example");
  // The job runs into the bucket's directory.
  auto stored = store_.GetJob(alice_.account_id, id);
  EXPECT_EQ((*stored)->output_url, bucket_dir_);
  EXPECT_EQ((*stored)->family, "record");

  auto list = Call("ListLiveRecordJobs", {{"PageSize", "1"}, {"SortBy", "asc"}});
  ASSERT_TRUE(list) << CodeOf(list);
  EXPECT_EQ((*list)["TotalCount"], 2);
  EXPECT_EQ((*list)["PageNo"], 1);
  EXPECT_EQ((*list)["PageSize"], 1);
  EXPECT_EQ((*list)["SortBy"], "asc");
  EXPECT_EQ((*list)["LiveRecordJobs"].at(0)["JobId"], id);
  EXPECT_EQ(CodeOf(Call("ListLiveRecordJobs", {{"Status", "initial"}})), "OK");
  EXPECT_EQ((*Call("ListLiveRecordJobs", {{"Status", "initial"}}))["TotalCount"], 0);
  EXPECT_EQ((*Call("ListLiveRecordJobs", {{"Status", "started"}}))["TotalCount"], 2);
  EXPECT_EQ(Call("ListLiveRecordJobs", {{"Status", "running"}}).error().code,
            "InvalidParam.Status");
  EXPECT_EQ(Call("ListLiveRecordJobs",
                 {{"StartTime", "2026-01-01T00:00:00Z"}, {"EndTime", "2026-03-01T00:00:00Z"}})
                .error()
                .code,
            "InvalidParam.EndTime");  // more than 30 days

  // The job's copy of its template outlives a change of the template.
  ASSERT_TRUE(Call(
      "UpdateLiveRecordTemplate",
      {{"TemplateId", template_id_}, {"Name", "t2"}, {"RecordFormat", R"([{"Format":"flv"}])"}}));
  auto copy = Call("GetLiveRecordTemplate", {{"TemplateId", template_id_}, {"JobId", id}});
  ASSERT_TRUE(copy) << CodeOf(copy);
  EXPECT_EQ((*copy)["RecordTemplate"]["Name"], "t");
  EXPECT_EQ((*copy)["RecordTemplate"]["RecordFormatList"].size(), 2u);
  auto now = Call("GetLiveRecordTemplate", {{"TemplateId", template_id_}});
  EXPECT_EQ((*now)["RecordTemplate"]["Name"], "t2");
  EXPECT_EQ(Call("GetLiveRecordTemplate",
                 {{"TemplateId", "0123456789abcdef0123456789abcdef"}, {"JobId", id}})
                .error()
                .code,
            "TemplateNotFound");
}

TEST_F(RecordJobsTest, ASubmitNamesThisAccountsBucketAndAnRtmpInput) {
  auto code = [&](const std::string& output, const auth::Principal* who = nullptr) {
    auto r = Call("SubmitLiveRecordJob", Submit(output), who);
    return r ? std::string("OK") : r.error().code + " " + r.error().message;
  };
  // Another account's bucket reads as a missing one.
  std::string other = code(R"({"Type":"oss","Bucket":"rec-b"})");
  std::string missing = code(R"({"Type":"oss","Bucket":"rec-z"})");
  EXPECT_EQ(other.rfind("InvalidParam", 0), 0u) << other;
  EXPECT_EQ(other.substr(other.find(" is not")), missing.substr(missing.find(" is not")));
  EXPECT_NE(code(R"({"Type":"oss","Bucket":"rec-a","Endpoint":"oss.other"})")
                .find("RecordOutput.Endpoint"),
            std::string::npos);
  EXPECT_NE(code(R"({"Type":"vod","Bucket":"rec-a"})").find("RecordOutput.Type"),
            std::string::npos);
  EXPECT_NE(code(R"({"Type":"oss"})").find("RecordOutput.Bucket"), std::string::npos);
  EXPECT_NE(code("not json").find("RecordOutput"), std::string::npos);
  // Bob's template is not Alice's; a transcoding job's id is not a record job.
  auto s = Submit(R"({"Type":"oss","Bucket":"rec-b"})");
  auto bob = Call("SubmitLiveRecordJob", s, &bob_);
  EXPECT_EQ(bob.error().code, "TemplateNotFound");
  auto in = Submit(R"({"Type":"oss","Bucket":"rec-a"})");
  in["StreamInput"] = R"({"Type":"rtmp","InputUrl":"rtmp://127.0.0.1/live/cam"})";
  EXPECT_NE(CodeOf(Call("SubmitLiveRecordJob", in)).find("StreamInput.Url"), std::string::npos);
  in["StreamInput"] = R"({"Type":"rtmp","Url":"file:///etc/passwd"})";
  EXPECT_NE(CodeOf(Call("SubmitLiveRecordJob", in)).find("StreamInput.Url"), std::string::npos);
  auto notify = Submit(R"({"Type":"oss","Bucket":"rec-a"})");
  notify["NotifyUrl"] = "ftp://example.com/x";
  EXPECT_NE(CodeOf(Call("SubmitLiveRecordJob", notify)).find("NotifyUrl"), std::string::npos);

  store::JobRecord transcode;
  transcode.job_id = "0123456789abcdef0123456789abcdef";
  transcode.account_id = alice_.account_id;
  transcode.template_id = "00000000000000000000000000000360";
  transcode.status = store::JobStatus::kRunning;
  ASSERT_TRUE(store_.InsertJob(transcode, {}).ok());
  EXPECT_EQ(Call("GetLiveRecordJob", {{"JobId", transcode.job_id}}).error().code,
            "ResourceNotFound");
  EXPECT_EQ((*Call("ListLiveRecordJobs", {}))["TotalCount"], 0);
}

TEST_F(RecordJobsTest, FilesAreListedWithTheSdksTypesAndDeletedWithTheirSegments) {
  const int64_t t0 = core::NowMillis() - 3'600'000;
  // A playlist and its two segments in the bucket, and an mp4.
  fs::create_directories(fs::path(bucket_dir_) / "record/j1");
  std::ofstream(fs::path(bucket_dir_) / "record/j1/a.m3u8")
      << "#EXTM3U\n#EXTINF:5,\n1_1.ts\n#EXTINF:5,\n1_2.ts\n#EXTINF:5,\n../../../escape.ts\n"
         "#EXT-X-ENDLIST\n";
  std::ofstream(fs::path(bucket_dir_) / "record/j1/1_1.ts") << "ts";
  std::ofstream(fs::path(bucket_dir_) / "record/j1/1_2.ts") << "ts";
  std::ofstream(fs::path(dir_.path()) / "escape.ts") << "not the bucket's";
  std::ofstream(fs::path(bucket_dir_) / "record/j1/b.mp4") << "mp4";
  const std::string m3u8_id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  const std::string mp4_id = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  ASSERT_TRUE(*store_.InsertRecordFile(File(m3u8_id, "j1", "m3u8", "record/j1/a.m3u8", t0)));
  ASSERT_TRUE(*store_.InsertRecordFile(File(mp4_id, "j1", "mp4", "record/j1/b.mp4", t0 + 1)));

  auto list = Call("ListLiveRecordFiles", {{"PageSize", "5"}});
  ASSERT_TRUE(list) << CodeOf(list);
  EXPECT_EQ((*list)["PageNo"], 1);
  EXPECT_EQ((*list)["PageSize"], "5");    // a string
  EXPECT_EQ((*list)["TotalCount"], "2");  // a string
  EXPECT_EQ((*list)["SortBy"], "asc");
  const Json& first = (*list)["Files"].at(0);
  EXPECT_EQ(first["RecordId"], m3u8_id);
  EXPECT_EQ(first["Format"], "m3u8");
  EXPECT_TRUE(first["RecordOutput"].is_string());
  EXPECT_EQ(Json::parse(first["RecordOutput"].get<std::string>())["Bucket"], "rec-a");
  EXPECT_DOUBLE_EQ(first["Duration"].get<double>(), 9.96);
  EXPECT_EQ(first["Width"], 320);
  std::string url = first["RecordUrl"];
  EXPECT_EQ(url.rfind("http://floe.test:8080/files/rec-a/", 0), 0u) << url;
  auto target = links_.Resolve(url.substr(std::string("http://floe.test:8080").size()));
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->object, "record/j1/a.m3u8");
  // A playlist's link reaches its segments by their relative URIs (the folder holding them),
  // nothing outside it; an mp4's link reaches the mp4 alone.
  std::string path = url.substr(std::string("http://floe.test:8080").size());
  std::string folder = path.substr(0, path.rfind('/') + 1);
  EXPECT_TRUE(links_.Resolve(folder + "1_1.ts"));
  std::string signed_root = path.substr(0, path.find("/record/") + 1);
  EXPECT_FALSE(links_.Resolve(signed_root + "other/x.ts"));
  std::string mp4 = (*list)["Files"].at(1)["RecordUrl"].get<std::string>();
  mp4 = mp4.substr(std::string("http://floe.test:8080").size());
  EXPECT_TRUE(links_.Resolve(mp4));
  EXPECT_FALSE(links_.Resolve(mp4.substr(0, mp4.rfind('/') + 1) + "a.m3u8"));
  // Filters and rules: format, job, the window (4 days at most), page size 5-30.
  EXPECT_EQ((*Call("ListLiveRecordFiles", {{"RecordFormat", "mp4"}}))["TotalCount"], "1");
  EXPECT_EQ((*Call("ListLiveRecordFiles", {{"JobIds.1", "j2"}}))["TotalCount"], "0");
  EXPECT_EQ((*Call("ListLiveRecordFiles", {{"SortBy", "desc"}}))["Files"].at(0)["RecordId"],
            mp4_id);
  EXPECT_EQ(Call("ListLiveRecordFiles", {{"PageSize", "4"}}).error().code, "InvalidParam.PageSize");
  EXPECT_EQ(Call("ListLiveRecordFiles", {{"PageSize", "31"}}).error().code,
            "InvalidParam.PageSize");
  EXPECT_EQ(Call("ListLiveRecordFiles",
                 {{"StartTime", "2026-01-01T00:00:00Z"}, {"EndTime", "2026-01-06T00:00:00Z"}})
                .error()
                .code,
            "InvalidParam.EndTime");
  EXPECT_EQ((*Call("ListLiveRecordFiles", {}, &bob_))["TotalCount"], "0");
  // The bucket given to another account for a while: the files are listed, with no link into it.
  ASSERT_TRUE(*store_.DeleteBucket("rec-a"));
  ASSERT_TRUE(*store_.AddBucket({"rec-a", bob_.account_id, "oss.example", bucket_dir_, 2}));
  auto relisted = Call("ListLiveRecordFiles", {});
  ASSERT_TRUE(relisted) << CodeOf(relisted);
  ASSERT_EQ((*relisted)["Files"].size(), 2u);
  for (const auto& f : (*relisted)["Files"]) EXPECT_EQ(f["RecordUrl"], "");
  ASSERT_TRUE(*store_.DeleteBucket("rec-a"));
  ASSERT_TRUE(*store_.AddBucket({"rec-a", alice_.account_id, "oss.example", bucket_dir_, 3}));

  // Bob cannot delete Alice's file; Alice deletes hers with its segments, never outside.
  auto bob =
      Call("DeleteLiveRecordFiles", {{"RecordIds.1", m3u8_id}, {"RemoveFile", "true"}}, &bob_);
  ASSERT_TRUE(bob) << CodeOf(bob);
  EXPECT_EQ((*bob)["DeleteFileInfoList"].at(0)["Code"], "FileNotFound");
  EXPECT_TRUE(fs::exists(fs::path(bucket_dir_) / "record/j1/a.m3u8"));
  auto del = Call("DeleteLiveRecordFiles", {{"RecordIds.1", m3u8_id},
                                            {"RecordIds.2", "cccccccccccccccccccccccccccccccc"},
                                            {"RemoveFile", "true"}});
  ASSERT_TRUE(del) << CodeOf(del);
  EXPECT_EQ((*del)["Message"], "OK");
  EXPECT_EQ((*del)["DeleteFileInfoList"].at(0)["Code"], "OK");
  EXPECT_EQ((*del)["DeleteFileInfoList"].at(1)["Code"], "FileNotFound");
  EXPECT_FALSE(fs::exists(fs::path(bucket_dir_) / "record/j1/a.m3u8"));
  EXPECT_FALSE(fs::exists(fs::path(bucket_dir_) / "record/j1/1_1.ts"));
  EXPECT_FALSE(fs::exists(fs::path(bucket_dir_) / "record/j1/1_2.ts"));
  EXPECT_TRUE(fs::exists(fs::path(dir_.path()) / "escape.ts"));
  // Without RemoveFile the file stays in the bucket, out of the catalogue.
  ASSERT_TRUE(Call("DeleteLiveRecordFiles", {{"RecordIds.1", mp4_id}}));
  EXPECT_TRUE(fs::exists(fs::path(bucket_dir_) / "record/j1/b.mp4"));
  EXPECT_EQ((*Call("ListLiveRecordFiles", {}))["TotalCount"], "0");
  EXPECT_EQ(Call("DeleteLiveRecordFiles", {}).error().code, "MissingParameter");
}

}  // namespace
}  // namespace floe::ice
