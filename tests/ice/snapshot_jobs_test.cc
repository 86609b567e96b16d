// Snapshot jobs through their actions (the handlers as the gateway calls them), on a real SQLite
// store: the family's flat shapes and names, what a submit must name, the job's copy of its
// template, the commands and their codes, and the catalogue of pictures: cursor pages that never
// repeat or drop a picture, overwrite pictures kept, deletes with the original file.
#include "ice/snapshot_jobs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/time.h"
#include "ice/snapshot_templates.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

namespace fs = std::filesystem;

class SnapshotJobsTest : public ::testing::Test {
 protected:
  SnapshotJobsTest()
      : store_(dir_.File("floe.db")),
        templates_(SnapshotTemplates(store_, 0)),
        service_(store_, nullptr, {}),
        links_("key", store_) {
    AddSnapshotTemplateActions(actions_, templates_);
    AddSnapshotJobActions(actions_, service_, links_);
    bucket_dir_ = dir_.File("bucket");
    fs::create_directories(bucket_dir_);
    EXPECT_TRUE(*store_.AddBucket({"snap-a", alice_.account_id, "oss.example", bucket_dir_, 1}));
    EXPECT_TRUE(*store_.AddBucket({"snap-n", alice_.account_id, "", dir_.File("n"), 1}));
    EXPECT_TRUE(*store_.AddBucket({"snap-b", bob_.account_id, "", dir_.File("b"), 1}));
    auto t = Call("CreateLiveSnapshotTemplate",
                  {{"TemplateName", "thumbs"},
                   {"TimeInterval", "5"},
                   {"OverwriteFormat", "snapshot/{JobId}.jpg"},
                   {"SequenceFormat", "snapshot/{JobId}/{UnixTimestamp}.jpg"}});
    EXPECT_TRUE(t) << CodeOf(t);
    template_id_ = t ? (*t)["TemplateId"].get<std::string>() : "";
  }

  core::Result<Json> Call(const std::string& action, std::map<std::string, std::string> params,
                          const auth::Principal* who = nullptr) {
    return actions_.at(action)(
        ActionContext{who ? *who : alice_, Params(std::move(params)), "req", "floe.test:8080"});
  }

