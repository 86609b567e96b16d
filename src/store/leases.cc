#include "store/leases.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <queue>
#include <set>

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

// Free room as nodes are compared: a node without a capacity limit ranks above every limited one,
// and among such nodes the least used first.
constexpr int64_t kUnlimitedRoom = std::numeric_limits<int64_t>::max() / 4;
int64_t Room(int64_t capacity_mc, int64_t used_mc) {
  return capacity_mc > 0 ? capacity_mc - used_mc : kUnlimitedRoom - used_mc;
}

bool Fits(int64_t capacity_mc, int64_t room, int64_t cost) {
  return capacity_mc <= 0 || cost <= room;
}

}  // namespace

std::string NodeOfHolder(const std::string& holder) {
  return holder.substr(0, holder.find('/'));
}

namespace {

bool IsNew(const Claimable& c, const ClaimRequest& req, int64_t now_ms) {
  return !c.decoded_elsewhere && now_ms - c.since_ms < req.defer_ms &&
         std::find(req.preferred_inputs.begin(), req.preferred_inputs.end(), c.job.input_url) ==
             req.preferred_inputs.end();
}

}  // namespace

bool NeedsPlacement(const std::vector<Claimable>& jobs, const ClaimRequest& req, int64_t now_ms) {
  return std::any_of(jobs.begin(), jobs.end(),
                     [&](const Claimable& c) { return IsNew(c, req, now_ms); });
}

std::vector<ClaimStep> PlanClaims(const std::vector<Claimable>& jobs, const ClaimRequest& req,
                                  const std::vector<NodeState>& peers, int64_t claimable,
                                  int64_t now_ms, int* left) {
  if (left) *left = 0;
  std::vector<const Claimable*> order;
  for (const auto& c : jobs) order.push_back(&c);
  auto preferred = [&](const Claimable* c) {
    return std::find(req.preferred_inputs.begin(), req.preferred_inputs.end(), c->job.input_url) !=
           req.preferred_inputs.end();
  };
  std::stable_partition(order.begin(), order.end(), preferred);
  if (order.size() > static_cast<size_t>(std::max(req.limit, 0))) order.resize(req.limit);
  auto cost_of = [&](const Claimable* c) { return req.cost ? req.cost(c->job) : int64_t{0}; };
  auto young = [&](const Claimable* c) { return now_ms - c->since_ms < req.defer_ms; };

  // New jobs (young, on inputs no node decodes yet) are placed by input: the inputs in order,
  // each with the cost of its jobs here.
  std::vector<std::pair<std::string, int64_t>> inputs;
  int64_t new_jobs = 0, new_cost = 0;
  for (const Claimable* c : order) {
    if (!IsNew(*c, req, now_ms)) continue;
    auto it = std::find_if(inputs.begin(), inputs.end(),
                           [&](const auto& in) { return in.first == c->job.input_url; });
    if (it == inputs.end()) it = inputs.insert(inputs.end(), {c->job.input_url, 0});
    it->second += cost_of(c);
    ++new_jobs;
    new_cost += cost_of(c);
  }
  // This node's share: each input (then each claimable job past these, at their mean cost) goes
  // to the node with the most room that fits it, this node first on a tie.
  std::set<std::string> take_inputs;
  if (!inputs.empty()) {
    struct Node {
      int64_t room, capacity;
      bool me;
      bool operator<(const Node& o) const { return room != o.room ? room < o.room : o.me; }
    };
    std::priority_queue<Node> q;
    q.push({Room(req.capacity_mc, req.capacity_mc - req.free_mc), req.capacity_mc, true});
    for (const auto& p : peers) {
      if (p.holder != req.holder) q.push({Room(p.capacity_mc, p.used_mc), p.capacity_mc, false});
    }
    int64_t share = 0;  // cost placed here
    // Places one unit: false when no node has room for it; *here: whether it went to this node.
    auto place = [&](int64_t cost, bool* here) {
      Node n = q.top();
      if (!Fits(n.capacity, n.room, cost)) return false;  // the roomiest cannot: none can
      q.pop();
      if (n.me) share += cost;
      if (here) *here = n.me;
      n.room -= cost;
      q.push(n);
      return true;
    };
    std::vector<bool> placed_here;
    for (const auto& in : inputs) {
      bool here = false;
      place(in.second, &here);
      placed_here.push_back(here);
    }
    const int64_t mean = new_cost / new_jobs;
    const int64_t later =
        std::min<int64_t>(claimable - static_cast<int64_t>(order.size()), 100'000);
    for (int64_t i = 0; i < later && place(mean, nullptr); ++i) {
    }
    // Its own inputs first, then others in order while the share has room for them: what it
    // takes now instead of later jobs, which go to the others.
    int64_t taken = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (placed_here[i]) {
        take_inputs.insert(inputs[i].first);
        taken += inputs[i].second;
      }
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!placed_here[i] && taken + inputs[i].second <= share) {
        take_inputs.insert(inputs[i].first);
        taken += inputs[i].second;
      }
    }
  }

  std::vector<ClaimStep> steps;
  int64_t free = req.free_mc;
  for (const Claimable* c : order) {
    const bool mine = preferred(c);
    if (c->decoded_elsewhere && !mine && young(c)) continue;  // left to the node decoding it
    if (IsNew(*c, req, now_ms) && !take_inputs.count(c->job.input_url)) {
      if (left) ++*left;  // left to a node with more room
      continue;
    }
    const int64_t cost = cost_of(c);
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
