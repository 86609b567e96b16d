// The Store contract for jobs and their events, against SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>

#include <atomic>
#include <thread>

#include "store/job_history.h"
#include "store/store_backends.h"
#include "store/test_jobs.h"

namespace floe::store {
namespace {

class JobStoreTest : public StoreTest {};

TemplateRecord Tpl(const std::string& id, const std::string& account, const std::string& config) {
  return {id, account, "tpl-" + id, "normal", "customized", "H.264", config, 1};
}

JobRecord Job(const std::string& id, const std::string& account, const std::string& template_id,
              int64_t t = 1) {
  JobRecord j = floe::testing::TestJob(id, account, template_id);
  j.create_time_ms = t;
  return j;
}

auto Rename(const std::string& name) {
  return [name](const TemplateRecord& cur) -> core::Result<TemplateRecord> {
    TemplateRecord next = cur;
    next.name = name;
    return next;
  };
}

auto SetStatus(JobStatus status) {
  return [status](const JobRecord& cur, std::vector<JobEvent>& events) -> core::Result<JobRecord> {
    JobRecord next = cur;
    next.status = status;
    events.push_back({"", 7, "status", std::to_string(ApiValue(status))});
    return next;
  };
}

bool Inserted(const core::Result<JobInsert>& r) {
  return r.ok() && r->outcome == JobInsertOutcome::kInserted;
}

TEST_P(JobStoreTest, SubmitCopiesTheTemplateInTheSameTransaction) {
  Store& store = *store_;
  ASSERT_TRUE(store.InsertTemplate(Tpl("t1", "A", R"({"VideoParams":{"Height":"360"}})")).ok());
  auto inserted = store.InsertJob(Job("j1", "A", "t1"), {});
  ASSERT_TRUE(inserted.ok() && inserted->outcome == JobInsertOutcome::kInserted);
  const JobRecord* job = &inserted->job;
  EXPECT_EQ(job->template_name, "tpl-t1");
  EXPECT_EQ(job->template_type, "normal");
  EXPECT_EQ(job->template_config, R"({"VideoParams":{"Height":"360"}})");
  auto got = store.GetJob("A", "j1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->template_config, job->template_config);
  EXPECT_EQ((*got)->output_url, "rtmp://127.0.0.1/live/out");
  auto events = store.ListJobEvents("j1", 10);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().event, "submitted");
  // System templates serve every account; another account's template serves nobody else.
  EXPECT_TRUE(Inserted(store.InsertJob(Job("j2", "B", "00000000000000000000000000000720"), {})));
  EXPECT_EQ(store.InsertJob(Job("j3", "B", "t1"), {})->outcome, JobInsertOutcome::kNoTemplate);
  EXPECT_FALSE(store.GetJob("B", "j1")->has_value());
  EXPECT_FALSE(store.GetJob("B", "j3")->has_value());
}

TEST_P(JobStoreTest, ARecordJobCopiesItsFamilysTemplateAndIsListedWithItsFamilyOnly) {
  Store& store = *store_;
  ASSERT_TRUE(
      *store.InsertFamilyTemplate({"record", "r1", "A", "rec", R"([{"Format":"flv"}])", 1, 1}, 0));
  ASSERT_TRUE(*store.InsertFamilyTemplate({"snapshot", "s1", "A", "snap", "{}", 1, 1}, 0));
  ASSERT_TRUE(store.InsertTemplate(Tpl("t1", "A", "{}")).ok());
  auto rec = Job("j1", "A", "r1", 100);
  rec.family = "record";
  rec.output_type = "oss";
  rec.output_domain = "bucket-1";
  rec.output_url = "/srv/buckets/bucket-1";
  rec.output_json = R"({"Type":"oss","Bucket":"bucket-1","Endpoint":""})";
  rec.notify_url = "https://example.com/notify";
  auto inserted = store.InsertJob(rec, {});
  ASSERT_TRUE(Inserted(inserted));
  EXPECT_EQ(inserted->job.template_name, "rec");
  EXPECT_EQ(inserted->job.template_config, R"([{"Format":"flv"}])");
  // The template of another family, of another account, or a transcoding one does not serve.
  auto wrong = rec;
  wrong.job_id = "j2";
  for (const char* tpl : {"s1", "t1", "00000000000000000000000000000360"}) {
    wrong.template_id = tpl;
    EXPECT_EQ(store.InsertJob(wrong, {})->outcome, JobInsertOutcome::kNoTemplate) << tpl;
  }
  wrong.template_id = "r1";
  wrong.account_id = "B";
  EXPECT_EQ(store.InsertJob(wrong, {})->outcome, JobInsertOutcome::kNoTemplate);
  // A later change of the template does not reach the job's copy.
  ASSERT_TRUE(*store.UpdateFamilyTemplate({"record", "r1", "A", "rec2", "[]", 1, 2}));
  auto got = store.GetJob("A", "j1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->family, "record");
  EXPECT_EQ((*got)->template_name, "rec");
  EXPECT_EQ((*got)->template_config, R"([{"Format":"flv"}])");
  EXPECT_EQ((*got)->output_domain, "bucket-1");
  EXPECT_EQ((*got)->output_url, "/srv/buckets/bucket-1");
  EXPECT_EQ((*got)->output_json, rec.output_json);
  EXPECT_EQ((*got)->notify_url, "https://example.com/notify");
  ASSERT_TRUE(Inserted(store.InsertJob(Job("j3", "A", "t1", 200), {})));
  // Each family's list has its own jobs; every live job runs, whatever its family.
  JobQuery q;
  q.account_id = "A";
  auto transcode = store.ListJobs(q);
  ASSERT_EQ(transcode->total_count, 1);
  EXPECT_EQ(transcode->items.front().job_id, "j3");
  EXPECT_EQ(transcode->items.front().family, "transcode");
  q.family = "record";
  auto record = store.ListJobs(q);
  ASSERT_EQ(record->total_count, 1);
  EXPECT_EQ(record->items.front().job_id, "j1");
  EXPECT_EQ(store.ListLiveJobs()->size(), 2u);
  // The CreateTime window is [from, to).
  q.created_from_ms = 100;
  q.created_to_ms = 101;
  EXPECT_EQ(store.ListJobs(q)->total_count, 1);
  q.created_from_ms = 101;
  q.created_to_ms = 0;
  EXPECT_EQ(store.ListJobs(q)->total_count, 0);
  q.created_from_ms = 0;
  q.created_to_ms = 100;
  EXPECT_EQ(store.ListJobs(q)->total_count, 0);
}

TEST_P(JobStoreTest, TemplateInUseUntilEveryJobIsStopped) {
  Store& store = *store_;
  ASSERT_TRUE(store.InsertTemplate(Tpl("t1", "A", "{}")).ok());
  ASSERT_TRUE(Inserted(store.InsertJob(Job("j1", "A", "t1"), {})));
  auto j2 = Job("j2", "A", "t1");
  j2.status = JobStatus::kNotStarted;  // a timed job not started yet uses it too
  ASSERT_TRUE(Inserted(store.InsertJob(j2, {})));
  EXPECT_EQ(*store.UpdateTemplate("A", "t1", Rename("x")), TemplateWrite::kInUse);
  EXPECT_EQ(*store.DeleteTemplate("A", "t1"), TemplateWrite::kInUse);
  // In use is the answer even to a change that would be refused on its own.
  auto refused = [](const TemplateRecord&) -> core::Result<TemplateRecord> {
    return core::Error::InvalidParameter("Name", "refused");
  };
  EXPECT_EQ(*store.UpdateTemplate("A", "t1", refused), TemplateWrite::kInUse);
  ASSERT_TRUE(*store.UpdateJob("A", "j1", SetStatus(JobStatus::kStopped)));
  EXPECT_EQ(*store.UpdateTemplate("A", "t1", Rename("x")), TemplateWrite::kInUse);
  ASSERT_TRUE(*store.UpdateJob("A", "j2", SetStatus(JobStatus::kStopped)));
  EXPECT_EQ(*store.UpdateTemplate("A", "t1", Rename("x")), TemplateWrite::kDone);
  EXPECT_EQ((*store.GetTemplate("A", "t1"))->name, "x");
  EXPECT_EQ(*store.DeleteTemplate("A", "t1"), TemplateWrite::kDone);
  EXPECT_EQ(*store.DeleteTemplate("A", "t1"), TemplateWrite::kNotFound);
}

// Submits race template updates: whatever the interleaving, no job that is not stopped may run
// on a configuration other than the template's current one.
TEST_P(JobStoreTest, NoJobRunsOnAChangedTemplate) {
  Store& store = *store_;
  ASSERT_TRUE(store.InsertTemplate(Tpl("t1", "A", "v0")).ok());
  std::atomic<int> submitted = 0, updated = 0, refused = 0, live_seen = 0;
  std::atomic<bool> done = false;
  std::thread submitter([&] {
    for (int i = 0; i < 40; ++i) {
      std::string id = "j" + std::to_string(i);
      ASSERT_TRUE(Inserted(store.InsertJob(Job(id, "A", "t1", i), {})));
      ++submitted;
      // Keep the job live until an update has been refused because of it (at most 2 s), so
      // that the updater really races live jobs.
      int refused_before = refused;
      for (int w = 0; w < 200 && refused == refused_before; ++w) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      ASSERT_TRUE(*store.UpdateJob("A", id, SetStatus(JobStatus::kStopped)));
    }
    done = true;
  });
  std::thread updater([&] {
    for (int i = 1; !done; ++i) {
      auto r = store.UpdateTemplate("A", "t1",
                                    [i](const TemplateRecord& cur) -> core::Result<TemplateRecord> {
                                      TemplateRecord next = cur;
                                      next.config_json = "v" + std::to_string(i);
                                      return next;
                                    });
      ASSERT_TRUE(r.ok());
      (*r == TemplateWrite::kDone ? updated : refused)++;
      auto live = store.ListLiveJobs();
      auto current = (*store.GetTemplate("A", "t1"))->config_json;
      if (!live->empty()) ++live_seen;
      for (const auto& j : *live) EXPECT_EQ(j.template_config, current);
    }
  });
  submitter.join();
  updater.join();
  EXPECT_EQ(submitted, 40);
  EXPECT_GT(updated, 0);
  EXPECT_GE(refused, 40);  // every job was live while an update came and was refused
  EXPECT_GT(live_seen, 0);
  EXPECT_TRUE(store.ListLiveJobs()->empty());
}

TEST_P(JobStoreTest, ListFiltersSortsAndPages) {
  Store& store = *store_;
  for (int i = 0; i < 12; ++i) {
    auto j = Job("id" + std::to_string(i), "A", "00000000000000000000000000000360", 100 + i);
    j.start_mode = static_cast<StartMode>(i % 2);
    j.status = static_cast<JobStatus>(i % 3);
    ASSERT_TRUE(Inserted(store.InsertJob(j, {})));
  }
  ASSERT_TRUE(Inserted(store.InsertJob(Job("other", "B", "00000000000000000000000000000360"), {})));
  JobQuery q;
  q.account_id = "A";
  q.page_size = 5;
  auto page = store.ListJobs(q);
  EXPECT_EQ(page->total_count, 12);
  ASSERT_EQ(page->items.size(), 5u);
  EXPECT_EQ(page->items.front().job_id, "id11");
  q.ascending = true;
  q.page_no = 3;
  page = store.ListJobs(q);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items.back().job_id, "id11");
  q.page_no = 1;
  q.status = JobStatus::kStopped;
  EXPECT_EQ(store.ListJobs(q)->total_count, 4);
  q.start_mode = StartMode::kTimed;
  EXPECT_EQ(store.ListJobs(q)->total_count, 2);  // id5, id11
  q = {};
  q.account_id = "A";
  q.keyword = "id7";
  EXPECT_EQ(store.ListJobs(q)->total_count, 1);
  q.keyword = "JOB-ID1";  // names job-id1, job-id10, job-id11
  EXPECT_EQ(store.ListJobs(q)->total_count, 3);
  q.keyword.reset();
  q.type = "normal";
  EXPECT_EQ(store.ListJobs(q)->total_count, 12);
  q.type = "origin";
  EXPECT_EQ(store.ListJobs(q)->total_count, 0);
}

TEST_P(JobStoreTest, EventsAreKeptInOrderAndGoWithTheJob) {
  Store& store = *store_;
  ASSERT_TRUE(Inserted(store.InsertJob(Job("j1", "A", "00000000000000000000000000000360"), {})));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store.AddJobEvent({"j1", 10 + i, "e" + std::to_string(i), ""}).ok());
  }
  auto last3 = store.ListJobEvents("j1", 3);
  ASSERT_EQ(last3->size(), 3u);
  EXPECT_EQ((*last3)[0].event, "e2");
  EXPECT_EQ((*last3)[2].event, "e4");
  EXPECT_FALSE(*store.DeleteJob("B", "j1"));
  EXPECT_TRUE(*store.DeleteJob("A", "j1"));
  EXPECT_TRUE(store.ListJobEvents("j1", 10)->empty());
  EXPECT_FALSE(store.GetJob("A", "j1")->has_value());
}

