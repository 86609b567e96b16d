// The Store contract for the catalogue of record jobs' files, against SQLite and PostgreSQL:
// accounts apart, a file catalogued once, the time window, format and job filters, pages in
// start-time order both ways, every field kept as given.
#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace floe::store {
namespace {

class RecordFileStoreTest : public StoreTest {};

RecordFileRecord File(const std::string& id, const std::string& account, const std::string& job,
                      const std::string& format, int64_t start_ms) {
  RecordFileRecord f;
  f.record_id = id;
  f.account_id = account;
  f.job_id = job;
  f.job_name = "name of " + job;
  f.format = format;
  f.bucket = "rec-1";
  f.object = "record/" + job + "/" + id + "." + format;
  f.output_json = R"({"Type":"oss","Bucket":"rec-1","Endpoint":"e"})";
  f.stream_url = "rtmp://127.0.0.1/live/" + job;
  f.start_time_ms = start_ms;
  f.end_time_ms = start_ms + 60'000;
  f.create_time_ms = start_ms + 61'000;
  f.duration_ms = 59'960;
  f.size_bytes = int64_t{5} << 32;  // past 32 bits
  f.width = 1280;
  f.height = 720;
  return f;
}

TEST_P(RecordFileStoreTest, AFileIsCataloguedOnceAndReadBackWhole) {
  Store& store = *store_;
  auto f = File("r1", "A", "j1", "m3u8", 1'000);
  f.object = "record/录制 'q'.m3u8";
  ASSERT_TRUE(*store.InsertRecordFile(f));
  EXPECT_FALSE(*store.InsertRecordFile(File("r1", "A", "j9", "flv", 5)));  // the same id again
  auto got = store.GetRecordFile("A", "r1");
  ASSERT_TRUE(got.ok() && got->has_value());
  const auto& g = **got;
  EXPECT_EQ(g.job_id, "j1");
  EXPECT_EQ(g.job_name, "name of j1");
  EXPECT_EQ(g.format, "m3u8");
  EXPECT_EQ(g.object, "record/录制 'q'.m3u8");
  EXPECT_EQ(g.output_json, f.output_json);
  EXPECT_EQ(g.stream_url, "rtmp://127.0.0.1/live/j1");
  EXPECT_EQ(g.start_time_ms, 1'000);
  EXPECT_EQ(g.end_time_ms, 61'000);
  EXPECT_EQ(g.create_time_ms, 62'000);
  EXPECT_EQ(g.duration_ms, 59'960);
  EXPECT_EQ(g.size_bytes, int64_t{5} << 32);
  EXPECT_EQ(g.width, 1280);
  EXPECT_EQ(g.height, 720);
  EXPECT_FALSE(store.GetRecordFile("B", "r1")->has_value());  // another account's
  EXPECT_FALSE(*store.DeleteRecordFile("B", "r1"));
  EXPECT_TRUE(*store.DeleteRecordFile("A", "r1"));
  EXPECT_FALSE(*store.DeleteRecordFile("A", "r1"));
  EXPECT_FALSE(store.GetRecordFile("A", "r1")->has_value());
}

TEST_P(RecordFileStoreTest, ListsAWindowByStartTimeFilteredAndPaged) {
  Store& store = *store_;
  ASSERT_TRUE(*store.InsertRecordFile(File("r3", "A", "j1", "m3u8", 3'000)));
  ASSERT_TRUE(*store.InsertRecordFile(File("r1", "A", "j1", "m3u8", 1'000)));
  ASSERT_TRUE(*store.InsertRecordFile(File("r2", "A", "j2", "mp4", 2'000)));
  ASSERT_TRUE(*store.InsertRecordFile(File("r4", "A", "j2", "m3u8", 4'000)));
  ASSERT_TRUE(*store.InsertRecordFile(File("r5", "A", "j1", "flv", 9'000)));   // past the window
  ASSERT_TRUE(*store.InsertRecordFile(File("b1", "B", "j1", "m3u8", 2'000)));  // another account
  auto window = [](int64_t start_ms, int64_t end_ms) {
    RecordFileQuery q;
    q.account_id = "A";
    q.start_ms = start_ms;
    q.end_ms = end_ms;
    return q;
  };
  RecordFileQuery q = window(1'000, 9'000);
  auto ids = [&](const RecordFileQuery& query) {
    auto page = store.ListRecordFiles(query);
    EXPECT_TRUE(page.ok()) << page.error().message;
    std::string out = std::to_string(page->total_count) + ":";
    for (const auto& f : page->items) out += " " + f.record_id;
    return out;
  };
  EXPECT_EQ(ids(q), "4: r1 r2 r3 r4");
  q.ascending = false;
  EXPECT_EQ(ids(q), "4: r4 r3 r2 r1");
  q.page_size = 3;
  q.page_no = 2;
  EXPECT_EQ(ids(q), "4: r1");
  q = window(1'000, 9'000);
  q.format = "m3u8";
  EXPECT_EQ(ids(q), "3: r1 r3 r4");
  q.job_ids = {"j2", "nope"};
  EXPECT_EQ(ids(q), "1: r4");
  q.format.reset();
  EXPECT_EQ(ids(q), "2: r2 r4");
  q = window(1'001, 3'000);
  EXPECT_EQ(ids(q), "1: r2");  // from the window's start, up to but not at its end
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordFileStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::store
