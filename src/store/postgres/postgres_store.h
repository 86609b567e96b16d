// The shared Store of several nodes: one PostgreSQL database. Each operation is one
// transaction on a connection from a pool (committed before it returns: acknowledged means
// durable); read-modify-writes lock their rows (SELECT … FOR UPDATE), job inserts that count
// limits are serialized by a transaction-scoped advisory lock, and a transaction that loses a
// serialization race is run again. Versioned migrations are applied once, under an advisory
// lock, by whichever node starts first. A connection that breaks is reset; the operation it
// carried fails as Unavailable (its outcome unknown, so never acknowledged).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg.h"
#include "store/store.h"

namespace floe::store::postgres {

class PostgresStore final : public Store {
 public:
  // url: postgres://USER@HOST:PORT/DB (libpq's form). Connects, migrates; throws when it cannot.
  explicit PostgresStore(const std::string& url, int pool_size = 8);
  ~PostgresStore() override;

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
  // Transactions UseNonce has committed so far (fewer than its calls when they came together).
  int64_t nonce_commits() const { return nonce_commits_.load(); }

  // Templates (postgres_templates.cc).
  Result<bool> InsertTemplate(const TemplateRecord& t, int max_per_account = 0) override;
  Result<std::optional<TemplateRecord>> GetTemplate(const std::string& account_id,
                                                    const std::string& template_id) override;
  Result<TemplatePage> ListTemplates(const TemplateQuery& q) override;
  Result<TemplateWrite> UpdateTemplate(const std::string& account_id,
                                       const std::string& template_id,
                                       const TemplateMutation& mutate) override;
  Result<TemplateWrite> DeleteTemplate(const std::string& account_id,
                                       const std::string& template_id) override;
  // Updates that went in one round trip, on the version this node wrote last (for the tests).
  int64_t template_updates_on_known_version() const { return known_version_updates_.load(); }
  Result<bool> InsertFamilyTemplate(const FamilyTemplateRecord& t,
                                    int max_per_account = 0) override;
  Result<std::optional<FamilyTemplateRecord>> GetFamilyTemplate(
      const std::string& family, const std::string& account_id,
      const std::string& template_id) override;
  Result<FamilyTemplatePage> ListFamilyTemplates(const FamilyTemplateQuery& q) override;
  Result<bool> UpdateFamilyTemplate(const FamilyTemplateRecord& t) override;
  Result<bool> DeleteFamilyTemplate(const std::string& family, const std::string& account_id,
                                    const std::string& template_id) override;

  // Jobs and domains (postgres_jobs.cc).
  Result<JobInsert> InsertJob(JobRecord job, const JobLimits& limits) override;
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

  // Leases (postgres_leases.cc), on the database's clock.
  Result<std::vector<store::Lease>> Heartbeat(const NodeState& node, int64_t lease_ms) override;
  Result<std::vector<store::Lease>> ClaimJobs(const ClaimRequest& req) override;
  Result<void> ReleaseLeases(const std::string& holder,
                             const std::vector<std::string>& job_ids) override;
  Result<std::vector<NodeState>> ListNodes(int64_t within_ms) override;
  Result<void> ResetLeases() override;
  // Presence (postgres_presence.cc).
  Result<Presence> TendPresence(const std::string& holder) override;
  void WatchIdentity(std::function<void(bool watching)> changed) override;
  void WatchClaims(std::function<void()> claim) override;
  Result<std::vector<RateCount>> ShareRateCounts(const std::string& holder,
                                                 const std::vector<RateCount>& mine,
                                                 int64_t within_ms) override;

  Result<void> Ping() override;
  int SchemaVersion();

  // A job's columns as every SELECT of one reads them (kJobSelectCount of them), and the record
  // they make.
  static const std::string kJobSelect;
  static constexpr int kJobSelectCount = 26;
  static JobRecord JobFrom(const Rows& r, int i);
  static void InsertEvent(Conn& c, const JobEvent& e);

  // Runs fn in one transaction (BEGIN … COMMIT, or ROLLBACK when fn returns an error); a lost
  // serialization race runs it again. Reads go through here too (read_only: no BEGIN for one
  // statement).
  template <class T>
  Result<T> Tx(const std::function<Result<T>(Conn&)>& fn, bool read_only = false);
  // Runs fn, one writing statement, without BEGIN/COMMIT: the statement is its own transaction,
  // one round trip instead of three. A lost serialization race runs it again; a connection lost
  // on the way is Unavailable (it may or may not have committed).
  template <class T>
  Result<T> Autocommit(const std::function<Result<T>(Conn&)>& fn);

 private:
  // A connection of the pool, given back when it goes out of scope.
  class Lease;
  std::unique_ptr<Conn> Acquire();
  void Release(std::unique_ptr<Conn> c);
  void Migrate();
  core::Error Failure(const PgError& e, bool read_only);

