// The runtime's part of /metrics: per job (labels job_id, template_id, node) its state,
// restarts and the figures of its newest stats report; per node its jobs, capacity and media
// processes (CPU and memory of each).
#pragma once

#include <string>

#include "core/prometheus.h"
#include "runtime/supervisor.h"

namespace floe::runtime {

struct NodeInfo {
  std::string node;       // the node's name (its --node-id)
  int capacity_jobs = 0;  // jobs it may hold (0: no limit, not shown)
};

void WriteRuntimeMetrics(const Supervisor::Sample& sample, const NodeInfo& node,
                         core::PromText& out);

}  // namespace floe::runtime
