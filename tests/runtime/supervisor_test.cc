// The job supervisor with an injected clock and a stub child (a shell script in place of
// `floe run-job`): restart backoff, its reset after a stable run, SIGKILL after the grace
// period, a program that cannot be started, and a timed job stopped before its start. The stub
// writes its lines as run-job's logger does: a prefix, then key=value fields.
#include "runtime/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_backends.h"
#include "store/test_jobs.h"
#include "test_util.h"

namespace floe::runtime {
namespace {

constexpr char kTpl[] = "00000000000000000000000000000360";

class SupervisorTest : public ::testing::Test {
 protected:
  SupervisorTest() : store_(dir_.File("floe.db")) {
    stub_ = dir_.File("stub.sh");
    mode_ = dir_.File("mode");
    cmds_ = dir_.File("cmds");
    // Reports go to standard output as run-job's do (runtime/protocol.h); "group" and
    // "failone" also log every command they are sent and answer each remove.
    std::ofstream(stub_)
        << "#!/bin/sh\n"
           "m=$(cat " +
               mode_ +
               ")\n"
               "started() { echo '{\"report\":\"event\",\"job_id\":\"\",\"event\":\"started\"}'; "
               "}\n"
               "case $m in\n"
               "  fail) echo "
               "'{\"report\":\"failed\",\"job_id\":\"\",\"code\":\"X\",\"detail\":\"stub "
               "failed\"}'; exit 3;;\n"
               "  run) started; exec sleep 1000;;\n"
               "  shots) started;\n"
               "    echo '{\"report\":\"file\",\"job_id\":\"snap1\",\"file\":{\"format\":\"jpg\","
               "\"object\":\"s/snap1/7.jpg\",\"overwrite\":false,\"sequence\":7,\"time_ms\":5000,"
               "\"size\":10,\"width\":32,\"height\":24}}';\n"
               "    echo '{\"report\":\"file\",\"job_id\":\"snap1\",\"file\":{\"format\":\"jpg\","
               "\"object\":\"s/snap1.jpg\",\"overwrite\":true,\"sequence\":7,\"time_ms\":5000,"
               "\"size\":10,\"width\":32,\"height\":24}}';\n"
               "    exec sleep 1000;;\n"
               "  stall) started;\n"
               "    echo "
               "'{\"report\":\"event\",\"job_id\":\"\",\"event\":\"input_stalled\",\"detail\":"
               "\"no input for 233 ms; slate\"}';\n"
               "    echo "
               "'{\"report\":\"event\",\"job_id\":\"\",\"event\":\"input_switched\",\"detail\":"
               "\"primary → backup\"}';\n"
               "    echo '{\"report\":\"event\",\"job_id\":\"\",\"event\":\"input_resumed\"}';\n"
               "    exec sleep 1000;;\n"
               "  stubborn) trap '' TERM; started;\n"
               "    while :; do sleep 0.05; done;;\n"
               "  group|failone) started;\n"
               "    while read -r line; do echo \"$line\" >> " +
               cmds_ +
               ";\n"
               "      id=$(echo \"$line\" | sed -n "
               "'s/.*\"command\":\"remove\",\"job_id\":\"\\([^\"]*\\)\".*/\\1/p');\n"
               "      [ -n \"$id\" ] && echo "
               "\"{\\\"report\\\":\\\"removed\\\",\\\"job_id\\\":\\\"$id\\\"}\";\n"
               "      id=$(echo \"$line\" | sed -n "
               "'s/.*\"command\":\"add\".*\"job_id\":\"\\([^\"]*\\)\".*/\\1/p');\n"
               "      [ -n \"$id\" ] && echo "
               "\"{\\\"report\\\":\\\"event\\\",\\\"job_id\\\":\\\"$id\\\","
               "\\\"event\\\":\\\"started\\\"}\";\n"
               "      case \"$m:$line\" in failone:*'\"job_id\":\"job2\"'*)\n"
               "        if [ ! -e " +
               cmds_ + ".failed ]; then touch " + cmds_ +
               ".failed; echo "
               "'{\"report\":\"failed\",\"job_id\":\"job2\",\"code\":\"EncoderFailed\","
               "\"detail\":\"refused\"}'; fi;;\n"
               "      esac;\n"
               "    done;;\n"
               "esac\n";
    chmod(stub_.c_str(), 0700);
    Mode("fail");
  }
  ~SupervisorTest() override {
    if (sup_) sup_->Shutdown();
  }

