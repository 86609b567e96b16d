#include "runtime/metrics.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/json.h"
#include "core/process_usage.h"

namespace floe::runtime {

namespace {

using core::Labels;
using core::MetricType;
using nlohmann::json;

constexpr MetricType kCounter = MetricType::kCounter;
constexpr MetricType kGauge = MetricType::kGauge;

double Num(const json& j, const char* key, double scale = 1) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() * scale : 0;
}

// One job's figures from its stats report (runtime/protocol.h, media/stats.cc).
void WriteStats(const json& stats, const Labels& l, core::PromText& out) {
  static const json kNone = json::object();
  const json& in = stats.contains("input") && stats["input"].is_object() ? stats["input"] : kNone;
  out.Add("floe_job_input_frames_per_second", kGauge,
          "Input frames decoded per second (last second)", l, Num(in, "fps"));
  out.Add("floe_job_input_bits_per_second", kGauge, "Input bitrate (last second)", l,
          Num(in, "kbps", 1000));
  out.Add("floe_job_input_frames_total", kCounter, "Input video frames decoded", l,
          Num(in, "frames"));
  out.Add("floe_job_input_bytes_total", kCounter, "Input bytes read", l, Num(in, "bytes"));
  out.Add("floe_job_input_reconnects_total", kCounter, "Reconnections to the input", l,
          Num(in, "reconnects"));
  out.Add("floe_job_input_switches_total", kCounter, "Switches between the input and its backup", l,
          Num(in, "switches"));
  out.Add(
      "floe_job_input_stalled", kGauge, "1 while the input is late and slate is sent", l,
      in.contains("stalled") && in["stalled"].is_boolean() && in["stalled"].get<bool>() ? 1 : 0);
  out.Add("floe_job_speed_ratio", kGauge,
          "Media seconds output per wall-clock second (1: real time)", l, Num(stats, "speed"));
  if (!stats.contains("outputs") || !stats["outputs"].is_array() || stats["outputs"].empty()) {
    return;
  }
  const json& o = stats["outputs"][0];
  if (!o.is_object()) return;
  out.Add("floe_job_output_frames_per_second", kGauge,
          "Output video frames per second (last second)", l, Num(o, "fps"));
  out.Add("floe_job_output_bits_per_second", kGauge, "Output bitrate (last second)", l,
          Num(o, "kbps", 1000));
  out.Add("floe_job_output_frames_total", kCounter, "Output video frames", l, Num(o, "frames"));
  out.Add("floe_job_output_bytes_total", kCounter, "Output bytes", l, Num(o, "bytes"));
  out.Add("floe_job_output_dropped_frames_total", kCounter,
          "Frames dropped to keep the output frame rate", l, Num(o, "dropped"));
  out.Add("floe_job_output_duplicated_frames_total", kCounter,
          "Frames repeated to keep the output frame rate", l, Num(o, "duplicated"));
  out.Add("floe_job_output_reconnects_total", kCounter, "Reconnections to the output", l,
          Num(o, "reconnects"));
  out.Add("floe_job_encode_latency_seconds", kGauge, "Mean time to encode a frame", l,
          Num(o, "encode_latency_ms", 1e-3));
  if (o.contains("gap_seconds") && o["gap_seconds"].is_object()) {
    const json& g = o["gap_seconds"];
    try {
      out.AddHistogram("floe_job_output_gap_seconds",
                       "Wall time between packets written to the output (a viewer's stall)", l,
                       g.at("le").get<std::vector<double>>(),
                       g.at("counts").get<std::vector<double>>(), Num(g, "sum"), Num(g, "count"));
    } catch (const json::exception&) {
      // a malformed report shows no histogram
    }
  }
}

void WriteProcess(const std::string& prefix, const Labels& l, const core::ProcessUsage& u,
                  core::PromText& out) {
  out.Add(prefix + "cpu_seconds_total", kCounter, "User and system CPU time", l, u.cpu_seconds);
  out.Add(prefix + "resident_memory_bytes", kGauge, "Resident memory", l, u.resident_bytes);
  out.Add(prefix + "virtual_memory_bytes", kGauge, "Virtual memory", l, u.virtual_bytes);
  out.Add(prefix + "open_fds", kGauge, "Open file descriptors", l, u.open_fds);
  out.Add(prefix + "start_time_seconds", kGauge, "Start time, seconds since the Unix epoch", l,
          u.start_time_seconds);
}

}  // namespace

