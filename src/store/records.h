// The values the store keeps: plain structs, no behaviour, shared by every Store implementation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace floe::store {

struct Account {
  std::string account_id;
  std::string name;
  bool ice_enabled = false;
  int64_t create_time_ms = 0;
};

struct AccessKey {
  std::string access_key_id;
  std::string secret;  // sealed (AES-256-GCM, see auth/secret_box.h) when `sealed`
  std::string account_id;
  std::string user_name;  // empty: the account's root key
  bool active = true;
  int64_t create_time_ms = 0;
  bool sealed = true;  // false only for keys written before secrets were sealed (schema < 3)
};

struct RamUser {
  std::string account_id;
  std::string user_name;
  int64_t create_time_ms = 0;
};

struct TemplateRecord {
  std::string template_id;
  std::string account_id;  // empty for system templates
  std::string name;
  std::string type;         // normal | narrow-band | audio-only | origin
  std::string category;     // system | customized
  std::string video_codec;  // copy of VideoParams.Codec, for filtering
  std::string config_json;  // canonical TemplateConfig JSON
  int64_t create_time_ms = 0;
};

struct TemplateQuery {
  std::string account_id;
  std::optional<std::string> type;
  std::optional<std::string> video_codec;
  std::optional<std::string> category;
  std::optional<std::string> keyword;  // TemplateId exactly, or a substring of the name
  bool ascending = false;              // by CreateTime
  int page_no = 1;
  int page_size = 10;
};

struct TemplatePage {
  int64_t total_count = 0;
  std::vector<TemplateRecord> items;
};

// A template of the live recording or live snapshot family (ice/record_templates.h,
// ice/snapshot_templates.h): a name and the family's settings as one canonical JSON text.
// Only customized ones are stored (Type "custom"); a job keeps its own copy.
struct FamilyTemplateRecord {
  std::string family;  // record | snapshot
  std::string template_id;
  std::string account_id;
  std::string name;
  std::string body_json;  // record: the RecordFormatList array; snapshot: its settings object
  int64_t create_time_ms = 0;
  int64_t last_modified_ms = 0;
};

struct FamilyTemplateQuery {
  std::string family;
  std::string account_id;
  std::optional<std::string> keyword;     // TemplateId exactly, or a substring of the name
  std::vector<std::string> template_ids;  // empty: any
  bool ascending = false;                 // by CreateTime
  int page_no = 1;
  int page_size = 10;
};

struct FamilyTemplatePage {
  int64_t total_count = 0;
  std::vector<FamilyTemplateRecord> items;
};

// A job's Status, as the API numbers it.
enum class JobStatus : int { kNotStarted = 0, kRunning = 1, kStopped = 2 };
// A job's StartMode, as the API numbers it: now, or at its TimedConfig's StartTime.
enum class StartMode : int { kNow = 0, kTimed = 1 };
constexpr int ApiValue(JobStatus s) {
  return static_cast<int>(s);
}
constexpr int ApiValue(StartMode m) {
  return static_cast<int>(m);
}

// A live transcoding job. The template's name, type and configuration are copied in when the
// job is submitted (the template cannot change while a job that is not stopped uses it).
struct JobRecord {
  std::string job_id;
  std::string account_id;
  std::string name;
  std::string template_id;
  std::string template_name;
  std::string template_type;
  std::string template_config;  // canonical TemplateConfig JSON
  StartMode start_mode = StartMode::kNow;
  JobStatus status = JobStatus::kNotStarted;
  std::string input_type;  // rtmp | srt | hls
  std::string input_url;
  std::string backup_input_url;  // optional, same Type (a Floe extension)
  std::string output_type;       // LiveCenter | rtmp
  std::string output_domain;     // LiveCenter's DomainName
  std::string output_url;        // where the rendition is pushed (resolved at submit)
  // Which family of the API the job is of: "transcode" (LiveTranscode…), "record"
  // (LiveRecord…: template_id names a record template, its RecordFormat list is copied into
  // template_config at submit; output_domain is RecordOutput's bucket, output_url that bucket's
  // directory, resolved at submit; output_json the RecordOutput as the API shows it), or
  // "snapshot" (LiveSnapshot…: likewise with the snapshot template's settings and SnapshotOutput).
  std::string family = "transcode";
  std::string output_json;
  std::string notify_url;     // record: NotifyUrl, snapshot: CallbackUrl (optional)
  int64_t start_time_ms = 0;  // timed jobs only (0: none)
  int64_t end_time_ms = 0;
  int64_t create_time_ms = 0;
  // Kept by the lease protocol (store.h), read-only for the rest: no node has room for it yet
  // (the API shows a running job that waits as not started), and who runs it under which epoch.
  bool waiting = false;
  std::string lease_holder;
  int64_t lease_epoch = 0;
  // Kept by the store (store/job_history.h), read-only for the rest: when the job was stopped
  // (0: it is not), and how many of its oldest events were dropped past kMaxJobEvents.
  int64_t stop_time_ms = 0;
  int64_t events_dropped = 0;
};