  void Mode(const std::string& m) { std::ofstream(mode_) << m << "\n"; }

  void Start(std::string binary = "", int64_t capacity_mc = 0) {
    SupervisorOptions o;
    o.floe_binary = binary.empty() ? stub_ : binary;
    o.lock_dir = dir_.File("run");
    o.tick_ms = 20;
    o.capacity_mc = capacity_mc;
    o.cost = [](const store::JobRecord&) -> int64_t { return 450; };
    o.heartbeat_ms = 200;
    o.wait_after_ms = 0;
    sup_ = std::make_unique<Supervisor>(store_, o, [this] { return now_.load(); });
    sup_->Start();
  }

  std::string Submit(store::StartMode start_mode = store::StartMode::kNow, int64_t start_ms = 0,
                     const std::string& input = "rtmp://127.0.0.1/live/in",
                     const std::string& account = "1000000000000001") {
    store::JobRecord j = testing::TestJob("job" + std::to_string(++jobs_), account, kTpl);
    j.start_mode = start_mode;
    if (start_mode != store::StartMode::kNow) j.status = store::JobStatus::kNotStarted;
    j.input_url = input;
    j.start_time_ms = start_ms;
    j.create_time_ms = now_;
    EXPECT_EQ(store_.InsertJob(j, {})->outcome, store::JobInsertOutcome::kInserted);
    return j.job_id;
  }

  std::vector<std::string> Failures(const std::string& id) {
    std::vector<std::string> out;
    auto events = store_.ListJobEvents(id, 100);
    for (const auto& e : *events) {
      if (e.event == "failed") out.push_back(e.detail);
    }
    return out;
  }