void WriteRuntimeMetrics(const Supervisor::Sample& sample, const NodeInfo& node,
                         core::PromText& out) {
  const Labels n{{"node", node.node}};
  out.Add("floe_node_jobs", kGauge, "Jobs this node's runtime holds", n,
          static_cast<double>(sample.jobs.size()));
  if (node.capacity_jobs > 0) {
    out.Add("floe_node_capacity_jobs", kGauge, "Jobs this node may hold", n, node.capacity_jobs);
  }
  out.Add("floe_node_leases", kGauge, "Job leases this node holds", n,
          static_cast<double>(sample.leases));
  if (sample.capacity_mc > 0) {
    out.Add("floe_node_capacity_cores", kGauge,
            "Cores this node admits jobs against (runtime/cost.h)", n,
            static_cast<double>(sample.capacity_mc) / 1000);
  }
  out.Add("floe_node_used_cores", kGauge, "The cost of the jobs this node holds leases on", n,
          static_cast<double>(sample.used_mc) / 1000);
  out.Add("floe_node_media_processes", kGauge, "Media processes (one per input group)", n,
          static_cast<double>(sample.processes.size()));
  for (const char* family : {"transcode", "record", "snapshot"}) {
    Labels l{{"node", node.node}, {"family", family}};
    out.Add("floe_node_family_jobs", kGauge,
            "Jobs this node's runtime holds, by API family (transcode, record, snapshot)", l,
            static_cast<double>(std::count_if(sample.jobs.begin(), sample.jobs.end(),
                                              [&](const auto& j) { return j.family == family; })));
  }
  out.Add("floe_node_record_files_total", kCounter,
          "Files of record jobs closed and catalogued by this node", n,
          static_cast<double>(sample.record_files));
  out.Add("floe_node_record_file_bytes_total", kCounter,
          "Bytes of the record jobs' files this node catalogued", n,
          static_cast<double>(sample.record_file_bytes));
  out.Add("floe_node_snapshots_total", kCounter,
          "Pictures of snapshot jobs written and catalogued by this node (an overwrite picture "
          "each time it is replaced)",
          n, static_cast<double>(sample.snapshots));
  out.Add("floe_node_snapshot_bytes_total", kCounter,
          "Bytes of the snapshot jobs' pictures this node catalogued", n,
          static_cast<double>(sample.snapshot_bytes));
  for (const auto& j : sample.jobs) {
    Labels l{{"job_id", j.job_id}, {"template_id", j.template_id}, {"node", node.node}};
    Labels with_state = l;
    with_state.emplace_back("state", j.view.state);
    out.Add("floe_job_state", kGauge,
            "1 for the job's process state (starting, running, waiting-input, waiting-output, "
            "input-stalled, input-lost, restarting, stopping)",
            with_state, 1);
    out.Add("floe_job_restarts_total", kCounter, "Restarts of the job after failures", l,
            j.view.restarts);
    if (j.family == "record" || j.family == "snapshot") {
      out.Add("floe_job_files_total", kCounter,
              "Files a record job closed, or pictures a snapshot job took, catalogued on this node",
              l, static_cast<double>(j.view.files));
      out.Add("floe_job_file_bytes_total", kCounter, "Bytes of those files or pictures", l,
              static_cast<double>(j.view.file_bytes));
    }
    if (j.view.stats_json.empty()) continue;
    auto stats = core::ParseJson(j.view.stats_json);
    if (stats && stats->is_object()) WriteStats(*stats, l, out);
  }
  for (const auto& p : sample.processes) {
    if (auto u = core::ReadProcessUsage(p.pid)) {
      WriteProcess("floe_media_process_", {{"node", node.node}, {"group", p.name}}, *u, out);
    }
  }
  if (auto self = core::ReadProcessUsage()) WriteProcess("process_", {}, *self, out);
}

}  // namespace floe::runtime