  std::string url_;
  size_t pool_size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  size_t open_ = 0;  // connections in the pool, idle or leased
  std::atomic<int64_t> next_nonce_purge_ms_{0};
  // Group commit of nonces (postgres_identity.cc): the requests that arrive while one batch
  // commits go together in the next, one transaction and one WAL flush for all.
  struct NonceUse;
  void CommitNonces(const std::vector<NonceUse*>& batch);
  std::mutex nonce_mu_;
  std::vector<NonceUse*> nonce_queue_;
  bool nonce_committing_ = false;
  std::atomic<int64_t> nonce_commits_{0};  // transactions, for the tests
  // The version of each template this node wrote last (postgres_templates.cc): an update of
  // the same template goes as one conditional write in one round trip, and falls back to
  // reading under lock when the row changed since (another node wrote it) or is in use.
  // nullopt: not known here, or changed since: read it under lock instead.
  Result<std::optional<TemplateWrite>> UpdateKnownVersion(const std::string& account_id,
                                                          const std::string& template_id,
                                                          const TemplateMutation& mutate);
  void RememberTemplate(const TemplateRecord& t);
  void ForgetTemplate(const std::string& account_id, const std::string& template_id);
  std::mutex known_mu_;
  std::map<std::pair<std::string, std::string>, TemplateRecord> known_;
  std::atomic<int64_t> known_version_updates_{0};
  // One look for claimable jobs; hidden: there were some, all locked by other claims.
  Result<std::vector<store::Lease>> ClaimOnce(const ClaimRequest& req, bool& hidden);
  // The node's presence session (postgres_presence.cc), tended by its supervisor's loop.
  struct PresenceSession;
  int Watch(PresenceSession& s, bool& ran_out, int64_t& look_in_ms);
  std::mutex presence_mu_;
  // A connection of its own that LISTENs on one channel, from a thread of its own: `heard(true)`
  // once it listens and after each notification, `heard(false)` when the connection breaks (it
  // connects again).
  struct Listener {
    std::thread thread;
    std::atomic<bool> stop{false};
  };
  void Listen(Listener& l, const std::string& channel, std::function<void(bool)> heard);
  void ListenLoop(Listener& l, const std::string& channel, const std::function<void(bool)>& heard);
  Listener identity_listener_;
  Listener claims_listener_;
  std::shared_ptr<PresenceSession> presence_;  // shared_ptr: complete only in its own file
};

template <class T>
Result<T> PostgresStore::Autocommit(const std::function<Result<T>(Conn&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Conn> c;
    try {
      c = Acquire();
    } catch (const PgError& e) {
      return Failure(e, false);
    }
    try {
      Result<T> r = fn(*c);
      Release(std::move(c));
      return r;
    } catch (const PgError& e) {
      if (e.connection_lost()) c->Reset();  // may fail: the next Acquire tries again
      Release(std::move(c));
      if (e.retryable() && attempt < 5) continue;
      return Failure(e, false);
    }
  }
}

template <class T>
Result<T> PostgresStore::Tx(const std::function<Result<T>(Conn&)>& fn, bool read_only) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Conn> c;
    try {
      c = Acquire();
    } catch (const PgError& e) {
      return Failure(e, read_only);
    }
    bool ending = false;  // COMMIT sent: the transaction may have committed
    try {
      if (!read_only) c->Begin();
      Result<T> r = fn(*c);
      ending = true;
      // fn's last statement may have committed already (Conn::ExecCommit).
      if (!read_only && !c->TakeCommitted()) c->Simple(r ? "COMMIT" : "ROLLBACK");
      Release(std::move(c));
      return r;
    } catch (const PgError& e) {
      bool lost = e.connection_lost();
      ending = ending || c->commit_sent();
      const bool committed = c->TakeCommitted();  // nothing left to roll back
      if (!lost && !read_only && !committed) {
        try {
          c->Simple("ROLLBACK");
        } catch (const PgError&) {
          lost = true;
        }
      }
      if (lost) c->Reset();  // may fail: the next Acquire tries again
      Release(std::move(c));
      if (e.retryable() && attempt < 5) continue;  // another transaction won: run it again
      // A read, or a write whose connection went before its COMMIT (nothing committed), is
      // safe to repeat; one lost during its COMMIT may or may not have committed:
      // Unavailable, never acknowledged.
      if (lost && (read_only || !ending) && attempt < 2) continue;
      return Failure(e, read_only);
    } catch (const std::exception& e) {
      try {
        if (!c->TakeCommitted() && !read_only) c->Simple("ROLLBACK");
        Release(std::move(c));
      } catch (const PgError&) {
      }
      return Failure(PgError(e.what(), "XX000", false), read_only);
    }
  }
}

}  // namespace floe::store::postgres