  // Real time passes only for processes to start and end; the supervisor's decisions follow
  // the injected clock.
  template <class F>
  bool Eventually(F done, int ms = 10'000) {
    for (int waited = 0; waited < ms; waited += 10) {
      if (done()) return true;
      sup_->Wake();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  void Stop(const std::string& id) {
    ASSERT_TRUE(*store_.UpdateJob("1000000000000001", id,
                                  [](const store::JobRecord& cur, std::vector<store::JobEvent>&) {
                                    store::JobRecord next = cur;
                                    next.status = store::JobStatus::kStopped;
                                    return core::Result<store::JobRecord>(next);
                                  }));
  }

  // The commands the stub was sent, one per line.
  std::vector<std::string> Commands() {
    std::vector<std::string> out;
    std::ifstream in(cmds_);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  std::string stub_, mode_, cmds_;
  std::atomic<int64_t> now_{1'000'000};
  std::unique_ptr<Supervisor> sup_;
  int jobs_ = 0;
};

TEST_F(SupervisorTest, StallsSwitchesAndResumptionsAreTheJobsEvents) {
  Mode("stall");
  std::string id = Submit();
  Start();
  std::vector<std::string> seen;
  ASSERT_TRUE(Eventually([&] {
    seen.clear();
    auto events = store_.ListJobEvents(id, 100);
    for (const auto& e : *events) seen.push_back(e.event + ":" + e.detail);
    return seen.size() >= 6;
  })) << ::testing::PrintToString(seen);
  EXPECT_EQ(seen, (std::vector<std::string>{"submitted:start now", "assigned:node local",
                                            "started:", "input_stalled:no input for 233 ms; slate",
                                            "input_switched:primary → backup", "input_resumed:"}));
  EXPECT_EQ(sup_->View(id)->state, "running");
}

// Admission: a node with room for two jobs of 0.45 cores runs two; the third waits (not started,
// with an event saying why) until one stops, then it runs. The processes are told their lease.
TEST_F(SupervisorTest, AJobThatFitsNowhereWaitsUntilRoomAppears) {
  Mode("group");
  std::string a = Submit(), b = Submit(), c = Submit();
  Start("", 1000);
  auto added = [&](const std::string& id) {
    auto cmds = Commands();
    return std::any_of(cmds.begin(), cmds.end(),
                       [&](const std::string& l) { return l.find(id) != std::string::npos; });
  };
  auto job = [&](const std::string& id) { return **store_.GetJob("1000000000000001", id); };
  ASSERT_TRUE(Eventually([&] { return job(c).waiting && sup_->View(a) && sup_->View(b); }));
  EXPECT_EQ(store::ApiStatus(job(c)), 0);
  EXPECT_EQ(store::ApiStatus(job(a)), 1);
  EXPECT_FALSE(added(c));
  auto events = *store_.ListJobEvents(c, 10);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "waiting_for_capacity");
  EXPECT_EQ(events.back().detail,
            "needs 0.45 cores; no node has room (node local: 0.10 of 1.00 free)");
  EXPECT_EQ(sup_->Snapshot().used_mc, 900);
  Stop(a);
  ASSERT_TRUE(Eventually([&] { return added(c); }));
  EXPECT_FALSE(job(c).waiting);
  EXPECT_EQ(store::ApiStatus(job(c)), 1);
  EXPECT_EQ(job(c).lease_holder, "local/0");
  ASSERT_TRUE(Eventually([&] {
    auto cmds = Commands();
    return std::any_of(cmds.begin(), cmds.end(), [](const std::string& l) {
      return l.find("\"command\":\"lease\"") != std::string::npos;
    });
  }));
}

TEST_F(SupervisorTest, RestartBackoffDoublesFromOneSecondToThirty) {
  std::string id = Submit();
  Start();
  const std::vector<int> expected = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(Eventually([&] { return Failures(id).size() == i + 1; })) << "failure " << i;
    const std::string detail = Failures(id).back();
    EXPECT_NE(detail.find("exit code 3: stub failed"), std::string::npos) << detail;
    EXPECT_NE(detail.find("restarting in " + std::to_string(expected[i]) + " ms"),
              std::string::npos)
        << detail;
    // Not restarted before its time has come on the injected clock.
    now_ += expected[i] - 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(Failures(id).size(), i + 1);
    now_ += 1;
  }
  EXPECT_EQ(sup_->View(id)->restarts, static_cast<int>(expected.size()));
}

TEST_F(SupervisorTest, BackoffStartsAfreshAfterAStableRun) {
  std::string id = Submit();
  Start();
  ASSERT_TRUE(Eventually([&] { return Failures(id).size() == 1; }));
  now_ += 1000;
  ASSERT_TRUE(Eventually([&] { return Failures(id).size() == 2; }));
  EXPECT_NE(Failures(id).back().find("restarting in 2000 ms"), std::string::npos);
  Mode("run");
  now_ += 2000;
  ASSERT_TRUE(Eventually([&] {
    auto v = sup_->View(id);
    return v && v->state == "running" && v->pid > 0;
  }));
  now_ += 60'000;  // up for stable_after_ms
  kill(sup_->View(id)->pid, SIGKILL);
  ASSERT_TRUE(Eventually([&] { return Failures(id).size() == 3; }));
  EXPECT_NE(Failures(id).back().find("signal 9"), std::string::npos);
  EXPECT_NE(Failures(id).back().find("restarting in 1000 ms"), std::string::npos)
      << Failures(id).back();
}

TEST_F(SupervisorTest, AProcessThatIgnoresSigtermIsKilledAfterTheGracePeriod) {
  Mode("stubborn");
  std::string id = Submit();
  Start();
  ASSERT_TRUE(Eventually([&] {
    auto v = sup_->View(id);
    return v && v->state == "running";
  }));
  pid_t pid = sup_->View(id)->pid;
  Stop(id);
  ASSERT_TRUE(Eventually([&] { return sup_->View(id)->state == "stopping"; }));
  // SIGTERM is ignored, and the grace period (1500 ms) has not passed on the clock.
  EXPECT_FALSE(sup_->WaitStopped(id, std::chrono::milliseconds(300)));
  EXPECT_EQ(kill(pid, 0), 0);
  now_ += 1500;
  EXPECT_TRUE(sup_->WaitStopped(id, std::chrono::milliseconds(5000)));
  EXPECT_TRUE(Eventually([&] { return !sup_->View(id); }));
  EXPECT_TRUE(Failures(id).empty());  // stopped on purpose: not a failure
}

TEST_F(SupervisorTest, AProgramThatCannotStartIsAFailureWithBackoff) {
  std::string id = Submit();
  Start(dir_.File("no-such-floe"));
  ASSERT_TRUE(Eventually([&] { return Failures(id).size() == 1; }));
  EXPECT_NE(Failures(id).back().find("exit code 127"), std::string::npos) << Failures(id).back();
  EXPECT_NE(Failures(id).back().find("restarting in 1000 ms"), std::string::npos);
}

TEST_F(SupervisorTest, ATimedJobStoppedBeforeItsStartNeverRuns) {
  Mode("run");
  std::string id = Submit(store::StartMode::kTimed, /*start_ms=*/now_ + 5000);
  Start();
  Stop(id);
  now_ += 10'000;  // StartTime has passed
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(sup_->View(id).has_value());
  auto job = store_.GetJob("1000000000000001", id);
  EXPECT_EQ((*job)->status, store::JobStatus::kStopped);
  auto events = store_.ListJobEvents(id, 100);
  for (const auto& e : *events) EXPECT_NE(e.event, "scheduled_start");
}

TEST_F(SupervisorTest, ATimedJobStartsWhenTheClockReachesStartTime) {
  Mode("run");
  std::string id = Submit(store::StartMode::kTimed, /*start_ms=*/now_ + 5000);
  Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(sup_->View(id).has_value());
  now_ += 5000;
  ASSERT_TRUE(Eventually([&] {
    auto v = sup_->View(id);
    return v && v->state == "running";
  }));
  EXPECT_EQ((*store_.GetJob("1000000000000001", id))->status, store::JobStatus::kRunning);
}

TEST_F(SupervisorTest, JobsOnOneInputShareOneProcessAndLeaveItOneByOne) {
  Mode("group");
  std::string a = Submit(), b = Submit();
  std::string other = Submit(store::StartMode::kNow, 0, "rtmp://127.0.0.1/live/other");
  Start();
  auto running = [&](const std::string& id) {
    auto v = sup_->View(id);
    return v && v->state == "running" && v->pid > 0;
  };
  ASSERT_TRUE(Eventually([&] { return running(a) && running(b) && running(other); }));
  EXPECT_EQ(sup_->View(a)->pid, sup_->View(b)->pid);
  EXPECT_NE(sup_->View(a)->pid, sup_->View(other)->pid);
  // A third job on the same input joins the running process with an add.
  std::string c = Submit();
  sup_->Wake();
  ASSERT_TRUE(Eventually([&] { return running(c); }));
  EXPECT_EQ(sup_->View(c)->pid, sup_->View(a)->pid);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& line : Commands()) {
      if (line.find("\"command\":\"add\"") != std::string::npos &&
          line.find("\"job_id\":\"" + c + "\"") != std::string::npos) {
        return true;
      }
    }
    return false;
  })) << ::testing::PrintToString(Commands());
  // Stopping one job removes its rendition; the process and the others go on.
  pid_t pid = sup_->View(a)->pid;
  Stop(b);
  EXPECT_TRUE(sup_->WaitStopped(b, std::chrono::milliseconds(5000)));
  EXPECT_FALSE(sup_->View(b).has_value());
  EXPECT_EQ(kill(pid, 0), 0);
  EXPECT_TRUE(running(a) && running(c));
  EXPECT_EQ(sup_->View(a)->pid, pid);
  EXPECT_NE(std::find(Commands().begin(), Commands().end(),
                      "{\"command\":\"remove\",\"job_id\":\"" + b + "\"}"),
            Commands().end());
  EXPECT_TRUE(Failures(a).empty());
  // The last jobs of the group stop: its process ends with them (no remove needed).
  Stop(a);
  Stop(c);
  EXPECT_TRUE(sup_->WaitStopped(a, std::chrono::milliseconds(5000)));
  EXPECT_TRUE(sup_->WaitStopped(c, std::chrono::milliseconds(5000)));
  EXPECT_TRUE(Eventually([&] { return kill(pid, 0) != 0; }));
  EXPECT_TRUE(running(other));
}

