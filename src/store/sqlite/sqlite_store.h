// The embedded Store: one SQLite file in WAL mode with synchronous=FULL. Reads run in parallel
// on a pool of connections; writes go through one writer thread that commits whatever is queued
// in one transaction (group commit), each operation inside its own savepoint.
#pragma once

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/sqlite/db.h"
#include "store/store.h"

namespace floe::store::sqlite {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database file and applies pending migrations. lease_clock: the clock of
  // the leases (heartbeats, claims, node ages), wall-clock milliseconds; tests inject one.
  explicit SqliteStore(const std::string& path, std::function<int64_t()> lease_clock = nullptr);
  ~SqliteStore() override;

  Result<void> CreateAccount(const Account& account,
                             const std::optional<AccessKey>& first_key = {}) override;
  Result<std::optional<Account>> GetAccount(const std::string& account_id) override;
  Result<std::optional<Account>> GetRootAccount() override;
  Result<bool> SetIceEnabled(const std::string& account_id, bool enabled) override;
  Result<void> CreateAccessKey(const AccessKey& key) override;
  Result<std::optional<AccessKey>> GetAccessKey(const std::string& access_key_id) override;
  Result<bool> SetAccessKeyActive(const std::string& access_key_id, bool active) override;
  Result<bool> DeleteAccessKey(const std::string& access_key_id) override;
  Result<int> SealPlaintextSecrets(
      const std::function<std::string(const std::string&)>& seal) override;

  Result<bool> CreateRamUser(const RamUser& user) override;
  Result<std::optional<RamUser>> GetRamUser(const std::string& account_id,
                                            const std::string& user_name) override;
  Result<void> AttachPolicy(const std::string& account_id, const std::string& user_name,
                            const std::string& document) override;
  Result<std::vector<std::string>> ListPolicies(const std::string& account_id,
                                                const std::string& user_name) override;
  Result<bool> UseNonce(const std::string& nonce_key, int64_t now_ms, int64_t expires_ms) override;

  Result<bool> InsertTemplate(const TemplateRecord& t, int max_per_account = 0) override;
  Result<std::optional<TemplateRecord>> GetTemplate(const std::string& account_id,
                                                    const std::string& template_id) override;
  Result<TemplatePage> ListTemplates(const TemplateQuery& q) override;
  Result<TemplateWrite> UpdateTemplate(const std::string& account_id,
                                       const std::string& template_id,
                                       const TemplateMutation& mutate) override;
  Result<TemplateWrite> DeleteTemplate(const std::string& account_id,
                                       const std::string& template_id) override;
  Result<bool> InsertFamilyTemplate(const FamilyTemplateRecord& t,
                                    int max_per_account = 0) override;
  Result<std::optional<FamilyTemplateRecord>> GetFamilyTemplate(
      const std::string& family, const std::string& account_id,
      const std::string& template_id) override;
  Result<FamilyTemplatePage> ListFamilyTemplates(const FamilyTemplateQuery& q) override;
  Result<bool> UpdateFamilyTemplate(const FamilyTemplateRecord& t) override;
  Result<bool> DeleteFamilyTemplate(const std::string& family, const std::string& account_id,
                                    const std::string& template_id) override;

