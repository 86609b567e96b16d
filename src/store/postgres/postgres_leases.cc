// PostgresStore: leases and the rate counts nodes share, on the database's clock (one clock for
// every node). Claims lock the rows they offer with FOR UPDATE SKIP LOCKED, so that nodes
// claiming together each get other jobs instead of waiting for each other; a heartbeat that
// meets a claim on one of its rows waits for it and then no longer finds that row its own.
#include <chrono>
#include <set>
#include <thread>

#include "store/leases.h"
#include "store/postgres/postgres_store.h"

namespace floe::store::postgres {

namespace {

constexpr int64_t kForgetRateMs = 60'000;  // a rate count unchanged this long goes
constexpr int kPlacementPeers = 256;       // placement weighs the roomiest this many live peers
constexpr int kClaimLooks = 4;             // a claim that met only locked rows looks again,
constexpr int kClaimLookAgainMs = 25;      // this long after, at most this many times

int64_t DbNow(Conn& c) {
  return c.Exec("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint").Int(0, 0);
}

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (s.find('\n') != std::string::npos) continue;  // never a URL Floe accepts
    if (!out.empty()) out += '\n';
    out += s;
  }
  return out;
}

}  // namespace

Result<std::vector<store::Lease>> PostgresStore::Heartbeat(const NodeState& node,
                                                           int64_t lease_ms) {
  // One statement, one round trip, its own transaction (every node sends one a second): the
  // node's row; its leases on stopped jobs let go; its live leases extended. Only a live lease
  // is extended: one that expired is the cluster's again (another node may be claiming it this
  // moment), so its old holder learns it lost the job (not returned). Safe to send again.
  return Tx<std::vector<store::Lease>>(
      [&](Conn& c) -> Result<std::vector<store::Lease>> {
        auto r = c.Exec(
            "WITH t AS (SELECT (extract(epoch FROM statement_timestamp()) * 1000)::bigint AS now), "
            "n AS (INSERT INTO nodes(holder, node_id, capacity, used, jobs, heartbeat, present) "
            "SELECT $1, $2, $3, $4, $5, t.now, $6 FROM t ON CONFLICT (holder) DO UPDATE SET "
            "capacity = $3, used = $4, jobs = $5, heartbeat = EXCLUDED.heartbeat, present = $6), "
            "s AS (UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder = $1 "
            "AND status = 2) "
            "UPDATE jobs SET lease_expires = t.now + $7 FROM t WHERE lease_holder = $1 AND "
            "status != 2 AND lease_expires >= t.now RETURNING job_id, lease_epoch",
            Params()
                .Add(node.holder)
                .Add(node.node_id)
                .Add(node.capacity_mc)
                .Add(node.used_mc)
                .Add(node.jobs)
                .Add(node.present)
                .Add(lease_ms));
        std::vector<store::Lease> held;
        for (int i = 0; i < r.size(); ++i) held.push_back({r.Text(i, 0), r.Int(i, 1), 0, ""});
        return held;
      },
      true);
}

Result<std::vector<store::Lease>> PostgresStore::ClaimJobs(const ClaimRequest& req) {
  // Every node claims at once when a job is submitted: the first locks the job's row, the others
  // skip it. If the first leaves it (a peer has more room), the peer must still see it: a claim
  // that found claimable jobs only under other claims' locks looks again a moment later.
  for (int attempt = 0;; ++attempt) {
    bool hidden = false;
    auto r = ClaimOnce(req, hidden);
    if (!r || !hidden || attempt == kClaimLooks) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(kClaimLookAgainMs));
  }
}