TEST_P(JobStoreTest, LiveJobsSurviveReopen) {
  ASSERT_TRUE(Inserted(store_->InsertJob(Job("j1", "A", "00000000000000000000000000000360"), {})));
  auto stopped = Job("j2", "A", "00000000000000000000000000000360");
  stopped.status = JobStatus::kStopped;
  ASSERT_TRUE(Inserted(store_->InsertJob(stopped, {})));
  store_.Reopen();
  auto live = store_->ListLiveJobs();
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ(live->front().job_id, "j1");
}

TEST_P(JobStoreTest, LimitsCountJobsThatAreNotStoppedInTheInsertTransaction) {
  Store& store = *store_;
  const std::string tpl = "00000000000000000000000000000360";
  JobLimits limits{2, 3};
  ASSERT_TRUE(Inserted(store.InsertJob(Job("a1", "A", tpl), limits)));
  ASSERT_TRUE(Inserted(store.InsertJob(Job("a2", "A", tpl), limits)));
  auto third = store.InsertJob(Job("a3", "A", tpl), limits);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->outcome, JobInsertOutcome::kAccountLimit);
  EXPECT_EQ(third->live_jobs, 2);
  EXPECT_FALSE(store.GetJob("A", "a3")->has_value());
  ASSERT_TRUE(Inserted(store.InsertJob(Job("b1", "B", tpl), limits)));
  EXPECT_EQ(store.InsertJob(Job("b2", "B", tpl), limits)->outcome, JobInsertOutcome::kTotalLimit);
  // A stopped job no longer counts.
  ASSERT_TRUE(*store.UpdateJob("A", "a1", SetStatus(JobStatus::kStopped)));
  EXPECT_TRUE(Inserted(store.InsertJob(Job("a3", "A", tpl), limits)));
}