// The record family's rule: a record job ends when its input has been away 3 minutes (or never
// came: here its process fails at every start); a transcoding job waits for ever, and a record
// job whose input is there runs on, whatever the clock says.
TEST_F(SupervisorTest, ARecordJobEndsWhenItsInputStaysAwayAndNoOtherJobDoes) {
  ASSERT_TRUE(*store_.InsertFamilyTemplate(
      {"record", "r1", "1000000000000001", "rec", R"([{"Format":"flv"}])", 1, 1}, 0));
  auto record_job = [&](const std::string& id, const std::string& input) {
    store::JobRecord rec = testing::TestJob(id, "1000000000000001", "r1");
    rec.family = "record";
    rec.input_url = input;
    rec.create_time_ms = now_;
    EXPECT_EQ(store_.InsertJob(rec, {})->outcome, store::JobInsertOutcome::kInserted);
  };
  auto status = [&](const std::string& id) {
    return (*store_.GetJob("1000000000000001", id))->status;
  };
  Mode("fail");
  record_job("rec1", "rtmp://127.0.0.1/live/away");
  std::string transcode = Submit(store::StartMode::kNow, 0, "rtmp://127.0.0.1/live/away2");
  Start();
  ASSERT_TRUE(
      Eventually([&] { return !Failures("rec1").empty() && !Failures(transcode).empty(); }));
  now_ += 179'000;  // not yet
  for (int i = 0; i < 10; ++i)
    sup_->Wake(), std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(status("rec1"), store::JobStatus::kRunning);
  now_ += 2'000;
  ASSERT_TRUE(Eventually([&] { return status("rec1") == store::JobStatus::kStopped; }));
  auto events = *store_.ListJobEvents("rec1", 100);
  EXPECT_EQ(events.back().event, "stopped");
  EXPECT_NE(events.back().detail.find("no input for 180 s"), std::string::npos)
      << events.back().detail;
  EXPECT_EQ(status(transcode), store::JobStatus::kRunning);

  Mode("run");
  record_job("rec2", "rtmp://127.0.0.1/live/there");
  sup_->Wake();
  ASSERT_TRUE(Eventually([&] {
    auto v = sup_->View("rec2");
    return v && v->state == "running";
  }));
  now_ += 600'000;
  for (int i = 0; i < 10; ++i)
    sup_->Wake(), std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(status("rec2"), store::JobStatus::kRunning);
}

