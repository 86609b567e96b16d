// The job runtime of `floe serve`: runs every job that should be running in a child process
// (`floe run-job`), so a broken stream or a codec crash never takes the API down. Jobs with the
// same StreamInput (type, URL, backup) share one process, one demux and one decode: a group.
//
// A loop looks at the store a few times a second (and at once when woken): timed jobs are
// started at StartTime and stopped at EndTime (status written to the store first). A job that
// is running is added to its group's process (started when the group has none); a job that is
// not is removed from it (runtime/protocol.h), and a group left without jobs loses its process
// (SIGTERM, then SIGKILL after a grace period). A job whose rendition fails is added again
// after its own backoff while the others run on; a process that dies while its jobs should run
// is restarted with exponential backoff, a failure of each of its jobs. What a process reports
// (typed events and stats) becomes its jobs' event logs and stats. The children die with the
// server (PR_SET_PDEATHSIG) and take a per-job lock, so after a crash and restart of the
// server no job ever runs twice.
//
// Which jobs a node runs is settled by leases in the store (store.h): the node claims running
// jobs that no live lease holds — those on inputs it already decodes first — while its capacity
// has room for their cost (runtime/cost.h), heartbeats to extend its leases, and runs only the
// jobs it holds. Each process is told how long the leases hold (lease_ms less a margin, from the
// moment before the heartbeat was sent); a process not told again in time cuts its outputs and
// exits, so a node that is paused or cut off from the store stops pushing before its leases
// expire and another node claims the jobs. A job that no node has room for waits (the store
// marks it, with a waiting_for_capacity event) until one has.
//
// The parts, each readable alone: runtime/lease_keeper.h (the node's leases: claims,
// heartbeats, presence), runtime/media_process.h (one process and its pipes),
// runtime/protocol.h (the lines that go through them), runtime/timed_jobs.h (StartTime and
// EndTime), runtime/file_catalogue.h (record and snapshot jobs' files into the store). This file is
// the loop that joins them: which jobs run in which group's process, their states, backoff and
// events.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/backoff.h"
#include "runtime/file_catalogue.h"
#include "runtime/job_runtime.h"
#include "runtime/lease_keeper.h"
#include "runtime/media_process.h"
#include "runtime/supervisor_options.h"
#include "store/store.h"

namespace floe::runtime {

class Supervisor final : public JobRuntime {
 public:
  using Clock = std::function<int64_t()>;
  Supervisor(store::Store& store, SupervisorOptions options, Clock clock = nullptr);
  ~Supervisor() override;

  void Start();
  // Ends every process; jobs keep their status in the store and run again at the next Start.
  void Shutdown();

  void Wake() override;
  bool WaitStopped(const std::string& job_id, std::chrono::milliseconds limit) override;
  std::optional<JobProcessView> View(const std::string& job_id) override;

  // For /metrics: each job the runtime has, as View shows it, and each media process running.
  struct JobSample {
    std::string job_id, template_id;
    JobProcessView view;
    std::string family;  // transcode | record | snapshot
  };
  struct ProcessSample {
    std::string name;  // its --group: the first job it was started for
    int pid = 0;
  };
  struct Sample {
    std::vector<JobSample> jobs;
    std::vector<ProcessSample> processes;
    std::string node_id;
    int64_t capacity_mc = 0, used_mc = 0;
    int leases = 0;
    int64_t heartbeat_age_ms = -1;  // since the last heartbeat the store took (-1: none yet)
    // Since this node started: record jobs' files and snapshot jobs' pictures catalogued.
    int64_t record_files = 0, record_file_bytes = 0, snapshots = 0, snapshot_bytes = 0;
  };
  Sample Snapshot();