TEST_P(JobStoreTest, StoredJobsPerAccountCountStoppedOnesInTheInsertTransaction) {
  Store& store = *store_;
  const std::string tpl = "00000000000000000000000000000360";
  JobLimits limits{0, 0, 2};
  ASSERT_TRUE(Inserted(store.InsertJob(Job("a1", "A", tpl), limits)));
  ASSERT_TRUE(*store.UpdateJob("A", "a1", SetStatus(JobStatus::kStopped)));
  ASSERT_TRUE(Inserted(store.InsertJob(Job("a2", "A", tpl), limits)));
  auto third = store.InsertJob(Job("a3", "A", tpl), limits);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->outcome, JobInsertOutcome::kStoredLimit);
  EXPECT_EQ(third->stored_jobs, 2);
  EXPECT_FALSE(store.GetJob("A", "a3")->has_value());
  ASSERT_TRUE(Inserted(store.InsertJob(Job("b1", "B", tpl), limits)));  // B counts its own
  // Only deleting (or retention) makes room: stopping does not.
  ASSERT_TRUE(*store.UpdateJob("A", "a2", SetStatus(JobStatus::kStopped)));
  EXPECT_EQ(store.InsertJob(Job("a3", "A", tpl), limits)->outcome, JobInsertOutcome::kStoredLimit);
  ASSERT_TRUE(*store.DeleteJob("A", "a1"));
  EXPECT_TRUE(Inserted(store.InsertJob(Job("a3", "A", tpl), limits)));
}

