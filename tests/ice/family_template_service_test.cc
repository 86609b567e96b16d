// The templates of the recording and snapshot families on a real store: an account's own,
// replaced whole by an update, deleted, each family apart, at most the limit per account.
#include "ice/family_template_service.h"

#include <gtest/gtest.h>

#include "core/ids.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

constexpr char kFlv[] = R"([{"Format":"flv"}])";

class FamilyTemplateServiceTest : public ::testing::Test {
 protected:
  FamilyTemplateServiceTest()
      : store_(dir_.File("floe.db")),
        records_(
            store_, "record", "recording templates", "ListLiveRecordTemplates",
            [this] { return now_; }, 3),
        snapshots_(
            store_, "snapshot", "snapshot templates", "ListLiveSnapshotTemplates",
            [this] { return now_; }, 3) {}
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  int64_t now_ = 1'700'000'000'000;
  FamilyTemplateService records_, snapshots_;
  auth::Principal alice_{"1000000000000001", "", "LTAIalice"};
  auth::Principal bob_{"1000000000000002", "", "LTAIbob"};
};

TEST_F(FamilyTemplateServiceTest, ATemplateIsItsAccountsAndAnUpdateReplacesIt) {
  auto id = records_.Create(alice_, "hls", kFlv);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_TRUE(core::IsResourceId(*id));
  auto got = records_.Get(alice_, *id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "hls");
  EXPECT_EQ(got->body_json, kFlv);
  EXPECT_EQ(got->create_time_ms, now_);
  auto missing = records_.Get(bob_, *id);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "TemplateNotFound");
  EXPECT_EQ(missing.error().http_status, 404);
  EXPECT_NE(missing.error().recommend.find("ListLiveRecordTemplates"), std::string::npos);
  EXPECT_EQ(records_.Update(bob_, *id, "x", kFlv).error().code, "TemplateNotFound");
  EXPECT_EQ(records_.Delete(bob_, *id).error().code, "TemplateNotFound");
  EXPECT_EQ(snapshots_.Get(alice_, *id).error().code, "TemplateNotFound");  // another family
  now_ += 60'000;
  ASSERT_TRUE(records_.Update(alice_, *id, "mp4 now", R"([{"Format":"mp4"}])").ok());
  got = records_.Get(alice_, *id);
  EXPECT_EQ(got->name, "mp4 now");
  EXPECT_EQ(got->body_json, R"([{"Format":"mp4"}])");
  EXPECT_EQ(got->last_modified_ms - got->create_time_ms, 60'000);
  ASSERT_TRUE(records_.Delete(alice_, *id).ok());
  EXPECT_EQ(records_.Get(alice_, *id).error().code, "TemplateNotFound");
  EXPECT_EQ(records_.Get(alice_, "../../etc").error().code, "TemplateNotFound");
}

TEST_F(FamilyTemplateServiceTest, AnAccountKeepsAtMostItsLimitOfEachFamily) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(records_.Create(alice_, "t", kFlv).ok());
  auto over = records_.Create(alice_, "t", kFlv);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "QuotaExceeded.Templates");
  EXPECT_NE(over.error().message.find("3 recording templates"), std::string::npos);
  EXPECT_TRUE(records_.Create(bob_, "t", kFlv).ok());
  EXPECT_TRUE(snapshots_.Create(alice_, "s", "{}").ok());
  FamilyTemplateListQuery q;
  EXPECT_EQ(records_.List(alice_, q)->total_count, 3);
  EXPECT_EQ(records_.List(bob_, q)->total_count, 1);
  EXPECT_EQ(snapshots_.List(alice_, q)->total_count, 1);
}

}  // namespace
}  // namespace floe::ice