// The Status the API shows: a running job that no node has room for yet is not started.
inline int ApiStatus(const JobRecord& j) {
  return j.status == JobStatus::kRunning && j.waiting ? ApiValue(JobStatus::kNotStarted)
                                                      : ApiValue(j.status);
}

struct JobQuery {
  std::string account_id;
  std::string family = "transcode";  // a family's actions list only its own jobs
  std::optional<std::string> type;   // the template's Type
  std::optional<StartMode> start_mode;
  std::optional<JobStatus> status;                 // as the API shows it (ApiStatus)
  std::optional<std::string> keyword;              // JobId exactly, or a substring of the name
  int64_t created_from_ms = 0, created_to_ms = 0;  // CreateTime within [from, to) (0: any)
  bool ascending = false;                          // by CreateTime
  int page_no = 1;
  int page_size = 10;
};

struct JobPage {
  int64_t total_count = 0;
  std::vector<JobRecord> items;
};

// One line of a job's event log: submitted, started, input_lost, reconnected, failed, stopped…
struct JobEvent {
  std::string job_id;
  int64_t time_ms = 0;
  std::string event;
  std::string detail;
};

// A LiveCenter domain: the jobs of its one account that output to it push to push_base.
struct Domain {
  std::string name;  // lower case
  std::string account_id;
  std::string push_base;  // rtmp://HOST:PORT
  int64_t create_time_ms = 0;
};

// A bucket: Floe's stand-in for the OSS bucket a record or snapshot job names. It belongs to
// one account; its files live in `dir` (shared storage in a cluster).
struct Bucket {
  std::string name;  // unique in the deployment, as OSS bucket names are
  std::string account_id;
  std::string endpoint;  // what a job's Endpoint must say ("": any)
  std::string dir;       // absolute
  int64_t create_time_ms = 0;
};

// One file a record job wrote (for m3u8, its playlist: ListLiveRecordFiles' "index file"), as
// the catalogue keeps it.
struct RecordFileRecord {
  std::string record_id;  // 32 hex: ListLiveRecordFiles' RecordId
  std::string account_id, job_id, job_name;
  std::string format;          // m3u8 | flv | mp4
  std::string bucket, object;  // where it is: the bucket's directory / object
  std::string output_json;     // the job's RecordOutput, as ListLiveRecordFiles echoes it
  std::string stream_url;      // the job's input
  int64_t start_time_ms = 0, end_time_ms = 0, create_time_ms = 0;
  int64_t duration_ms = 0, size_bytes = 0;
  int width = 0, height = 0;
};

struct RecordFileQuery {
  std::string account_id;
  int64_t start_ms = 0, end_ms = 0;  // files that start within [start_ms, end_ms)
  std::optional<std::string> format;
  std::vector<std::string> job_ids;  // empty: any
  bool ascending = true;             // by start time
  int page_no = 1;
  int page_size = 10;
};

struct RecordFilePage {
  int64_t total_count = 0;
  std::vector<RecordFileRecord> items;
};

// One picture a snapshot job took, as the catalogue keeps it: a sequence object per shot, or
// the job's one overwrite object (overlay), whose row is replaced at each shot.
struct SnapshotFileRecord {
  std::string account_id, job_id;
  int64_t create_time_ms = 0;  // ListLiveSnapshotFiles' CreateTimestamp
  bool overlay = false;
  std::string bucket, endpoint, object;
  int64_t size_bytes = 0;
  int width = 0, height = 0;
};