 private:
  // One job, as the runtime sees it.
  struct Job {
    store::JobRecord job;
    std::string group;      // its group's key
    bool wanted = true;     // its status says running
    bool added = false;     // its group's process has it (start or add sent)
    bool removing = false;  // a remove was sent: gone once the process says so
    int64_t remove_by_ms = 0;
    int64_t next_add_ms = 0;      // after its rendition failed: when to add it again
    core::Backoff backoff{0, 0};  // of its rendition's failures (set when it is created)
    int64_t added_ms = 0;
    bool filed = false;  // its process (since it was added) reported a file or picture
    int64_t files = 0, file_bytes = 0;  // catalogued since it came to this node
    int64_t input_seen_ms = 0;  // when its input was last there ("running"), or it came here
    int restarts = 0;
    std::string state = "starting";
    std::string last_error;
    std::string stats_json;
  };
  // One process and the input its jobs share.
  struct Group {
    std::string key;
    std::string name;  // its process's --group
    MediaProcess proc;
    bool stopping = false;
    int64_t kill_at_ms = 0;
    int64_t next_start_ms = 0;
    int64_t started_ms = 0;
    core::Backoff backoff{0, 0};  // of its process's failures (set when it is created)
    std::string exit_reason;  // how the last process ended ("exit code 1", "killed by signal 9")
    std::string fatal;        // what it reported before it ended, if anything
  };
  struct Record {  // an event for the store, written without the lock
    std::string job_id, event, detail;
  };

  void Loop();
  void Tick();
  // Presence lost (LeaseKeeper::TendPresence): every process cuts its outputs now.
  void CutOutputs();
  void SendLeasesLocked(int64_t steady);
  // How long the leases of these jobs still hold (at least 1 ms; 0: it holds none of them).
  int64_t LeaseLeftLocked(const std::vector<Job*>& jobs, int64_t steady) const;
  void Spawn(Group& g, const std::vector<Job*>& first, int64_t now);
  void Reap(std::vector<std::shared_ptr<Group>>& exited, int64_t now);
  void OnLine(const std::string& group, const std::string& line);
  // One more file (picture) of `bytes` catalogued for the job: the node's and the job's own
  // figures (Sample, Process, metrics).
  void CountFile(const store::JobRecord& job, int64_t bytes);
  // Record and snapshot jobs whose input has been away record_input_wait_ms end (a record
  // job's files are closed).
  std::vector<store::JobRecord> InputGoneLocked(int64_t now);
  void EndInputGone(const std::vector<store::JobRecord>& jobs, int64_t now);
  void Event(const std::string& job_id, const std::string& event, const std::string& detail);
  std::vector<Job*> MembersLocked(const std::string& group);
  JobProcessView ViewLocked(const Job& j);

  store::Store& store_;
  SupervisorOptions opt_;
  Clock clock_;
  std::mutex mu_;
  std::condition_variable cv_;       // wakes the loop
  std::condition_variable gone_cv_;  // a process went away
  bool wake_ = false;
  bool stop_ = false;
  // What the catalogue took of the processes' files and pictures (Sample), under mu_.
  int64_t record_files_ = 0, record_file_bytes_ = 0, snapshots_ = 0, snapshot_bytes_ = 0;
  int64_t next_timed_ms_ = 0;  // the next StartTime or EndTime due (0: none), under mu_
  int64_t next_look_ms_ = 0;   // steady ms of the watcher's next look, if before a tick (0: none)
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::map<std::string, std::shared_ptr<Group>> groups_;
  LeaseKeeper leases_;       // its own lock: taken under mu_, never the other way round
  FileCatalogue catalogue_;  // called from the reader threads, without mu_
  bool claim_now_ = false;   // under mu_: Wake asks for a claim
  // The store's claim notifications (another node's submit, leases freed anywhere), under mu_:
  // they wake the loop, but a burst of them ticks at most every kClaimWakeGapMs.
  static constexpr int64_t kClaimWakeGapMs = 50;
  bool claims_wake_ = false;
  int64_t last_tick_ms_ = 0;  // steady ms
  void WakeForClaims();
  std::thread loop_;
};

}  // namespace floe::runtime