TEST_P(JobStoreTest, ConcurrentSubmitsCannotPassTheStoredJobLimit) {
  Store& store = *store_;
  const std::string tpl = "00000000000000000000000000000360";
  JobLimits limits{0, 0, 5};
  std::atomic<int> inserted{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < 3; ++i) {
        auto job = Job("j" + std::to_string(th) + "_" + std::to_string(i), "A", tpl);
        job.status = JobStatus::kStopped;  // stopped jobs count too
        auto r = store.InsertJob(job, limits);
        ASSERT_TRUE(r.ok()) << r.error().message;
        if (r->outcome == JobInsertOutcome::kInserted) ++inserted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inserted.load(), 5);
  JobQuery q;
  q.account_id = "A";
  EXPECT_EQ(store.ListJobs(q)->total_count, 5);
}

TEST_P(JobStoreTest, EventsPastTheCapDropTheOldestAndAreCounted) {
  Store& store = *store_;
  ASSERT_TRUE(Inserted(store.InsertJob(Job("j1", "A", "00000000000000000000000000000360"), {})));
  // One transaction of cap + 10 events, after the "submitted" one: the oldest 11 go.
  ASSERT_TRUE(*store.UpdateJob(
      "A", "j1", [](const JobRecord& cur, std::vector<JobEvent>& events) -> Result<JobRecord> {
        for (int i = 0; i < kMaxJobEvents + 10; ++i) {
          events.push_back({"", 100 + i, "e" + std::to_string(i), ""});
        }
        return cur;
      }));
  auto kept = store.ListJobEvents("j1", 10 * kMaxJobEvents);
  ASSERT_EQ(kept->size(), size_t{kMaxJobEvents});
  EXPECT_EQ(kept->front().event, "e10");
  EXPECT_EQ(kept->back().event, "e" + std::to_string(kMaxJobEvents + 9));
  EXPECT_EQ((*store.GetJob("A", "j1"))->events_dropped, 11);
  // One more, on its own: one more goes.
  ASSERT_TRUE(store.AddJobEvent({"j1", 9999, "last", ""}).ok());
  kept = store.ListJobEvents("j1", 10 * kMaxJobEvents);
  ASSERT_EQ(kept->size(), size_t{kMaxJobEvents});
  EXPECT_EQ(kept->front().event, "e11");
  EXPECT_EQ(kept->back().event, "last");
  EXPECT_EQ((*store.GetJob("A", "j1"))->events_dropped, 12);
  // Another job's events are not touched, nor counted.
  ASSERT_TRUE(Inserted(store.InsertJob(Job("j2", "A", "00000000000000000000000000000360"), {})));
  EXPECT_EQ(store.ListJobEvents("j2", 10)->size(), 1u);
  EXPECT_EQ((*store.GetJob("A", "j2"))->events_dropped, 0);
}