Result<std::vector<store::Lease>> PostgresStore::ClaimOnce(const ClaimRequest& req, bool& hidden) {
  // The usual case, nothing to take, costs one round trip outside any transaction: one indexed
  // read (statement_timestamp() is stable within the statement, so the index serves the compare).
  auto any = Tx<bool>(
      [&](Conn& c) -> Result<bool> {
        return c.Exec(
                    "SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 1 AND lease_expires < "
                    "(extract(epoch FROM statement_timestamp()) * 1000)::bigint)")
                   .Text(0, 0) == "t";
      },
      true);
  if (!any) return any.error();
  if (!*any) return std::vector<store::Lease>{};
  return Tx<std::vector<store::Lease>>([&](Conn& c) -> Result<std::vector<store::Lease>> {
    const int64_t now = DbNow(c);
    // Candidates in the order of the jobs_claimable index (never leased or expired longest ago,
    // then the oldest), so that a claim reads at most `limit` rows however many jobs the
    // cluster runs; those on inputs this node decodes first, looked up on their own.
    std::vector<Claimable> jobs;
    std::set<std::string> ids;
    std::vector<std::string> inputs;
    auto add = [&](const Rows& r) {
      for (int i = 0; i < r.size(); ++i) {
        if (!ids.insert(r.Text(i, 0)).second) continue;  // locked by the first query already
        jobs.push_back({JobFrom(r, i), r.Int(i, kJobSelectCount), 0, false});
        inputs.push_back(jobs.back().job.input_url);
      }
    };
    const std::string candidates = "SELECT " + kJobSelect +
                                   ", lease_expires FROM jobs WHERE status = 1 AND "
                                   "lease_expires < $1 ";
    const std::string order =
        "ORDER BY lease_expires, create_time, seq LIMIT $2 FOR UPDATE SKIP LOCKED";
    if (!req.preferred_inputs.empty()) {
      add(c.Exec(candidates + "AND input_url = ANY(string_to_array($3, E'\\n')) " + order,
                 Params().Add(now).Add(req.limit).Add(JoinLines(req.preferred_inputs))));
    }
    add(c.Exec(candidates + order, Params().Add(now).Add(req.limit)));
    if (jobs.empty()) {
      hidden = true;  // every claimable row is another claim's at this moment
      return std::vector<store::Lease>{};
    }
    // Which of these jobs' inputs another live node decodes: looked up for these inputs only,
    // so that a claim never reads every lease of the cluster.
    std::set<std::string> elsewhere;
    auto e = c.Exec(
        "SELECT DISTINCT input_url FROM jobs WHERE status = 1 AND lease_holder != '' AND "
        "lease_holder != $1 AND lease_expires >= $2 AND "
        "input_url = ANY(string_to_array($3, E'\\n'))",
        Params().Add(req.holder).Add(now).Add(JoinLines(inputs)));
    for (int i = 0; i < e.size(); ++i) elsewhere.insert(e.Text(i, 0));
    for (auto& cl : jobs) {
      cl.decoded_elsewhere = elsewhere.count(cl.job.input_url) > 0;
      cl.since_ms = ClaimableSince(cl.job, cl.lease_expires_ms);
    }
    std::vector<NodeState> peers;
    int64_t claimable = static_cast<int64_t>(jobs.size());
    if (req.peer_window_ms > 0 && NeedsPlacement(jobs, req, now)) {
      // How many jobs the cluster has to place now, these and those past the limit (counted
      // in the claimable index, up to what placement looks at), and the roomiest live peers.
      claimable = c.Exec(
                       "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE status = 1 AND "
                       "lease_expires < $1 LIMIT 100000) AS claimable",
                       Params().Add(now))
                      .Int(0, 0);
      auto p = c.Exec(
          "SELECT holder, node_id, capacity, used, jobs FROM nodes WHERE holder != $1 AND "
          "heartbeat >= $2 ORDER BY CASE WHEN capacity > 0 THEN capacity - used ELSE "
          "4611686018427387903 - used END DESC LIMIT $3",
          Params().Add(req.holder).Add(now - req.peer_window_ms).Add(kPlacementPeers));
      for (int i = 0; i < p.size(); ++i) {
        peers.push_back({p.Text(i, 0), p.Text(i, 1), p.Int(i, 2), p.Int(i, 3),
                         static_cast<int>(p.Int(i, 4)), 0, 0});
      }
    }
    std::vector<store::Lease> taken;
    int64_t taken_mc = 0;
    int left = 0;
    for (const auto& step : PlanClaims(jobs, req, peers, claimable, now, &left)) {
      const JobRecord& job = step.job->job;
      if (step.event == "assigned") {
        auto u = c.Exec(
            "UPDATE jobs SET lease_holder = $1, lease_epoch = lease_epoch + 1, "
            "lease_expires = $2, waiting = 0 WHERE job_id = $3 RETURNING lease_epoch",
            Params().Add(req.holder).Add(now + req.lease_ms).Add(job.job_id));
        taken.push_back({job.job_id, u.Int(0, 0), step.cost_mc, job.input_url});
        taken_mc += step.cost_mc;
      } else {
        c.Exec("UPDATE jobs SET waiting = 1 WHERE job_id = $1", Params().Add(job.job_id));
      }
      InsertEvent(c, {job.job_id, now, step.event, step.detail});
    }
    // Jobs left to nodes with more room: those claim now, not at their next round.
    if (left > 0) c.Simple("NOTIFY floe_claims");
    // What the next claimer compares: this node's use now, not at its last heartbeat.
    if (!taken.empty()) {
      c.Exec("UPDATE nodes SET used = used + $2, jobs = jobs + $3 WHERE holder = $1",
             Params().Add(req.holder).Add(taken_mc).Add(static_cast<int64_t>(taken.size())));
    }
    return taken;
  });
}