  std::map<std::string, std::string> Submit(const std::string& output) {
    return {{"JobName", "cam"},
            {"TemplateId", template_id_},
            {"StreamInput", R"({"Type":"rtmp","Url":"rtmp://127.0.0.1/live/cam"})"},
            {"SnapshotOutput", output}};
  }

  std::string SubmitOne() {
    auto r = Call("SubmitLiveSnapshotJob",
                  Submit(R"({"StorageType":"oss","Bucket":"snap-a","Endpoint":"oss.example"})"));
    EXPECT_TRUE(r) << CodeOf(r);
    return r ? (*r)["JobId"].get<std::string>() : "";
  }

  static std::string CodeOf(const core::Result<Json>& r) {
    return r ? "OK" : r.error().code + " " + r.error().message;
  }

  store::SnapshotFileRecord Shot(const std::string& job, int64_t ms, bool overlay = false) {
    store::SnapshotFileRecord f;
    f.account_id = alice_.account_id;
    f.job_id = job;
    f.create_time_ms = ms;
    f.overlay = overlay;
    f.bucket = "snap-a";
    f.endpoint = "oss.example";
    f.object = overlay ? "snapshot/" + job + ".jpg"
                       : "snapshot/" + job + "/" + std::to_string(ms) + ".jpg";
    f.size_bytes = 1000;
    f.width = 320;
    f.height = 240;
    return f;
  }

  auth::Principal alice_{"1000000000000001", "", "LTAIalice"};
  auth::Principal bob_{"2000000000000002", "", "LTAIbob"};
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  FamilyTemplateService templates_;
  SnapshotJobService service_;
  BucketLinks links_;
  ActionTable actions_;
  std::string bucket_dir_;
  std::string template_id_;
};

TEST_F(SnapshotJobsTest, ASubmittedJobIsShownFlatInTheSnapshotFamilysNames) {
  auto submit = Submit(R"({"StorageType":"oss","Bucket":"snap-a"})");
  submit["CallbackUrl"] = "https://hooks.example.com/snap";
  auto r = Call("SubmitLiveSnapshotJob", submit);
  ASSERT_TRUE(r) << CodeOf(r);
  std::string id = (*r)["JobId"];
  // The template changes after the submit: the job keeps what it was.
  ASSERT_TRUE(Call("UpdateLiveSnapshotTemplate", {{"TemplateId", template_id_},
                                                  {"TemplateName", "renamed"},
                                                  {"TimeInterval", "60"},
                                                  {"OverwriteFormat", "o/{JobId}.jpg"}}));
  auto got = Call("GetLiveSnapshotJob", {{"JobId", id}});
  ASSERT_TRUE(got) << CodeOf(got);
  const Json& j = *got;  // flat: no wrapping object
  EXPECT_EQ(j["JobId"], id);
  EXPECT_EQ(j["JobName"], "cam");
  EXPECT_EQ(j["Status"], "started");
  EXPECT_EQ(j["TemplateId"], template_id_);
  EXPECT_EQ(j["TemplateName"], "thumbs");
  EXPECT_EQ(j["TimeInterval"], 5);
  EXPECT_EQ(j["OverwriteFormat"], "snapshot/{JobId}.jpg");
  EXPECT_EQ(j["SequenceFormat"], "snapshot/{JobId}/{UnixTimestamp}.jpg");
  EXPECT_EQ(j["CallbackUrl"], "https://hooks.example.com/snap");
  EXPECT_EQ(j["StreamInput"], (Json{{"Type", "rtmp"}, {"Url", "rtmp://127.0.0.1/live/cam"}}));
  // The bucket's endpoint filled in.
  EXPECT_EQ(j["SnapshotOutput"],
            (Json{{"StorageType", "oss"}, {"Bucket", "snap-a"}, {"Endpoint", "oss.example"}}));
  EXPECT_TRUE(core::ParseUtc(j["CreateTime"].get<std::string>()).has_value());
  EXPECT_TRUE(core::ParseUtc(j["LastModified"].get<std::string>()).has_value());
  EXPECT_EQ(j["Events"][0]["Event"], "submitted");

  auto list = Call("ListLiveSnapshotJobs", {{"SearchKeyWord", "ca"}, {"Status", "started"}});
  ASSERT_TRUE(list) << CodeOf(list);
  EXPECT_EQ((*list)["TotalCount"], 1);
  EXPECT_EQ((*list)["PageSize"], 10);
  EXPECT_EQ((*list)["SortBy"], "desc");
  const Json& item = (*list)["JobList"][0];
  EXPECT_EQ(item["JobId"], id);
  EXPECT_EQ(item["TimeInterval"], 5);
  EXPECT_FALSE(item.contains("StreamInput"));  // list items have none
  EXPECT_FALSE(item.contains("CallbackUrl"));
  EXPECT_EQ((*Call("ListLiveSnapshotJobs", {{"Status", "paused"}}))["TotalCount"], 0);
  EXPECT_EQ((*Call("ListLiveSnapshotJobs", {}, &bob_))["TotalCount"], 0);
  // The family's own codes for times.
  EXPECT_EQ(Call("ListLiveSnapshotJobs", {{"StartTime", "yesterday"}}).error().code,
            "MalformedStartTime");
  EXPECT_EQ(Call("ListLiveSnapshotJobs", {{"EndTime", "2026-13-01T00:00:00Z"}}).error().code,
            "MalformedEndTime");
  EXPECT_EQ(Call("ListLiveSnapshotJobs",
                 {{"StartTime", "2026-10-01T00:00:00Z"}, {"EndTime", "2026-11-02T00:00:00Z"}})
                .error()
                .code,
            "EndTimeMismatch");
  // Created before the default window (the last 7 days): not listed without a window.
  EXPECT_EQ((*Call("ListLiveSnapshotJobs", {{"StartTime", "2026-10-01T00:00:00Z"},
                                            {"EndTime", "2026-10-02T00:00:00Z"}}))["TotalCount"],
            0);
}

TEST_F(SnapshotJobsTest, ASubmitNamesThisAccountsBucketAndAWebCallback) {
  auto code = [&](const std::string& output, const auth::Principal* who = nullptr) {
    auto r = Call("SubmitLiveSnapshotJob", Submit(output), who);
    return r ? std::string("OK") : r.error().code + " " + r.error().message;
  };
  std::string other = code(R"({"StorageType":"oss","Bucket":"snap-b"})");
  std::string missing = code(R"({"StorageType":"oss","Bucket":"snap-z"})");
  EXPECT_NE(other.find("SnapshotOutput.Bucket"), std::string::npos) << other;
  EXPECT_EQ(other.substr(other.find(" is not")), missing.substr(missing.find(" is not")));
  EXPECT_NE(code(R"({"StorageType":"oss","Bucket":"snap-a","Endpoint":"oss.other"})")
                .find("SnapshotOutput.Endpoint"),
            std::string::npos);
  EXPECT_NE(code(R"({"Type":"oss","Bucket":"snap-a"})").find("SnapshotOutput.StorageType"),
            std::string::npos);
  // A bucket without an endpoint keeps the job's, if it is a host name of bounded length.
  EXPECT_EQ(
      code(R"({"StorageType":"oss","Bucket":"snap-n","Endpoint":"oss-cn-shanghai.aliyuncs.com"})"),
      "OK");
  EXPECT_NE(code(R"({"StorageType":"oss","Bucket":"snap-n","Endpoint":"a/b"})")
                .find("SnapshotOutput.Endpoint"),
            std::string::npos);
  EXPECT_NE(
      code(R"({"StorageType":"oss","Bucket":"snap-n","Endpoint":")" + std::string(129, 'e') + "\"}")
          .find("SnapshotOutput.Endpoint"),
      std::string::npos);
  auto hook = Submit(R"({"StorageType":"oss","Bucket":"snap-a"})");
  hook["CallbackUrl"] = "https://example.com/" + std::string(240, 'x');
  EXPECT_NE(CodeOf(Call("SubmitLiveSnapshotJob", hook)).find("CallbackUrl"), std::string::npos);
  hook["CallbackUrl"] = "javascript:alert(1)";
  EXPECT_NE(CodeOf(Call("SubmitLiveSnapshotJob", hook)).find("CallbackUrl"), std::string::npos);
  auto name = Submit(R"({"StorageType":"oss","Bucket":"snap-a"})");
  name.erase("JobName");
  EXPECT_EQ(Call("SubmitLiveSnapshotJob", name).error().code, "MissingParameter");
  // Bob's template is not Alice's.
  EXPECT_EQ(
      Call("SubmitLiveSnapshotJob", Submit(R"({"StorageType":"oss","Bucket":"snap-b"})"), &bob_)
          .error()
          .code,
      "TemplateNotFound");
  // A record job's id is no snapshot job.
  store::JobRecord record;
  record.family = "record";
  record.job_id = "0123456789abcdef0123456789abcdef";
  record.account_id = alice_.account_id;
  record.template_id = template_id_;
  record.status = store::JobStatus::kRunning;
  ASSERT_TRUE(store_.InsertJob(record, {}).ok());
  EXPECT_EQ(Call("GetLiveSnapshotJob", {{"JobId", record.job_id}}).error().code, "JobNotFound");
  EXPECT_EQ(Call("SendLiveSnapshotJobCommand", {{"JobId", record.job_id}, {"Command", "stop"}})
                .error()
                .code,
            "JobNotFound");
}