TEST_F(SupervisorTest, ASnapshotJobsPicturesAreCataloguedAndItEndsWithoutItsInput) {
  ASSERT_TRUE(*store_.InsertFamilyTemplate({"snapshot", "s1", "1000000000000001", "thumbs",
                                            R"({"TimeInterval":5,"SequenceFormat":"s/{JobId}/)"
                                            R"({Sequence}.jpg","OverwriteFormat":"s/{JobId}.jpg"})",
                                            1, 1},
                                           0));
  auto snapshot_job = [&](const std::string& id, const std::string& input) {
    store::JobRecord job = testing::TestJob(id, "1000000000000001", "s1");
    job.family = "snapshot";
    job.input_url = input;
    job.output_domain = "snaps";
    job.output_json = R"({"StorageType":"oss","Bucket":"snaps","Endpoint":"oss-e"})";
    job.create_time_ms = now_;
    EXPECT_EQ(store_.InsertJob(job, {})->outcome, store::JobInsertOutcome::kInserted);
  };
  Mode("shots");
  snapshot_job("snap1", "rtmp://127.0.0.1/live/cam");
  Start();
  std::vector<store::SnapshotFileRecord> shots;
  ASSERT_TRUE(Eventually([&] {
    shots = *store_.ListSnapshotFiles({"1000000000000001", "snap1", 0, 10'000, true, 10});
    return shots.size() == 2;
  }));
  EXPECT_FALSE(shots[0].overlay);
  EXPECT_EQ(shots[0].object, "s/snap1/7.jpg");
  EXPECT_EQ(shots[0].create_time_ms, 5'000);
  EXPECT_EQ(shots[0].bucket, "snaps");
  EXPECT_EQ(shots[0].endpoint, "oss-e");
  EXPECT_EQ(shots[0].width, 32);
  EXPECT_TRUE(shots[1].overlay);
  EXPECT_EQ(shots[1].object, "s/snap1.jpg");
  // The job's own figures: two pictures of 10 bytes (GetLiveSnapshotJob's Process, /metrics).
  // They count a picture once the catalogue holds it, so they may trail the listing briefly.
  std::optional<JobProcessView> view;
  ASSERT_TRUE(Eventually([&] {
    view = sup_->View("snap1");
    return view && view->files == 2;
  }));
  EXPECT_EQ(view->files, 2);
  EXPECT_EQ(view->file_bytes, 20);
  auto events = *store_.ListJobEvents("snap1", 100);
  // One event for the process's first picture, whatever its sequence number (a process that
  // took over from another goes on numbering where the bucket's pictures end).
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const store::JobEvent& e) { return e.event == "snapshot"; }),
            1);
  // Without its input for 3 minutes it ends, as a record job does.
  Mode("fail");
  snapshot_job("snap2", "rtmp://127.0.0.1/live/away");
  sup_->Wake();
  ASSERT_TRUE(Eventually([&] { return !Failures("snap2").empty(); }));
  now_ += 181'000;
  ASSERT_TRUE(Eventually([&] {
    return (*store_.GetJob("1000000000000001", "snap2"))->status == store::JobStatus::kStopped;
  }));
  events = *store_.ListJobEvents("snap2", 100);
  EXPECT_NE(events.back().detail.find("the snapshots stop"), std::string::npos)
      << events.back().detail;
}

