#include "ice/catalog.h"

#include <gtest/gtest.h>

#include "ice/job_service.h"
#include "ice/jobs.h"
#include "ice/live_center.h"
#include "ice/preview.h"
#include "ice/record_jobs.h"
#include "ice/record_templates.h"
#include "ice/snapshot_jobs.h"
#include "ice/snapshot_templates.h"
#include "ice/template_service.h"
#include "ice/templates.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

class CatalogTest : public ::testing::Test {
 protected:
  CatalogTest()
      : store_(dir_.File("floe.db")),
        live_center_(store_),
        templates_(store_),
        record_templates_(RecordTemplates(store_, 0)),
        snapshot_templates_(SnapshotTemplates(store_, 0)),
        jobs_(store_, live_center_, nullptr),
        links_("key", "/tmp"),
        record_jobs_(store_, nullptr, {}),
        snapshot_jobs_(store_, nullptr, {}),
        files_("key", store_) {
    AddTemplateActions(table_, templates_);
    AddRecordTemplateActions(table_, record_templates_);
    AddSnapshotTemplateActions(table_, snapshot_templates_);
    AddJobActions(table_, jobs_);
    AddPreviewActions(table_, jobs_, links_);
    AddRecordJobActions(table_, record_jobs_, files_);
    AddSnapshotJobActions(table_, snapshot_jobs_, files_);
  }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  LiveCenter live_center_;
  TemplateService templates_;
  FamilyTemplateService record_templates_, snapshot_templates_;
  JobService jobs_;
  PreviewLinks links_;
  RecordJobService record_jobs_;
  SnapshotJobService snapshot_jobs_;
  BucketLinks files_;
  ActionTable table_;
};

TEST_F(CatalogTest, DescribesExactlyTheActionsTheServerHandles) {
  std::vector<std::string> served, described;
  for (const auto& [name, handler] : table_) served.push_back(name);
  for (const auto& a : Catalog()) described.emplace_back(a.name);
  std::sort(described.begin(), described.end());
  EXPECT_EQ(served, described);
  EXPECT_EQ(FindAction("GetLiveTranscodeJob")->name, "GetLiveTranscodeJob");
  EXPECT_EQ(FindAction("GetLiveTranscodeJobs"), nullptr);
}

// An action called without parameters asks for the first one the catalog says it requires.
TEST_F(CatalogTest, TheFirstRequiredParameterIsTheOneTheServerAsksFor) {
  auth::Principal alice{"1000000000000001", "", "LTAIalice"};
  for (const auto& a : Catalog()) {
    const ParamSpec* first = nullptr;
    for (const auto& p : a.params) {
      if (p.required && !first) first = &p;
    }
    if (!first) continue;
    auto r = table_.at(std::string(a.name))(ActionContext{alice, Params{}, "req"});
    ASSERT_FALSE(r.ok()) << a.name;
    EXPECT_EQ(r.error().code, "MissingParameter") << a.name;
    EXPECT_NE(r.error().message.find(std::string(first->name)), std::string::npos)
        << a.name << ": " << r.error().message;
  }
}

}  // namespace
}  // namespace floe::ice
