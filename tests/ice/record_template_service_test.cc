// Recording templates on a real store: an account's own, replaced whole by an update, deleted;
// at most its limit of them.
#include "ice/record_template_service.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

constexpr char kHls[] =
    R"([{"Format":"m3u8","OssObjectPrefix":"rec/{JobId}/{Sequence}_{StartTime}_{EndTime}",)"
    R"("SliceOssObjectPrefix":"rec/{JobId}/{UnixTimestamp}_{Sequence}","SliceDuration":10}])";

class RecordTemplateServiceTest : public ::testing::Test {
 protected:
  RecordTemplateServiceTest()
      : store_(dir_.File("floe.db")),
        service_(
            store_, [this] { return now_; }, 3) {}
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  int64_t now_ = 1'700'000'000'000;
  RecordTemplateService service_;
  auth::Principal alice_{"1000000000000001", "", "LTAIalice"};
  auth::Principal bob_{"1000000000000002", "", "LTAIbob"};
};

TEST_F(RecordTemplateServiceTest, ATemplateIsItsAccountsAndAnUpdateReplacesIt) {
  auto id = service_.Create(alice_, "hls", kHls);
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto got = service_.Get(alice_, *id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "hls");
  EXPECT_EQ(StoredRecordFormats(got->body_json).at(0).slice_duration_s, 10);
  EXPECT_EQ(service_.Get(bob_, *id).error().code, "TemplateNotFound");
  EXPECT_EQ(service_.Get(bob_, *id).error().http_status, 404);
  EXPECT_EQ(service_.Update(bob_, *id, "x", R"([{"Format":"flv"}])").error().code,
            "TemplateNotFound");
  EXPECT_EQ(service_.Delete(bob_, *id).error().code, "TemplateNotFound");
  now_ += 60'000;
  ASSERT_TRUE(service_.Update(alice_, *id, "flv now", R"([{"Format":"flv"}])").ok());
  got = service_.Get(alice_, *id);
  EXPECT_EQ(got->name, "flv now");
  EXPECT_EQ(StoredRecordFormats(got->body_json).at(0).format, "flv");
  EXPECT_EQ(got->last_modified_ms - got->create_time_ms, 60'000);
  // A refused update changes nothing.
  EXPECT_FALSE(service_.Update(alice_, *id, "bad", R"([{"Format":"avi"}])").ok());
  EXPECT_EQ(service_.Get(alice_, *id)->name, "flv now");
  EXPECT_EQ(service_.Update(alice_, *id, "", R"([{"Format":"flv"}])").error().code,
            "MissingParameter");
  ASSERT_TRUE(service_.Delete(alice_, *id).ok());
  EXPECT_EQ(service_.Get(alice_, *id).error().code, "TemplateNotFound");
  EXPECT_EQ(service_.Get(alice_, "../../etc").error().code, "TemplateNotFound");
}

TEST_F(RecordTemplateServiceTest, AnAccountKeepsAtMostItsLimit) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(service_.Create(alice_, "t", kHls).ok());
  auto over = service_.Create(alice_, "t", kHls);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "QuotaExceeded.Templates");
  EXPECT_TRUE(service_.Create(bob_, "t", kHls).ok());
  RecordTemplateQuery q;
  EXPECT_EQ(service_.List(alice_, q)->total_count, 3);
  EXPECT_EQ(service_.List(bob_, q)->total_count, 1);
}

}  // namespace
}  // namespace floe::ice