TEST_F(SnapshotJobsTest, CommandsMoveTheJobWithTheirCodes) {
  std::string id = SubmitOne();
  auto command = [&](const std::string& c, const auth::Principal* who = nullptr) {
    return CodeOf(Call("SendLiveSnapshotJobCommand", {{"JobId", id}, {"Command", c}}, who));
  };
  auto status = [&] { return (*Call("GetLiveSnapshotJob", {{"JobId", id}}))["Status"]; };
  EXPECT_EQ(command("start"), "JobAlreadyStarted Job is already started.");
  auto refused = Call("SendLiveSnapshotJobCommand", {{"JobId", id}, {"Command", "start"}});
  EXPECT_EQ(refused.error().http_status, 409);
  EXPECT_EQ(command("stop"), "OK");
  EXPECT_EQ(status(), "paused");
  EXPECT_EQ(command("stop"), "OK");  // stopped stays stopped
  EXPECT_EQ(command("start"), "OK");
  EXPECT_EQ(status(), "started");
  EXPECT_EQ(command("restart"), "OK");
  EXPECT_EQ(status(), "started");
  EXPECT_EQ(command("pause").rfind("InvalidParam", 0), 0u);
  EXPECT_EQ(command("stop", &bob_).rfind("JobNotFound", 0), 0u);
  EXPECT_EQ(status(), "started");
  std::vector<std::string> events;
  auto job = Call("GetLiveSnapshotJob", {{"JobId", id}});
  ASSERT_TRUE(job);
  for (const auto& e : (*job)["Events"]) {
    events.push_back(e["Event"]);
  }
  EXPECT_EQ(events,
            (std::vector<std::string>{"submitted", "stopped", "started", "stopped", "started"}));
}

