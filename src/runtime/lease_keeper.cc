#include "runtime/lease_keeper.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/time.h"

namespace floe::runtime {

LeaseKeeper::Presence LeaseKeeper::TendPresence() {
  auto p = store_.TendPresence(opt_.holder);
  if (!p) return {};
  present_ = p->held;
  if (p->lost) {
    std::lock_guard lock(mu_);
    const int64_t steady = core::SteadyMillis();
    for (auto& [id, h] : leases_) h.valid_until = steady;
    spdlog::warn("event=presence_lost node={} leases={} action=cut_outputs", opt_.node_id,
                 leases_.size());
  }
  return {p->claim_now, p->lost, p->look_in_ms};
}

bool LeaseKeeper::Keep(const std::vector<store::JobRecord>& live, bool claim_now) {
  const int64_t steady = core::SteadyMillis();
  std::vector<std::string> release;
  {
    std::lock_guard lock(mu_);
    std::set<std::string> running;
    for (const auto& job : live) {
      if (job.status == store::JobStatus::kRunning) running.insert(job.job_id);
    }
    for (auto it = leases_.begin(); it != leases_.end();) {
      if (!running.count(it->first)) {  // stopped or deleted: its room is free at once
        release.push_back(it->first);
        it = leases_.erase(it);
      } else if (it->second.valid_until <= steady) {
        // Not renewed in time (the store was out of reach): its process has cut its output.
        spdlog::warn("event=lease_expired job_id={} node={}", it->first, opt_.node_id);
        it = leases_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!release.empty()) (void)store_.ReleaseLeases(opt_.holder, release);
  release.clear();
  bool renewed = false;
  if (steady >= next_beat_ms_) renewed = Heartbeat(release);
  if (!release.empty()) (void)store_.ReleaseLeases(opt_.holder, release);
  if (claim_now || steady >= next_claim_ms_) Claim();
  return renewed;
}

bool LeaseKeeper::Heartbeat(std::vector<std::string>& release) {
  store::NodeState node{opt_.holder, opt_.node_id, opt_.capacity_mc, 0, 0, 0, 0};
  node.present = present_;
  {
    std::lock_guard lock(mu_);
    node.used_mc = UsedLocked();
    node.jobs = static_cast<int>(leases_.size());
  }
  const int64_t sent = core::SteadyMillis();
  auto held = store_.Heartbeat(node, opt_.lease_ms);
  std::lock_guard lock(mu_);
  if (!held) {
    next_beat_ms_ = sent + std::min(500, opt_.heartbeat_ms);  // try again soon
    return false;
  }
  std::map<std::string, Held> kept;
  for (const auto& l : *held) {
    auto it = leases_.find(l.job_id);
    if (it == leases_.end() || it->second.epoch != l.epoch) {
      release.push_back(l.job_id);  // not one this run claimed: let it go
      continue;
    }
    Held h = it->second;
    h.valid_until = sent + opt_.lease_ms - opt_.lease_margin_ms;
    kept[l.job_id] = h;
  }
  for (const auto& [id, h] : leases_) {
    if (!kept.count(id)) spdlog::warn("event=lease_lost job_id={} node={}", id, opt_.node_id);
  }
  leases_ = std::move(kept);
  last_beat_ok_ms_ = sent;
  next_beat_ms_ = sent + opt_.heartbeat_ms;
  return true;
}

void LeaseKeeper::Claim() {
  store::ClaimRequest req;
  req.holder = opt_.holder;
  req.lease_ms = opt_.lease_ms;
  req.capacity_mc = opt_.capacity_mc;
  req.cost = opt_.cost;
  req.defer_ms = opt_.prefer_decoder_ms;
  req.wait_after_ms = opt_.wait_after_ms;
  // A peer is live while its heartbeats come (one missed, plus the time a heartbeat takes).
  req.peer_window_ms = opt_.heartbeat_ms + opt_.heartbeat_ms / 2;
  {
    std::lock_guard lock(mu_);
    req.free_mc = opt_.capacity_mc - UsedLocked();
    std::set<std::string> inputs;
    for (const auto& [id, h] : leases_) inputs.insert(h.input_url);
    req.preferred_inputs.assign(inputs.begin(), inputs.end());
  }
  const int64_t sent = core::SteadyMillis();
  next_claim_ms_ = sent + opt_.claim_ms;
  auto got = store_.ClaimJobs(req);
  if (!got || got->empty()) return;
  std::lock_guard lock(mu_);
  for (const auto& l : *got) {
    leases_[l.job_id] =
        Held{l.epoch, sent + opt_.lease_ms - opt_.lease_margin_ms, l.cost_mc, l.input_url};
    spdlog::info("event=lease_claimed job_id={} node={} epoch={} cost_mc={}", l.job_id,
                 opt_.node_id, l.epoch, l.cost_mc);
  }
}

bool LeaseKeeper::Holds(const std::string& job_id) const {
  std::lock_guard lock(mu_);
  return leases_.count(job_id) > 0;
}

int64_t LeaseKeeper::EarlierLocked(int64_t until, const std::string& job_id) const {
  auto it = leases_.find(job_id);
  if (it == leases_.end()) return until;
  return until == 0 ? it->second.valid_until : std::min(until, it->second.valid_until);
}

int64_t LeaseKeeper::UsedLocked() const {
  int64_t used = 0;
  for (const auto& [id, h] : leases_) used += h.cost_mc;
  return used;
}

int64_t LeaseKeeper::used_mc() const {
  std::lock_guard lock(mu_);
  return UsedLocked();
}

int LeaseKeeper::count() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(leases_.size());
}

int64_t LeaseKeeper::heartbeat_age_ms() const {
  std::lock_guard lock(mu_);
  return last_beat_ok_ms_ > 0 ? core::SteadyMillis() - last_beat_ok_ms_ : -1;
}

void LeaseKeeper::Clear() {
  std::lock_guard lock(mu_);
  leases_.clear();
}

}  // namespace floe::runtime
