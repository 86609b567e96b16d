// The Store contract for the catalogue of snapshot jobs' pictures, against SQLite and
// PostgreSQL: accounts and jobs apart, a job's overlay one row replaced at each shot, sequence
// shots by time both ways with a limit, deletes of sequence shots only.
#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace floe::store {
namespace {

class SnapshotFileStoreTest : public StoreTest {};

SnapshotFileRecord Shot(const std::string& account, const std::string& job, int64_t ms,
                        bool overlay = false) {
  SnapshotFileRecord f;
  f.account_id = account;
  f.job_id = job;
  f.create_time_ms = ms;
  f.overlay = overlay;
  f.bucket = "snaps";
  f.endpoint = "oss-floe";
  f.object =
      overlay ? "snapshot/" + job + ".jpg" : "snapshot/" + job + "/" + std::to_string(ms) + ".jpg";
  f.size_bytes = int64_t{3} << 32;  // past 32 bits
  f.width = 1280;
  f.height = 720;
  return f;
}

std::string Times(const std::vector<SnapshotFileRecord>& files) {
  std::string out;
  for (const auto& f : files)
    out += (out.empty() ? "" : " ") + std::to_string(f.create_time_ms) + (f.overlay ? "o" : "");
  return out;
}

TEST_P(SnapshotFileStoreTest, ShotsAreListedByTimeAndOnlySequenceShotsDeleted) {
  Store& store = *store_;
  for (int64_t ms : {1'000, 2'000, 3'000, 4'000})
    ASSERT_TRUE(store.PutSnapshotFile(Shot("A", "j1", ms)).ok());
  ASSERT_TRUE(store.PutSnapshotFile(Shot("A", "j2", 2'500)).ok());
  ASSERT_TRUE(store.PutSnapshotFile(Shot("B", "j1", 2'000)).ok());
  // The overlay: one row, its time the last shot's.
  ASSERT_TRUE(store.PutSnapshotFile(Shot("A", "j1", 1'000, true)).ok());
  ASSERT_TRUE(store.PutSnapshotFile(Shot("A", "j1", 4'000, true)).ok());

  SnapshotFileQuery q{"A", "j1", 0, 10'000, true, 10};
  auto all = store.ListSnapshotFiles(q);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Times(*all), "1000 2000 3000 4000 4000o");
  const auto& first = all->front();
  EXPECT_EQ(first.object, "snapshot/j1/1000.jpg");
  EXPECT_EQ(first.bucket, "snaps");
  EXPECT_EQ(first.endpoint, "oss-floe");
  EXPECT_EQ(first.size_bytes, int64_t{3} << 32);
  EXPECT_EQ(first.width, 1280);
  EXPECT_EQ(first.height, 720);
  q.ascending = false;
  q.limit = 2;
  EXPECT_EQ(Times(*store.ListSnapshotFiles(q)), "4000o 4000");
  q = {"A", "j1", 2'000, 4'000, true, 10};
  EXPECT_EQ(Times(*store.ListSnapshotFiles(q)), "2000 3000");  // up to, not at, the end
  q.account_id = "B";
  EXPECT_EQ(Times(*store.ListSnapshotFiles(q)), "2000");

  EXPECT_EQ(Times(*store.GetSnapshotFiles("A", "j1", 4'000)), "4000 4000o");
  EXPECT_EQ(Times(*store.GetSnapshotFiles("C", "j1", 4'000)), "");
  EXPECT_TRUE(*store.DeleteSnapshotFile("A", "j1", 4'000));
  EXPECT_FALSE(*store.DeleteSnapshotFile("A", "j1", 4'000));  // the overlay stays
  EXPECT_EQ(Times(*store.GetSnapshotFiles("A", "j1", 4'000)), "4000o");
  EXPECT_FALSE(*store.DeleteSnapshotFile("B", "j1", 1'000));  // another account's job
  EXPECT_EQ(Times(*store.ListSnapshotFiles({"A", "j1", 0, 10'000, true, 10})),
            "1000 2000 3000 4000o");
}

INSTANTIATE_TEST_SUITE_P(Backends, SnapshotFileStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::store
