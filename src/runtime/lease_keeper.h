// The leases of one node (store.h): which running jobs it may run, and until when.
//
// Each tick of the supervisor's loop calls Keep with the store's live jobs. Keep lets go at
// once of the leases of jobs that no longer run (their room is free for a claim), drops leases
// not renewed in time (the store was out of reach: their processes have cut their outputs),
// heartbeats every heartbeat_ms (a lease the store no longer gives this node is lost), and
// claims jobs when a claim is due or asked for: those on inputs it already decodes first,
// within its free capacity. A lease holds, for its processes, until lease_ms less a margin
// after the moment before the heartbeat or claim that gave it was sent.
//
// TendPresence keeps the node's presence session (Store::TendPresence): when it breaks, the
// store's watcher may hand this node's jobs to others within kPresenceGraceMs, so every lease
// ends here at once and the caller cuts every output.
//
// Thread-safe: the loop thread keeps the leases; any thread may ask about them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/supervisor_options.h"
#include "store/store.h"

namespace floe::runtime {

class LeaseKeeper {
 public:
  LeaseKeeper(store::Store& store, const SupervisorOptions& options)
      : store_(store), opt_(options) {}

  struct Presence {
    bool claim_now = false;   // the store says a claim is worth making now
    bool lost = false;        // the session broke: every lease has ended
    int64_t look_in_ms = -1;  // the watcher's next look is due this soon (-1: at a tick)
  };
  Presence TendPresence();

  // Releases, expiries, the heartbeat and claims, as due (see above). True when a heartbeat
  // renewed the leases: the processes are to be told how long they now hold.
  bool Keep(const std::vector<store::JobRecord>& live, bool claim_now);

  bool Holds(const std::string& job_id) const;
  // How long the leases of these jobs all still hold at `steady` (the steady clock): at least
  // 1 ms; 0 when it holds none of them (a job being stopped has let its lease go).
  int64_t LeftFor(const std::vector<std::string>& job_ids, int64_t steady) const {
    return LeftFor(
        job_ids, [](const std::string& id) -> const std::string& { return id; }, steady);
  }
  // The same over any range of jobs, `id_of` reading each one's id (nothing copied).
  template <class Jobs, class IdOf>
  int64_t LeftFor(const Jobs& jobs, IdOf id_of, int64_t steady) const {
    std::lock_guard lock(mu_);
    int64_t until = 0;
    for (const auto& job : jobs) until = EarlierLocked(until, id_of(job));
    return until == 0 ? 0 : std::max<int64_t>(until - steady, 1);
  }
  int64_t used_mc() const;  // the cost of the jobs it holds
  int count() const;
  int64_t heartbeat_age_ms() const;  // since the last heartbeat the store took (-1: none yet)
  // Forgets every lease (the node shuts down and releases them in the store itself).
  void Clear();

 private:
  // A lease: its epoch, until when its processes may push (steady clock), what it costs and
  // the input it decodes.
  struct Held {
    int64_t epoch = 0;
    int64_t valid_until = 0;
    int64_t cost_mc = 0;
    std::string input_url;
  };
  int64_t UsedLocked() const;
  // The earlier of `until` (0: none yet) and when job_id's lease ends, if held.
  int64_t EarlierLocked(int64_t until, const std::string& job_id) const;
  // True when the store took it; leases it gave another run of this node go to `release`.
  bool Heartbeat(std::vector<std::string>& release);
  void Claim();

  store::Store& store_;
  const SupervisorOptions& opt_;
  mutable std::mutex mu_;
  std::map<std::string, Held> leases_;  // by job id, under mu_
  int64_t last_beat_ok_ms_ = 0;         // steady clock, under mu_
  // Loop thread only.
  int64_t next_beat_ms_ = 0, next_claim_ms_ = 0;
  bool present_ = false;  // the store holds this node's presence
};

}  // namespace floe::runtime
