// What the stores share of the lease protocol (store.h): the order in which claimable jobs are
// offered, which of them are taken or marked waiting, and what their events say.
#pragma once

#include <string>
#include <vector>

#include "store/records.h"

namespace floe::store {

// A running job that no live lease holds, and since when it has been without a node (its
// submission, its StartTime, or the expiry of its last lease).
struct Claimable {
  JobRecord job;
  int64_t lease_expires_ms = 0;
  int64_t since_ms = 0;
  bool decoded_elsewhere = false;  // another live node decodes its input
};
int64_t ClaimableSince(const JobRecord& job, int64_t lease_expires_ms);

struct ClaimStep {
  const Claimable* job;
  std::string event;  // "assigned" or "waiting_for_capacity"
  std::string detail;
  int64_t cost_mc = 0;
};
// Goes through the jobs, preferred inputs first, then in the order given, at most req.limit of
// them, taking each whose cost fits in the room left. Returns what to write: jobs taken
// ("assigned") and jobs newly waiting.
//
// Placement spreads the load: `peers` are the other live nodes (their capacity and use, as the
// store last heard), `claimable` how many jobs the cluster has to place now (these and any past
// the limit). New jobs (on inputs no node decodes yet; jobs on one input count as one) are spread
// as if each went in turn to the node with the most room that fits it (this node first on a
// tie): this node takes its share of them now, the inputs placed on it first, and leaves the rest
// to the others for req.defer_ms (their claims come within a second; after that any node with
// room takes a job, so a peer that does not come never holds one back for long).
// *left (when given): how many jobs it left to peers with more room.
std::vector<ClaimStep> PlanClaims(const std::vector<Claimable>& jobs, const ClaimRequest& req,
                                  const std::vector<NodeState>& peers, int64_t claimable,
                                  int64_t now_ms, int* left = nullptr);

// Whether PlanClaims would place any of these jobs by room (a new job: young, on an input no
// node decodes): only then do the peers and the claimable count matter.
bool NeedsPlacement(const std::vector<Claimable>& jobs, const ClaimRequest& req, int64_t now_ms);

// "w1" of "w1/3f2a…".
std::string NodeOfHolder(const std::string& holder);

}  // namespace floe::store
