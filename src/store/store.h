// The Store interface: everything Floe keeps durably. Implementations: sqlite/ (one node) and
// postgres/ (many nodes). A call that returns without error has been made durable.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace floe::store {

using core::Result;

class Store {
 public:
  virtual ~Store() = default;

  // Accounts and keys.
  // Creates the account and, in the same transaction, its first key if given.
  virtual Result<void> CreateAccount(const Account& account,
                                     const std::optional<AccessKey>& first_key = {}) = 0;
  virtual Result<std::optional<Account>> GetAccount(const std::string& account_id) = 0;
  virtual Result<std::optional<Account>> GetRootAccount() = 0;  // the first account created
  // Returns false when the account does not exist.
  virtual Result<bool> SetIceEnabled(const std::string& account_id, bool enabled) = 0;
  virtual Result<void> CreateAccessKey(const AccessKey& key) = 0;
  virtual Result<std::optional<AccessKey>> GetAccessKey(const std::string& access_key_id) = 0;
  // Return false when there is no such key.
  virtual Result<bool> SetAccessKeyActive(const std::string& access_key_id, bool active) = 0;
  virtual Result<bool> DeleteAccessKey(const std::string& access_key_id) = 0;
  // Rewrites every unsealed secret with seal(secret), in one transaction. Returns how many.
  virtual Result<int> SealPlaintextSecrets(
      const std::function<std::string(const std::string&)>& seal) = 0;

  // RAM users and their policy documents (validated before they get here).
  // CreateRamUser returns false when the account already has a user of that name.
  virtual Result<bool> CreateRamUser(const RamUser& user) = 0;
  virtual Result<std::optional<RamUser>> GetRamUser(const std::string& account_id,
                                                    const std::string& user_name) = 0;
  virtual Result<void> AttachPolicy(const std::string& account_id, const std::string& user_name,
                                    const std::string& document) = 0;
  virtual Result<std::vector<std::string>> ListPolicies(const std::string& account_id,
                                                        const std::string& user_name) = 0;

  // Records a request nonce until expires_ms, durably. Returns false when it is already
  // recorded and not yet expired (a replay).
  virtual Result<bool> UseNonce(const std::string& nonce_key, int64_t now_ms,
                                int64_t expires_ms) = 0;

  // Templates. Reads see the account's own templates and the system ones.
  // Inserts a customized template unless its account has max_per_account of them already
  // (0: no limit; counted in the insert's transaction, so concurrent creates cannot pass the
  // limit together): false then, and nothing is written.
  virtual Result<bool> InsertTemplate(const TemplateRecord& t, int max_per_account = 0) = 0;
  virtual Result<std::optional<TemplateRecord>> GetTemplate(const std::string& account_id,
                                                            const std::string& template_id) = 0;
  virtual Result<TemplatePage> ListTemplates(const TemplateQuery& q) = 0;

  // Read-modify-write of one customized template of the account, atomically: `mutate` sees the
  // current record and returns the new one (or an error, and nothing changes). kNotFound when
  // the account has no such customized template, kInUse when a job that is not stopped uses it
  // (checked in the same transaction, so no job can be submitted on it meanwhile).
  using TemplateMutation = std::function<Result<TemplateRecord>(const TemplateRecord& current)>;
  virtual Result<TemplateWrite> UpdateTemplate(const std::string& account_id,
                                               const std::string& template_id,
                                               const TemplateMutation& mutate) = 0;
  // Deletes one customized template of the account, unless a job not stopped uses it.
  virtual Result<TemplateWrite> DeleteTemplate(const std::string& account_id,
                                               const std::string& template_id) = 0;

  // Templates of the recording and snapshot families, by family. Insert refuses past
  // max_per_account of the family (0: no limit; counted in its transaction): false. Update
  // replaces name and body (and LastModified) of one of the account's templates; it and Delete
  // say false when the account has no such template.
  virtual Result<bool> InsertFamilyTemplate(const FamilyTemplateRecord& t,
                                            int max_per_account = 0) = 0;
  virtual Result<std::optional<FamilyTemplateRecord>> GetFamilyTemplate(
      const std::string& family, const std::string& account_id, const std::string& template_id) = 0;
  virtual Result<FamilyTemplatePage> ListFamilyTemplates(const FamilyTemplateQuery& q) = 0;
  virtual Result<bool> UpdateFamilyTemplate(const FamilyTemplateRecord& t) = 0;
  virtual Result<bool> DeleteFamilyTemplate(const std::string& family,
                                            const std::string& account_id,
                                            const std::string& template_id) = 0;