  Result<JobInsert> InsertJob(JobRecord job, const JobLimits& limits) override;
  // Domains (sqlite_domains.cc; identity, templates and jobs in sqlite_identity.cc,
  // sqlite_templates.cc and sqlite_jobs.cc).
  Result<bool> AddDomain(const Domain& d) override;
  Result<std::optional<Domain>> GetDomain(const std::string& name) override;
  Result<std::vector<Domain>> ListDomains(const std::optional<std::string>& account_id) override;
  Result<bool> DeleteDomain(const std::string& name) override;
  Result<void> PutSnapshotFile(const SnapshotFileRecord& f) override;
  Result<std::vector<SnapshotFileRecord>> ListSnapshotFiles(const SnapshotFileQuery& q) override;
  Result<std::vector<SnapshotFileRecord>> GetSnapshotFiles(const std::string& account_id,
                                                           const std::string& job_id,
                                                           int64_t create_time_ms) override;
  Result<bool> DeleteSnapshotFile(const std::string& account_id, const std::string& job_id,
                                  int64_t create_time_ms) override;
  Result<bool> InsertRecordFile(const RecordFileRecord& f) override;
  Result<RecordFilePage> ListRecordFiles(const RecordFileQuery& q) override;
  Result<std::optional<RecordFileRecord>> GetRecordFile(const std::string& account_id,
                                                        const std::string& record_id) override;
  Result<bool> DeleteRecordFile(const std::string& account_id,
                                const std::string& record_id) override;
  Result<bool> AddBucket(const Bucket& b) override;
  Result<std::optional<Bucket>> GetBucket(const std::string& name) override;
  Result<std::vector<Bucket>> ListBuckets(const std::optional<std::string>& account_id) override;
  Result<bool> DeleteBucket(const std::string& name) override;
  Result<std::optional<JobRecord>> GetJob(const std::string& account_id,
                                          const std::string& job_id) override;
  Result<JobPage> ListJobs(const JobQuery& q) override;
  Result<std::vector<JobRecord>> ListLiveJobs() override;
  Result<bool> UpdateJob(const std::string& account_id, const std::string& job_id,
                         const JobMutation& mutate) override;
  Result<bool> DeleteJob(const std::string& account_id, const std::string& job_id) override;
  Result<int> DeleteStoppedJobs(int64_t stopped_before_ms, int limit) override;
  Result<void> AddJobEvent(const JobEvent& e) override;
  Result<std::vector<JobEvent>> ListJobEvents(const std::string& job_id, int limit) override;

  // Leases (sqlite_leases.cc).
  Result<std::vector<Lease>> Heartbeat(const NodeState& node, int64_t lease_ms) override;
  Result<std::vector<Lease>> ClaimJobs(const ClaimRequest& req) override;
  Result<void> ReleaseLeases(const std::string& holder,
                             const std::vector<std::string>& job_ids) override;
  Result<std::vector<NodeState>> ListNodes(int64_t within_ms) override;
  Result<void> ResetLeases() override;
  Result<std::vector<RateCount>> ShareRateCounts(const std::string& holder,
                                                 const std::vector<RateCount>& mine,
                                                 int64_t within_ms) override;

  Result<void> Ping() override;
  int SchemaVersion();

 private:
  using WriteFn = std::function<Result<void>(Db&)>;
  struct WriteOp {
    WriteFn fn;
    std::promise<Result<void>> done;
  };

  // Runs fn on the writer connection inside a transaction; returns once it is durable.
  Result<void> Write(WriteFn fn);
  // Runs fn with a reader connection from the pool.
  template <class T>
  Result<T> Read(const std::function<T(Db&)>& fn);
  void WriterLoop();
  void Migrate();

  std::string path_;
  std::function<int64_t()> lease_clock_;
  std::unique_ptr<Db> writer_;
  std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<WriteOp*> queue_;
  bool stop_ = false;
  std::thread writer_thread_;

  // Runs a single-statement write and reports whether it changed a row.
  Result<bool> WriteChanged(const std::function<void(Db&)>& fn);

  // A job's columns as every SELECT of one reads them (kJobSelectCount of them), and the record
  // they make.
  static const std::string kJobSelect;
  static constexpr int kJobSelectCount = 26;
  static JobRecord JobFrom(const Stmt& s);
  // The holder's live leases (expiring at `now` or later).
  static std::vector<Lease> HeldBy(Db& db, const std::string& holder, int64_t now);

  static void InsertAccessKey(Db& db, const AccessKey& k);
  static void InsertJobEvent(Db& db, const JobEvent& e);
  static bool TemplateInUse(Db& db, const std::string& template_id);

  int64_t next_nonce_purge_ms_ = 0;  // writer thread only
  std::mutex read_mu_;
  std::vector<std::unique_ptr<Db>> readers_;  // idle reader connections
};

// Defined here so that each file of the store reads with it.
template <class T>
Result<T> SqliteStore::Read(const std::function<T(Db&)>& fn) {
  std::unique_ptr<Db> db;
  {
    std::lock_guard lock(read_mu_);
    if (!readers_.empty()) {
      db = std::move(readers_.back());
      readers_.pop_back();
    }
  }
  try {
    if (!db) db = std::make_unique<Db>(path_);
    T out = fn(*db);
    std::lock_guard lock(read_mu_);
    readers_.push_back(std::move(db));
    return out;
  } catch (const std::exception& e) {
    spdlog::error("event=store_read_error error=\"{}\"", e.what());
    return core::Error::Internal("store read failed");
  }
}

}  // namespace floe::store::sqlite