TEST_F(SupervisorTest, JobsOfTwoAccountsOnOneInputNeverShareAProcess) {
  Mode("group");
  std::string a = Submit(), a2 = Submit();
  std::string b = Submit(store::StartMode::kNow, 0, "rtmp://127.0.0.1/live/in", "2000000000000002");
  Start();
  auto running = [&](const std::string& id) {
    auto v = sup_->View(id);
    return v && v->state == "running" && v->pid > 0;
  };
  ASSERT_TRUE(Eventually([&] { return running(a) && running(a2) && running(b); }));
  EXPECT_EQ(sup_->View(a)->pid, sup_->View(a2)->pid);  // shared decode within an account
  EXPECT_NE(sup_->View(a)->pid, sup_->View(b)->pid);
  // Each process was told whose jobs it runs (the stub says "started" before it has read its
  // start line: wait for the line).
  int starts_a = 0, starts_b = 0;
  auto count = [&] {
    starts_a = starts_b = 0;
    for (const auto& line : Commands()) {
      if (line.find("\"command\":\"start\"") == std::string::npos) continue;
      starts_a += line.find("\"account_id\":\"1000000000000001\"") != std::string::npos;
      starts_b += line.find("\"account_id\":\"2000000000000002\"") != std::string::npos;
    }
    return starts_a > 0 && starts_b > 0;
  };
  EXPECT_TRUE(Eventually(count));
  EXPECT_EQ(starts_a, 1);
  EXPECT_EQ(starts_b, 1);
}

