// SqliteStore: leases. One node opens a SQLite store, so there is never a race to settle here;
// the protocol is the same as PostgreSQL's so that the runtime has one code path.
#include <set>

#include "store/leases.h"
#include "store/sqlite/sqlite_store.h"

namespace floe::store::sqlite {

std::vector<Lease> SqliteStore::HeldBy(Db& db, const std::string& holder, int64_t now) {
  auto s = db.Prepare(
      "SELECT job_id, lease_epoch FROM jobs WHERE lease_holder = ? AND lease_expires >= ? "
      "ORDER BY job_id");
  s.Bind(1, holder).Bind(2, now);
  std::vector<Lease> out;
  while (s.Step()) out.push_back({s.Text(0), s.Int(1), 0, ""});
  return out;
}

Result<std::vector<Lease>> SqliteStore::Heartbeat(const NodeState& node, int64_t lease_ms) {
  std::vector<Lease> held;
  auto r = Write([&](Db& db) -> Result<void> {
    int64_t now = lease_clock_();
    db.Prepare(
          "INSERT INTO nodes(holder, node_id, capacity, used, jobs, heartbeat) VALUES "
          "(?, ?, ?, ?, ?, ?) ON CONFLICT(holder) DO UPDATE SET capacity = excluded.capacity, "
          "used = excluded.used, jobs = excluded.jobs, heartbeat = excluded.heartbeat")
        .Bind(1, node.holder)
        .Bind(2, node.node_id)
        .Bind(3, node.capacity_mc)
        .Bind(4, node.used_mc)
        .Bind(5, int64_t{node.jobs})
        .Bind(6, now)
        .Step();
    db.Prepare("DELETE FROM nodes WHERE heartbeat < ?").Bind(1, now - 3'600'000).Step();
    db.Prepare(
          "UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder = ? AND "
          "status = 2")
        .Bind(1, node.holder)
        .Step();
    // Only a live lease is extended: one that expired is the cluster's again (another node may
    // be claiming it this moment), so its old holder learns it lost the job (not in `held`).
    db.Prepare("UPDATE jobs SET lease_expires = ? WHERE lease_holder = ? AND lease_expires >= ?")
        .Bind(1, now + lease_ms)
        .Bind(2, node.holder)
        .Bind(3, now)
        .Step();
    held = HeldBy(db, node.holder, now);
    return {};
  });
  if (!r) return r.error();
  return held;
}

Result<std::vector<Lease>> SqliteStore::ClaimJobs(const ClaimRequest& req) {
  std::vector<Lease> taken;
  auto r = Write([&](Db& db) -> Result<void> {
    taken.clear();
    int64_t now = lease_clock_();
    std::set<std::string> elsewhere;
    {
      auto s = db.Prepare(
          "SELECT DISTINCT input_url FROM jobs WHERE status = 1 AND lease_holder != '' AND "
          "lease_holder != ? AND lease_expires >= ?");
      s.Bind(1, req.holder).Bind(2, now);
      while (s.Step()) elsewhere.insert(s.Text(0));
    }
    std::vector<Claimable> jobs;
    {
      auto s = db.Prepare("SELECT " + kJobSelect +
                          ", lease_expires FROM jobs WHERE status = 1 AND lease_expires < ? "
                          "ORDER BY lease_expires, create_time, rowid");
      s.Bind(1, now);
      while (s.Step()) {
        Claimable c{JobFrom(s), s.Int(kJobSelectCount), 0, false};
        c.decoded_elsewhere = elsewhere.count(c.job.input_url) > 0;
        c.since_ms = ClaimableSince(c.job, c.lease_expires_ms);
        jobs.push_back(std::move(c));
      }
    }
    std::vector<NodeState> peers;
    if (req.peer_window_ms > 0 && NeedsPlacement(jobs, req, now)) {
      auto s = db.Prepare(
          "SELECT holder, node_id, capacity, used, jobs FROM nodes WHERE holder != ? AND "
          "heartbeat >= ?");
      s.Bind(1, req.holder).Bind(2, now - req.peer_window_ms);
      while (s.Step()) {
        peers.push_back(
            {s.Text(0), s.Text(1), s.Int(2), s.Int(3), static_cast<int>(s.Int(4)), 0, 0});
      }
    }
    int64_t taken_mc = 0;
    for (const auto& step : PlanClaims(jobs, req, peers, static_cast<int64_t>(jobs.size()), now)) {
      const JobRecord& job = step.job->job;
      if (step.event == "assigned") {
        db.Prepare(
              "UPDATE jobs SET lease_holder = ?, lease_epoch = lease_epoch + 1, "
              "lease_expires = ?, waiting = 0 WHERE job_id = ?")
            .Bind(1, req.holder)
            .Bind(2, now + req.lease_ms)
            .Bind(3, job.job_id)
            .Step();
        taken.push_back({job.job_id, job.lease_epoch + 1, step.cost_mc, job.input_url});
        taken_mc += step.cost_mc;
      } else {
        db.Prepare("UPDATE jobs SET waiting = 1 WHERE job_id = ?").Bind(1, job.job_id).Step();
      }
      InsertJobEvent(db, {job.job_id, now, step.event, step.detail});
    }
    if (!taken.empty()) {
      db.Prepare("UPDATE nodes SET used = used + ?, jobs = jobs + ? WHERE holder = ?")
          .Bind(1, taken_mc)
          .Bind(2, static_cast<int64_t>(taken.size()))
          .Bind(3, req.holder)
          .Step();
    }
    return {};
  });
  if (!r) return r.error();
  return taken;
}

Result<void> SqliteStore::ReleaseLeases(const std::string& holder,
                                        const std::vector<std::string>& job_ids) {
  return Write([&](Db& db) -> Result<void> {
    if (job_ids.empty()) {
      db.Prepare("UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder = ?")
          .Bind(1, holder)
          .Step();
      db.Prepare("DELETE FROM nodes WHERE holder = ?").Bind(1, holder).Step();
    }
    for (const auto& id : job_ids) {
      db.Prepare(
            "UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder = ? AND "
            "job_id = ?")
          .Bind(1, holder)
          .Bind(2, id)
          .Step();
    }
    return {};
  });
}

Result<std::vector<NodeState>> SqliteStore::ListNodes(int64_t within_ms) {
  return Read<std::vector<NodeState>>([&](Db& db) {
    int64_t now = lease_clock_();
    auto s = db.Prepare(
        "SELECT holder, node_id, capacity, used, jobs, heartbeat FROM nodes WHERE heartbeat >= ? "
        "ORDER BY node_id, holder");
    s.Bind(1, now - within_ms);
    std::vector<NodeState> nodes;
    while (s.Step()) {
      nodes.push_back({s.Text(0), s.Text(1), s.Int(2), s.Int(3), static_cast<int>(s.Int(4)),
                       s.Int(5), now - s.Int(5)});
    }
    return nodes;
  });
}

Result<void> SqliteStore::ResetLeases() {
  return Write([&](Db& db) -> Result<void> {
    db.Exec("UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder != ''");
    db.Exec("DELETE FROM nodes");
    return {};
  });
}

// One node opens a SQLite store: its limits are its own.
Result<std::vector<RateCount>> SqliteStore::ShareRateCounts(const std::string&,
                                                            const std::vector<RateCount>&,
                                                            int64_t) {
  return std::vector<RateCount>{};
}

Result<void> SqliteStore::Ping() {
  auto r = Read<int64_t>([](Db& db) {
    auto s = db.Prepare("SELECT 1");
    s.Step();
    return s.Int(0);
  });
  if (!r) return r.error();
  return {};
}

}  // namespace floe::store::sqlite