auto StopAt(int64_t t, const std::string& why = "stop") {
  return [t, why](const JobRecord& cur, std::vector<JobEvent>& events) -> Result<JobRecord> {
    JobRecord next = cur;
    next.status = JobStatus::kStopped;
    events.push_back({"", t, "stopped", why});
    return next;
  };
}

TEST_P(JobStoreTest, StoppedJobsExpireWithTheirEventsCountedFromTheirStop) {
  Store& store = *store_;
  const std::string tpl = "00000000000000000000000000000360";
  for (const char* id : {"old", "new", "live"}) {
    ASSERT_TRUE(Inserted(store.InsertJob(Job(id, "A", tpl), {})));
    EXPECT_EQ((*store.GetJob("A", id))->stop_time_ms, 0);
  }
  ASSERT_TRUE(*store.UpdateJob("A", "old", StopAt(100)));
  ASSERT_TRUE(*store.UpdateJob("A", "new", StopAt(300)));
  EXPECT_EQ((*store.GetJob("A", "old"))->stop_time_ms, 100);
  // A stopped job updated again (renamed, stopped again) keeps its stop time.
  ASSERT_TRUE(*store.UpdateJob("A", "old", StopAt(250, "again")));
  EXPECT_EQ((*store.GetJob("A", "old"))->stop_time_ms, 100);
  // A job inserted stopped stopped at its creation.
  auto born_stopped = Job("born", "B", tpl, 50);
  born_stopped.status = JobStatus::kStopped;
  ASSERT_TRUE(Inserted(store.InsertJob(born_stopped, {})));
  EXPECT_EQ((*store.GetJob("B", "born"))->stop_time_ms, 50);

  EXPECT_EQ(*store.DeleteStoppedJobs(50, 10), 0);  // stopped before 50: none
  EXPECT_EQ(*store.DeleteStoppedJobs(200, 1), 1);  // the oldest stop first: born
  EXPECT_FALSE(store.GetJob("B", "born")->has_value());
  EXPECT_EQ(*store.DeleteStoppedJobs(200, 10), 1);  // then old, with its events
  EXPECT_FALSE(store.GetJob("A", "old")->has_value());
  EXPECT_TRUE(store.ListJobEvents("old", 10)->empty());
  EXPECT_TRUE(store.GetJob("A", "new")->has_value());
  EXPECT_EQ(*store.DeleteStoppedJobs(1'000'000, 10), 1);  // new; never a job not stopped
  EXPECT_TRUE(store.GetJob("A", "live")->has_value());
  EXPECT_EQ(store.ListJobEvents("live", 10)->size(), 1u);
  EXPECT_EQ(*store.DeleteStoppedJobs(1'000'000, 10), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::store