Result<void> PostgresStore::ReleaseLeases(const std::string& holder,
                                          const std::vector<std::string>& job_ids) {
  return Tx<void>([&](Conn& c) -> Result<void> {
    if (job_ids.empty()) {
      c.Exec("UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder = $1",
             Params().Add(holder));
      c.Exec("DELETE FROM nodes WHERE holder = $1", Params().Add(holder));
    }
    for (const auto& id : job_ids) {
      c.Exec(
          "UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder = $1 AND "
          "job_id = $2",
          Params().Add(holder).Add(id));
    }
    c.Simple("NOTIFY floe_claims");  // on commit: whoever has room claims them now
    return {};
  });
}

Result<std::vector<NodeState>> PostgresStore::ListNodes(int64_t within_ms) {
  return Tx<std::vector<NodeState>>(
      [&](Conn& c) -> Result<std::vector<NodeState>> {
        auto r = c.Exec(
            "SELECT holder, node_id, capacity, used, jobs, heartbeat, "
            "(extract(epoch FROM clock_timestamp()) * 1000)::bigint - heartbeat FROM nodes "
            "WHERE heartbeat >= (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $1 "
            "ORDER BY node_id, holder",
            Params().Add(within_ms));
        std::vector<NodeState> nodes;
        for (int i = 0; i < r.size(); ++i) {
          nodes.push_back({r.Text(i, 0), r.Text(i, 1), r.Int(i, 2), r.Int(i, 3),
                           static_cast<int>(r.Int(i, 4)), r.Int(i, 5), r.Int(i, 6)});
        }
        return nodes;
      },
      true);
}

Result<void> PostgresStore::ResetLeases() {
  return Tx<void>([&](Conn& c) -> Result<void> {
    c.Exec("UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder != ''");
    c.Exec("DELETE FROM nodes");
    return {};
  });
}

Result<std::vector<RateCount>> PostgresStore::ShareRateCounts(const std::string& holder,
                                                              const std::vector<RateCount>& mine,
                                                              int64_t within_ms) {
  return Tx<std::vector<RateCount>>([&](Conn& c) -> Result<std::vector<RateCount>> {
    int64_t now = DbNow(c);
    for (const auto& m : mine) {
      c.Exec(
          "INSERT INTO rate_counts(holder, access_key_id, total, updated) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (holder, access_key_id) DO UPDATE SET total = rate_counts.total + "
          "EXCLUDED.total, updated = EXCLUDED.updated",
          Params().Add(holder).Add(m.access_key_id).Add(m.count).Add(now));
    }
    c.Exec("DELETE FROM rate_counts WHERE updated < $1", Params().Add(now - kForgetRateMs));
    auto r = c.Exec(
        "SELECT holder, access_key_id, total FROM rate_counts WHERE holder != $1 AND updated >= $2",
        Params().Add(holder).Add(now - within_ms));
    std::vector<RateCount> others;
    for (int i = 0; i < r.size(); ++i) others.push_back({r.Text(i, 0), r.Text(i, 1), r.Int(i, 2)});
    return others;
  });
}

Result<void> PostgresStore::Ping() {
  return Tx<void>(
      [](Conn& c) -> Result<void> {
        c.Exec("SELECT 1");
        return {};
      },
      true);
}

}  // namespace floe::store::postgres
