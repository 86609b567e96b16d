// PostgresStore: leases and the rate counts nodes share, on the database's clock (one clock for
// every node). Claims lock the rows they offer with FOR UPDATE SKIP LOCKED, so that nodes
// claiming together each get other jobs instead of waiting for each other; a heartbeat that
// meets a claim on one of its rows waits for it and then no longer finds that row its own.
#include <set>

#include "store/leases.h"
#include "store/postgres/postgres_store.h"

namespace floe::store::postgres {

namespace {

constexpr int64_t kForgetNodeMs = 3'600'000;  // a node silent this long leaves the list
constexpr int64_t kForgetRateMs = 60'000;     // a rate count unchanged this long goes

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
  return Tx<std::vector<store::Lease>>([&](Conn& c) -> Result<std::vector<store::Lease>> {
    int64_t now = DbNow(c);
    c.Exec(
        "INSERT INTO nodes(holder, node_id, capacity, used, jobs, heartbeat) VALUES "
        "($1, $2, $3, $4, $5, $6) ON CONFLICT (holder) DO UPDATE SET capacity = $3, used = $4, "
        "jobs = $5, heartbeat = $6",
        Params()
            .Add(node.holder)
            .Add(node.node_id)
            .Add(node.capacity_mc)
            .Add(node.used_mc)
            .Add(node.jobs)
            .Add(now));
    c.Exec("DELETE FROM nodes WHERE heartbeat < $1", Params().Add(now - kForgetNodeMs));
    c.Exec(
        "UPDATE jobs SET lease_holder = '', lease_expires = 0 WHERE lease_holder = $1 AND "
        "status = 2",
        Params().Add(node.holder));
    // Only a live lease is extended: one that expired is the cluster's again (another node may
    // be claiming it this moment), so its old holder learns it lost the job (not returned).
    auto r = c.Exec(
        "UPDATE jobs SET lease_expires = $2 WHERE lease_holder = $1 AND lease_expires >= $3 "
        "RETURNING job_id, lease_epoch",
        Params().Add(node.holder).Add(now + lease_ms).Add(now));
    std::vector<store::Lease> held;
    for (int i = 0; i < r.size(); ++i) held.push_back({r.Text(i, 0), r.Int(i, 1), 0, ""});
    return held;
  });
}

Result<std::vector<store::Lease>> PostgresStore::ClaimJobs(const ClaimRequest& req) {
  return Tx<std::vector<store::Lease>>([&](Conn& c) -> Result<std::vector<store::Lease>> {
    int64_t now = DbNow(c);
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
    if (jobs.empty()) return std::vector<store::Lease>{};  // the usual case: nothing to take
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
    std::vector<store::Lease> taken;
    for (const auto& step : PlanClaims(jobs, req, now)) {
      const JobRecord& job = step.job->job;
      if (step.event == "assigned") {
        auto u = c.Exec(
            "UPDATE jobs SET lease_holder = $1, lease_epoch = lease_epoch + 1, "
            "lease_expires = $2, waiting = 0 WHERE job_id = $3 RETURNING lease_epoch",
            Params().Add(req.holder).Add(now + req.lease_ms).Add(job.job_id));
        taken.push_back({job.job_id, u.Int(0, 0), step.cost_mc, job.input_url});
      } else {
        c.Exec("UPDATE jobs SET waiting = 1 WHERE job_id = $1", Params().Add(job.job_id));
      }
      InsertEvent(c, {job.job_id, now, step.event, step.detail});
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

}  // namespace floe::store::postgres
