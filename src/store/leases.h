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
std::vector<ClaimStep> PlanClaims(const std::vector<Claimable>& jobs, const ClaimRequest& req,
                                  int64_t now_ms);

// "w1" of "w1/3f2a…".
std::string NodeOfHolder(const std::string& holder);

}  // namespace floe::store