// A shot's key in the catalogue: the job's overlay, or its sequence shot of that time.
inline std::string SnapshotShotKey(const SnapshotFileRecord& f) {
  return f.account_id + "/" + f.job_id +
         (f.overlay ? "/overlay" : "/" + std::to_string(f.create_time_ms));
}

struct SnapshotFileQuery {
  std::string account_id, job_id;
  int64_t start_ms = 0, end_ms = 0;  // taken within [start_ms, end_ms)
  bool ascending = true;             // by CreateTimestamp
  int limit = 10;
};

// What a template change or delete found.
enum class TemplateWrite { kDone, kNotFound, kInUse };

// Most jobs that are not stopped (0: no limit), for one account and for the whole store, and
// most jobs one account keeps in the store, stopped ones too.
struct JobLimits {
  int per_account = 0;
  int total = 0;
  int stored_per_account = 0;
};
// What a job insert did: inserted (job holds the stored record), or why not.
enum class JobInsertOutcome { kInserted, kNoTemplate, kAccountLimit, kTotalLimit, kStoredLimit };
struct JobInsert {
  JobInsertOutcome outcome = JobInsertOutcome::kInserted;
  JobRecord job;
  int live_jobs = 0;    // jobs not stopped that the limit counted (for the message)
  int stored_jobs = 0;  // kStoredLimit: the account's jobs in the store
};

// Leases: which node runs which job. The holder is one run of one node ("NODE-ID/INSTANCE"), so
// that a node restarted under the same name never takes over its former self's leases
// unknowingly. A claim raises the job's epoch; the holder's heartbeats push the expiry forward.
// Costs and capacities are in thousandths of a core (runtime/cost.h).
struct Lease {
  std::string job_id;
  int64_t epoch = 0;
  int64_t cost_mc = 0;    // ClaimJobs: what the job costs
  std::string input_url;  // ClaimJobs: the input it decodes
};

// Requests admitted per AccessKey (rate limits across nodes, auth/rate_share.h): a node's count
// since its last share, or (answered) another node's running total.
struct RateCount {
  std::string holder;  // the node instance ("NODE/INSTANCE")
  std::string access_key_id;
  int64_t count = 0;
};

struct NodeState {
  std::string holder;
  std::string node_id;
  int64_t capacity_mc = 0;
  int64_t used_mc = 0;
  int jobs = 0;
  int64_t heartbeat_ms = 0;  // ListNodes: the store's clock at its last heartbeat
  int64_t age_ms = 0;        // ListNodes: since then
  bool present = false;      // Heartbeat: it holds its presence (Store::TendPresence)
};

// What Store::TendPresence says. held: the node's presence session is open and its lock held;
// lost: it was held and is not any more (the watcher may expire this node's leases soon: the
// node must cut its outputs now); claim_now: jobs may be claimable (a job was submitted or
// leases were freed since the last call); expired: leases this call expired as the watcher.
struct Presence {
  bool held = false;
  bool lost = false;
  bool claim_now = false;
  int expired = 0;
  // The watcher's next look is due sooner than a tick: in this many ms a lease runs out or a
  // gone node's grace ends (-1: nothing before the next tick).
  int64_t look_in_ms = -1;
};
// How long a node's presence session is gone before the watcher expires its leases: longer
// than a node takes to see its own session gone and cut its outputs (one tick, 200 ms).
inline constexpr int64_t kPresenceGraceMs = 600;

struct ClaimRequest {
  std::string holder;
  int64_t lease_ms = 0;
  int limit = 64;  // most claimable jobs looked at, in one transaction
  // Room: jobs are taken while their cost fits in free_mc (capacity_mc 0: no limit).
  int64_t capacity_mc = 0;
  int64_t free_mc = 0;
  std::function<int64_t(const JobRecord&)> cost;  // nullptr: every job costs 0
  // Inputs (URLs) the node decodes already: their jobs are offered first. A job whose input
  // another live node decodes, and this one does not, is left to that node for defer_ms.
  std::vector<std::string> preferred_inputs;
  int64_t defer_ms = 0;
  // A job declined for room after it has waited this long for a node is marked waiting, with
  // a waiting_for_capacity event.
  int64_t wait_after_ms = 0;
  // Nodes whose last heartbeat is this recent are the peers a new job may be left to, for
  // defer_ms, when they have more room (PlanClaims); 0: no peers, this node takes what fits.
  int64_t peer_window_ms = 0;
};

}  // namespace floe::store