TEST_F(SnapshotJobsTest, PicturesArePagedByTimeNeverSplittingAShot) {
  std::string id = SubmitOne();
  const int64_t t0 = core::NowMillis() - 3'600'000;
  // Eleven shots 5 s apart, each with its overwrite picture at the same moment (the catalogue
  // keeps the overwrite picture's last one).
  for (int i = 0; i < 11; ++i) {
    ASSERT_TRUE(store_.PutSnapshotFile(Shot(id, t0 + i * 5'000)).ok());
    ASSERT_TRUE(store_.PutSnapshotFile(Shot(id, t0 + i * 5'000, true)).ok());
  }
  std::string start = core::FormatUtc(t0 / 1000 - 1);
  std::string end = core::FormatUtc(t0 / 1000 + 3'600);
  for (const char* sort : {"asc", "desc"}) {
    for (int limit : {1, 3, 4, 100}) {
      std::set<int64_t> seen;
      std::string from = start, to = end;
      int pages = 0, overlays = 0;
      int64_t last = std::string(sort) == "asc" ? 0 : INT64_MAX;
      for (;; ++pages) {
        ASSERT_LT(pages, 20);
        auto r = Call("ListLiveSnapshotFiles", {{"JobId", id},
                                                {"StartTime", from},
                                                {"EndTime", to},
                                                {"Limit", std::to_string(limit)},
                                                {"SortBy", sort}});
        ASSERT_TRUE(r) << CodeOf(r);
        for (const auto& f : (*r)["FileList"]) {
          int64_t t = f["CreateTimestamp"];
          EXPECT_TRUE(std::string(sort) == "asc" ? t >= last : t <= last);
          last = t;
          if (f["IsOverlay"]) {
            ++overlays;
            EXPECT_EQ(f["OssObject"], "snapshot/" + id + ".jpg");
          } else {
            EXPECT_TRUE(seen.insert(t).second) << "picture " << t << " twice";
            EXPECT_EQ(f["OssObject"], "snapshot/" + id + "/" + std::to_string(t) + ".jpg");
          }
          EXPECT_EQ(f["OssBucket"], "snap-a");
          EXPECT_EQ(f["OssEndpoint"], "oss.example");
          EXPECT_EQ(core::ParseUtc(f["CreateTime"].get<std::string>()), t / 1000);
          EXPECT_EQ(f["Url"].get<std::string>().rfind("http://floe.test:8080/files/snap-a/", 0),
                    0u);
        }
        if (!r->contains("NextStartTime")) break;
        (std::string(sort) == "asc" ? from : to) = (*r)["NextStartTime"].get<std::string>();
      }
      EXPECT_EQ(seen.size(), 11u) << sort << " limit " << limit;
      EXPECT_EQ(overlays, 1) << sort << " limit " << limit;
    }
  }
  // The bucket given to another account: the pictures are listed, with no link into it.
  ASSERT_TRUE(*store_.DeleteBucket("snap-a"));
  ASSERT_TRUE(*store_.AddBucket({"snap-a", bob_.account_id, "oss.example", bucket_dir_, 2}));
  auto relisted =
      Call("ListLiveSnapshotFiles", {{"JobId", id}, {"StartTime", start}, {"EndTime", end}});
  ASSERT_TRUE(relisted) << CodeOf(relisted);
  ASSERT_FALSE((*relisted)["FileList"].empty());
  for (const auto& f : (*relisted)["FileList"]) EXPECT_EQ(f["Url"], "");
  // The window: both ends required, at most a day, the family's codes.
  EXPECT_EQ(Call("ListLiveSnapshotFiles", {{"JobId", id}, {"StartTime", start}}).error().code,
            "MissingParameter");
  EXPECT_EQ(
      Call("ListLiveSnapshotFiles",
           {{"JobId", id}, {"StartTime", start}, {"EndTime", core::FormatUtc(t0 / 1000 + 86'400)}})
          .error()
          .code,
      "EndTimeMismatch");
  EXPECT_EQ(
      Call("ListLiveSnapshotFiles", {{"JobId", id}, {"StartTime", start}, {"EndTime", end}}, &bob_)
          .error()
          .code,
      "JobNotFound");
}

TEST_F(SnapshotJobsTest, SequencePicturesAreDeletedOverwritePicturesAreNot) {
  std::string id = SubmitOne();
  const int64_t t0 = 1'796'000'000'000;
  fs::create_directories(fs::path(bucket_dir_) / "snapshot" / id);
  for (int64_t t : {t0, t0 + 5'000}) {
    ASSERT_TRUE(store_.PutSnapshotFile(Shot(id, t)).ok());
    std::ofstream(fs::path(bucket_dir_) / Shot(id, t).object) << "jpeg";
  }
  ASSERT_TRUE(store_.PutSnapshotFile(Shot(id, t0 + 10'000, true)).ok());
  auto del = [&](const std::string& list, const std::string& original = "false") {
    return Call("DeleteLiveSnapshotFiles",
                {{"JobId", id}, {"CreateTimestampList", list}, {"DeleteOriginalFile", original}});
  };
  EXPECT_EQ(del("[" + std::to_string(t0 + 10'000) + "]").error().code, "OverlayNotSupported");
  EXPECT_EQ(del("[" + std::to_string(t0 + 1) + "]").error().code, "NoValidSnapshot");
  EXPECT_EQ(del("[]").error().code.rfind("InvalidParam", 0), 0u);
  EXPECT_EQ(del("[\"1\"]").error().code.rfind("InvalidParam", 0), 0u);
  EXPECT_EQ(del("not json").error().code.rfind("InvalidParam", 0), 0u);
  std::string many = "[";
  for (int i = 0; i < 201; ++i) many += (i ? "," : "") + std::to_string(i);
  EXPECT_EQ(del(many + "]").error().code.rfind("InvalidParam", 0), 0u);
  // One kept in the bucket, one deleted with its file; a time with nothing: NotFound.
  auto r = del("[" + std::to_string(t0) + "," + std::to_string(t0 + 7) + "]");
  ASSERT_TRUE(r) << CodeOf(r);
  EXPECT_EQ((*r)["DeleteFileResultList"],
            (Json::array({Json{{"CreateTimestamp", t0}, {"Result", "OK"}},
                          Json{{"CreateTimestamp", t0 + 7}, {"Result", "NotFound"}}})));
  EXPECT_TRUE(fs::exists(fs::path(bucket_dir_) / Shot(id, t0).object));
  r = del("[" + std::to_string(t0 + 5'000) + "]", "true");
  ASSERT_TRUE(r) << CodeOf(r);
  EXPECT_FALSE(fs::exists(fs::path(bucket_dir_) / Shot(id, t0 + 5'000).object));
  EXPECT_EQ(store_.GetSnapshotFiles(alice_.account_id, id, t0)->size(), 0u);
  EXPECT_EQ(store_.GetSnapshotFiles(alice_.account_id, id, t0 + 10'000)->size(), 1u);
  EXPECT_EQ(Call("DeleteLiveSnapshotFiles", {{"JobId", id}, {"CreateTimestampList", "[1]"}}, &bob_)
                .error()
                .code,
            "JobNotFound");
}

}  // namespace
}  // namespace floe::ice