TEST_F(SupervisorTest, ARenditionThatFailsFailsOnlyItsJobAndComesBackAfterItsBackoff) {
  Mode("failone");
  std::string a = Submit(), b = Submit();
  Start();
  ASSERT_TRUE(Eventually([&] { return Failures(b).size() == 1; }));
  EXPECT_NE(Failures(b).back().find("EncoderFailed: refused; restarting in 1000 ms"),
            std::string::npos)
      << Failures(b).back();
  EXPECT_TRUE(Failures(a).empty());
  EXPECT_EQ(sup_->View(a)->state, "running");
  EXPECT_EQ(sup_->View(b)->state, "restarting");
  EXPECT_EQ(sup_->View(b)->restarts, 1);
  pid_t pid = sup_->View(a)->pid;
  // Added again to the same process once its own backoff has passed on the clock.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto adds = [&] {
    int n = 0;
    for (const auto& line : Commands()) {
      n += line.find("\"command\":\"add\"") != std::string::npos &&
           line.find("\"job_id\":\"" + b + "\"") != std::string::npos;
    }
    return n;
  };
  EXPECT_EQ(adds(), 0);
  now_ += 1000;
  ASSERT_TRUE(Eventually([&] { return adds() == 1; })) << ::testing::PrintToString(Commands());
  EXPECT_EQ(sup_->View(b)->pid, pid);
  EXPECT_EQ(sup_->View(a)->pid, pid);
}

TEST_F(SupervisorTest, AProcessCrashIsAFailureOfEachOfItsJobs) {
  Mode("run");
  std::string a = Submit(), b = Submit();
  Start();
  ASSERT_TRUE(Eventually([&] {
    auto v = sup_->View(a), w = sup_->View(b);
    return v && w && v->pid > 0 && v->pid == w->pid && v->state == "running";
  }));
  kill(sup_->View(a)->pid, SIGKILL);
  ASSERT_TRUE(Eventually([&] { return Failures(a).size() == 1 && Failures(b).size() == 1; }));
  for (const auto& id : {a, b}) {
    EXPECT_NE(Failures(id).back().find("signal 9"), std::string::npos) << Failures(id).back();
    EXPECT_NE(Failures(id).back().find("restarting in 1000 ms"), std::string::npos);
  }
  now_ += 1000;
  ASSERT_TRUE(Eventually([&] {
    auto v = sup_->View(a), w = sup_->View(b);
    return v->pid > 0 && v->pid == w->pid && v->state == "running" && w->state == "running";
  }));
}

// On a store shared by nodes, a job submitted on another node is claimed the moment the store
// tells (its NOTIFY, heard by the supervisor's listener), not at the next tick.
TEST(SupervisorOnPostgres, AJobSubmittedElsewhereIsClaimedAtOnceNotAtTheNextTick) {
  const std::string url = store::PgServer::Get().NewDatabase();
  store::postgres::PostgresStore mine(url, 2), other(url, 2);
  testing::TempDir dir;
  SupervisorOptions o;
  o.floe_binary = "/bin/true";  // the claim is what is looked at, not the process
  o.lock_dir = dir.File("run");
  o.tick_ms = 10'000;
  o.node_id = "n1";
  o.holder = "n1/0";
  Supervisor sup(mine, o);
  sup.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // its first tick: present
  store::JobRecord j = floe::testing::TestJob("job1", "1000000000000001");  // a system template
  const auto submitted = std::chrono::steady_clock::now();
  ASSERT_EQ(other.InsertJob(j, {})->outcome, store::JobInsertOutcome::kInserted);
  auto assigned = [&] {
    auto events = mine.ListJobEvents("job1", 100);
    return events.ok() && std::any_of(events->begin(), events->end(),
                                      [](const auto& e) { return e.event == "assigned"; });
  };
  while (!assigned() && std::chrono::steady_clock::now() - submitted < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(assigned());
  EXPECT_LT(std::chrono::steady_clock::now() - submitted, std::chrono::seconds(2))
      << "claimed at a tick (10 s), not when told";
  sup.Shutdown();
}

}  // namespace
}  // namespace floe::runtime