  // Jobs. InsertJob reads the template (the account's or a system one) in the same transaction
  // as it inserts the job, copying its name, type and configuration into the job, and counts
  // the jobs that are not stopped, and the account's stored jobs, against `limits` there too
  // (so concurrent submits cannot pass a limit together). It records the "submitted" event too.
  // A job keeps its newest kMaxJobEvents events (store/job_history.h): each event recorded
  // past them drops the oldest, counted in the job's events_dropped.
  virtual Result<JobInsert> InsertJob(JobRecord job, const JobLimits& limits) = 0;
  virtual Result<std::optional<JobRecord>> GetJob(const std::string& account_id,
                                                  const std::string& job_id) = 0;
  virtual Result<JobPage> ListJobs(const JobQuery& q) = 0;
  // Jobs of every account that are not stopped: what the runtime must (soon) run.
  virtual Result<std::vector<JobRecord>> ListLiveJobs() = 0;
  // Read-modify-write of one job, atomically; false when the account has no such job. The
  // events returned by `mutate` are recorded in the same transaction. The store keeps the
  // job's stop_time_ms (store/job_history.h) whatever `mutate` says of it.
  using JobMutation =
      std::function<Result<JobRecord>(const JobRecord& current, std::vector<JobEvent>& events)>;
  virtual Result<bool> UpdateJob(const std::string& account_id, const std::string& job_id,
                                 const JobMutation& mutate) = 0;
  // Deletes a job and its events; false when the account has no such job.
  virtual Result<bool> DeleteJob(const std::string& account_id, const std::string& job_id) = 0;
  // Retention: deletes up to `limit` jobs (of every account) stopped before stopped_before_ms,
  // oldest stop first, with their events. Returns how many.
  virtual Result<int> DeleteStoppedJobs(int64_t stopped_before_ms, int limit) = 0;
  virtual Result<void> AddJobEvent(const JobEvent& e) = 0;

  // LiveCenter domains, each owned by one account. AddDomain returns false when the name is
  // taken (by any account); DeleteDomain false when there is no such domain.
  virtual Result<bool> AddDomain(const Domain& d) = 0;
  virtual Result<std::optional<Domain>> GetDomain(const std::string& name) = 0;
  // Every domain, or one account's; by name.
  virtual Result<std::vector<Domain>> ListDomains(const std::optional<std::string>& account_id) = 0;
  virtual Result<bool> DeleteDomain(const std::string& name) = 0;

  // The catalogue of record jobs' files. InsertRecordFile false when the id is there already
  // (a file catalogued twice, by a process that restarted); the others see the account's
  // files only.
  virtual Result<bool> InsertRecordFile(const RecordFileRecord& f) = 0;
  virtual Result<RecordFilePage> ListRecordFiles(const RecordFileQuery& q) = 0;
  virtual Result<std::optional<RecordFileRecord>> GetRecordFile(const std::string& account_id,
                                                                const std::string& record_id) = 0;
  virtual Result<bool> DeleteRecordFile(const std::string& account_id,
                                        const std::string& record_id) = 0;

  // The catalogue of snapshot jobs' pictures. PutSnapshotFile replaces the row of the same
  // shot (a job's overlay has one row); ListSnapshotFiles returns up to q.limit shots of one
  // job of the account, by time; DeleteSnapshotFile removes a sequence shot (never an
  // overlay), false when there is none at that time.
  virtual Result<void> PutSnapshotFile(const SnapshotFileRecord& f) = 0;
  virtual Result<std::vector<SnapshotFileRecord>> ListSnapshotFiles(const SnapshotFileQuery& q) = 0;
  virtual Result<std::vector<SnapshotFileRecord>> GetSnapshotFiles(const std::string& account_id,
                                                                   const std::string& job_id,
                                                                   int64_t create_time_ms) = 0;
  virtual Result<bool> DeleteSnapshotFile(const std::string& account_id, const std::string& job_id,
                                          int64_t create_time_ms) = 0;

