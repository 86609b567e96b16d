#include "store/leases.h"

#include <algorithm>
#include <cstdio>

namespace floe::store {

int64_t ClaimableSince(const JobRecord& job, int64_t lease_expires_ms) {
  int64_t since = job.create_time_ms;
  if (job.start_mode == StartMode::kTimed) since = std::max(since, job.start_time_ms);
  return std::max(since, lease_expires_ms);
}

namespace {

std::string Cores(int64_t mc) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(mc) / 1000);
  return buf;
}

}  // namespace

std::string NodeOfHolder(const std::string& holder) {
  return holder.substr(0, holder.find('/'));
}

std::vector<ClaimStep> PlanClaims(const std::vector<Claimable>& jobs, const ClaimRequest& req,
                                  int64_t now_ms) {
  std::vector<const Claimable*> order;
  for (const auto& c : jobs) order.push_back(&c);
  auto preferred = [&](const Claimable* c) {
    return std::find(req.preferred_inputs.begin(), req.preferred_inputs.end(), c->job.input_url) !=
           req.preferred_inputs.end();
  };
  std::stable_partition(order.begin(), order.end(), preferred);
  if (order.size() > static_cast<size_t>(std::max(req.limit, 0))) order.resize(req.limit);
  std::vector<ClaimStep> steps;
  int64_t free = req.free_mc;
  for (const Claimable* c : order) {
    bool mine = std::find(req.preferred_inputs.begin(), req.preferred_inputs.end(),
                          c->job.input_url) != req.preferred_inputs.end();
    if (c->decoded_elsewhere && !mine && now_ms - c->since_ms < req.defer_ms) continue;
    int64_t cost = req.cost ? req.cost(c->job) : 0;
    if (req.capacity_mc <= 0 || cost <= free) {
      free -= cost;
      std::string detail = "node " + NodeOfHolder(req.holder);
      if (!c->job.lease_holder.empty()) {
        detail += " (the lease of node " + NodeOfHolder(c->job.lease_holder) + " expired)";
      }
      steps.push_back({c, "assigned", detail, cost});
    } else if (!c->job.waiting && now_ms - c->since_ms >= req.wait_after_ms) {
      steps.push_back({c, "waiting_for_capacity",
                       "needs " + Cores(cost) + " cores; no node has room (node " +
                           NodeOfHolder(req.holder) + ": " + Cores(std::max<int64_t>(free, 0)) +
                           " of " + Cores(req.capacity_mc) + " free)",
                       cost});
    }
  }
  return steps;
}

}  // namespace floe::store
