// The catalogue of the bucket families' files on a real SQLite store: a recording's report
// becomes a row of ListLiveRecordFiles with an event and a callback, a snapshot job's pictures
// rows of ListLiveSnapshotFiles with one event for the process's first, and a report that
// cannot be read catalogues nothing.
#include "runtime/file_catalogue.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/json.h"
#include "runtime/protocol.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_jobs.h"
#include "test_util.h"

namespace floe::runtime {
namespace {

constexpr char kAccount[] = "1000000000000001";

struct Said {
  std::string job_id, what, detail;
};

class FileCatalogueTest : public ::testing::Test {
 protected:
  FileCatalogueTest()
      : store_(dir_.File("floe.db")),
        catalogue_(
            store_, [] { return int64_t{1'700'000'000'000}; },
            [this](const std::string& id, const std::string& e, const std::string& d) {
              events_.push_back({id, e, d});
            },
            [this](const std::string& id, const std::string& url, std::string body) {
              callbacks_.push_back({id, url, std::move(body)});
            }) {}

  store::JobRecord Job(const std::string& id, const std::string& family) {
    store::JobRecord job = testing::TestJob(id, kAccount);
    job.family = family;
    job.name = "cam";
    job.output_domain = "media";
    job.output_json = R"({"Type":"oss","Bucket":"media","Endpoint":"oss-x"})";
    job.notify_url = "http://127.0.0.1:9/hook";
    return job;
  }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  std::vector<Said> events_, callbacks_;
  FileCatalogue catalogue_;
};

TEST_F(FileCatalogueTest, ARecordingIsARowAnEventAndACallback) {
  media::RecordedFile f;
  f.container = media::RecordContainer::kMp4;
  f.object = "record/r1/1.mp4";
  f.start_ms = 1'699'999'990'000;
  f.end_ms = 1'700'000'000'000;
  f.duration_s = 10;
  f.size_bytes = 4096;
  f.width = 426;
  f.height = 240;
  auto bytes = catalogue_.Add(Job("r1", "record"), FileReport(f), true);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*bytes, 4096);
  store::RecordFileQuery q;
  q.account_id = kAccount;
  q.start_ms = 0;
  q.end_ms = 1'800'000'000'000;
  auto page = store_.ListRecordFiles(q);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].format, "mp4");
  EXPECT_EQ(page->items[0].object, "record/r1/1.mp4");
  EXPECT_EQ(page->items[0].duration_ms, 10'000);
  EXPECT_EQ(page->items[0].bucket, "media");
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].what, "record_file");
  ASSERT_EQ(callbacks_.size(), 1u);
  EXPECT_EQ(callbacks_[0].detail.empty(), false);
  auto body = core::ParseJson(callbacks_[0].detail);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["Event"], "record_file");
  EXPECT_EQ((*body)["Data"]["Object"], "record/r1/1.mp4");
  EXPECT_EQ((*body)["Data"]["Size"], 4096);
}

TEST_F(FileCatalogueTest, PicturesAreRowsAndOnlyTheProcesssFirstIsAnEvent) {
  auto job = Job("s1", "snapshot");
  for (int i = 0; i < 3; ++i) {
    media::SnapshotShot shot;
    shot.object = "snap/s1/" + std::to_string(7 + i) + ".jpg";
    shot.sequence = 7 + i;  // a process that took over numbers on
    shot.time_ms = 1'700'000'000'000 + i * 5000;
    shot.size_bytes = 1000 + i;
    shot.width = 426;
    shot.height = 240;
    ASSERT_TRUE(catalogue_.Add(job, ShotReport(shot), i == 0));
  }
  auto rows = store_.ListSnapshotFiles({kAccount, "s1", 0, 1'800'000'000'000, true, 10});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].endpoint, "oss-x");
  EXPECT_EQ((*rows)[2].size_bytes, 1002);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].what, "snapshot");
  EXPECT_NE(events_[0].detail.find("snap/s1/7.jpg"), std::string::npos);
  EXPECT_EQ(callbacks_.size(), 3u);
}

TEST_F(FileCatalogueTest, AnUnreadableReportCataloguesNothing) {
  EXPECT_FALSE(catalogue_.Add(Job("r2", "record"), R"({"format":"mp4"})", true));
  EXPECT_FALSE(catalogue_.Add(Job("s2", "snapshot"), "not json", true));
  EXPECT_TRUE(events_.empty());
  EXPECT_TRUE(callbacks_.empty());
}

TEST_F(FileCatalogueTest, AJobWithoutACallbackUrlGetsNone) {
  auto job = Job("s3", "snapshot");
  job.notify_url.clear();
  media::SnapshotShot shot;
  shot.object = "snap/s3.jpg";
  shot.overwrite = true;
  shot.time_ms = 1'700'000'000'000;
  shot.size_bytes = 10;
  ASSERT_TRUE(catalogue_.Add(job, ShotReport(shot), false));
  EXPECT_TRUE(callbacks_.empty());
  EXPECT_TRUE(events_.empty());
}

}  // namespace
}  // namespace floe::runtime