  // Buckets (records.h), as domains: AddBucket false when the name is taken, DeleteBucket false
  // when there is no such bucket (its files stay where they are).
  virtual Result<bool> AddBucket(const Bucket& b) = 0;
  virtual Result<std::optional<Bucket>> GetBucket(const std::string& name) = 0;
  // By name; all accounts' when account_id is nullopt.
  virtual Result<std::vector<Bucket>> ListBuckets(const std::optional<std::string>& account_id) = 0;
  virtual Result<bool> DeleteBucket(const std::string& name) = 0;
  // The newest `limit` events of a job, oldest first.
  virtual Result<std::vector<JobEvent>> ListJobEvents(const std::string& job_id, int limit) = 0;

  // Leases (records.h), on the store's own clock (PostgreSQL's, shared by every node).
  // A node's heartbeat: records it (its capacity and use, for the others and the metrics), lets
  // go of its leases on stopped jobs, extends the others by lease_ms, and returns them.
  virtual Result<std::vector<Lease>> Heartbeat(const NodeState& node, int64_t lease_ms) = 0;
  // In one transaction: the running jobs that no live lease holds (those on preferred inputs
  // first, then those never leased or whose lease expired longest ago, then the oldest; rows
  // another node is claiming are skipped, not waited for) are
  // taken while their cost fits the room of the request (store/leases.h), each leased to
  // req.holder under a new epoch with an "assigned" event. The leases taken are returned.
  virtual Result<std::vector<Lease>> ClaimJobs(const ClaimRequest& req) = 0;
  // Lets go of the holder's leases on these jobs, or (empty) all of them and its node record.
  virtual Result<void> ReleaseLeases(const std::string& holder,
                                     const std::vector<std::string>& job_ids) = 0;
  // Every node that sent a heartbeat in the last `within_ms`.
  virtual Result<std::vector<NodeState>> ListNodes(int64_t within_ms) = 0;
  // Forgets every lease and node: for a store that only one node can open, as that node starts.
  virtual Result<void> ResetLeases() = 0;
  // Changes to AccessKeys, accounts and policies made by any node (auth/identity_cache.h): a
  // store shared by nodes calls `changed(true)` once it can tell of them and after each one,
  // and `changed(false)` while it cannot (it is trying to again), from a thread of its own;
  // nullptr stops it (and waits for a call in progress). A store one node opens never calls.
  virtual void WatchIdentity(std::function<void(bool watching)> changed) { (void)changed; }
  // Claimable jobs, anywhere in the cluster (a job submitted on another node, leases expired by
  // the watcher or run out): a store shared by nodes calls `claim()` from a thread of its own the
  // moment it is told (and whenever it starts listening again, as it may have missed some), so
  // that a node claims at once rather than at its next tick; nullptr stops it. A store one node
  // opens never calls.
  virtual void WatchClaims(std::function<void()> claim) { (void)claim; }
  // Whether the store answers now (one trivial read): for /healthz.
  virtual Result<void> Ping() = 0;
  // Presence, for a node that runs jobs, called every tick (records.h, Presence). A store shared
  // by nodes keeps a session of the node's own open in which it holds a lock while it lives, so
  // that its death (its session ends with it) frees its jobs at once, not when their leases run
  // out; one node at a time also watches the others' sessions and expires the leases of a node
  // whose session has been gone for kPresenceGraceMs. A store one node opens has nothing to do.
  virtual Result<Presence> TendPresence(const std::string& holder) {
    (void)holder;
    return Presence{};
  }

  // Rate limits across nodes (auth/rate_share.h): adds `mine` (requests per AccessKey this
  // holder admitted since its last share) to its running totals, and returns the running totals
  // of the other holders that changed in the last `within_ms`. A store that only one node opens
  // (SQLite) has no others: it answers none.
  virtual Result<std::vector<RateCount>> ShareRateCounts(const std::string& holder,
                                                         const std::vector<RateCount>& mine,
                                                         int64_t within_ms) = 0;
};

}  // namespace floe::store
