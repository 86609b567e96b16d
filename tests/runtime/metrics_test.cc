#include "runtime/metrics.h"

#include <gtest/gtest.h>

namespace floe::runtime {
namespace {

// A job's stats report as run-job sends it (media/stats.cc, one output).
constexpr char kStats[] = R"({"input": {"fps": 30, "kbps": 4000, "lost": false, "stalled": true,
  "reconnects": 2, "frames": 900, "bytes": 15000000, "switches": 1}, "speed": 1.01,
  "outputs": [{"rendition": "j1", "fps": 29.9, "kbps": 1500.5, "speed": 1.01, "frames": 897,
  "bytes": 5600000, "dropped": 3, "duplicated": 4, "reconnects": 1, "encode_latency_ms": 6.5,
  "gap_seconds": {"le": [0.05, 0.1], "counts": [890, 895], "sum": 30.1, "count": 896}}]})";

std::string Render(const Supervisor::Sample& s) {
  core::PromText out;
  WriteRuntimeMetrics(s, {"node-a", 4}, out);
  return out.Text();
}

TEST(RuntimeMetricsTest, EachJobHasItsStateAndFiguresUnderItsLabels) {
  Supervisor::Sample s;
  JobProcessView running;
  running.state = "running";
  running.restarts = 2;
  running.stats_json = kStats;
  JobProcessView waiting;
  waiting.state = "waiting-input";
  waiting.files = 5;
  waiting.file_bytes = 123'456;
  s.jobs = {{"j1", "t1", running, "transcode"}, {"j2", "t2", waiting, "snapshot"}};
  s.record_files = 3;
  s.record_file_bytes = int64_t{5} << 32;
  s.snapshots = 7;
  s.snapshot_bytes = 70'000;
  std::string text = Render(s);
  const std::string l = R"({job_id="j1",template_id="t1",node="node-a"})";
  for (
      const std::string& line : std::vector<std::string>{
          "floe_node_jobs{node=\"node-a\"} 2",
          "floe_node_capacity_jobs{node=\"node-a\"} 4",
          "floe_node_media_processes{node=\"node-a\"} 0",
          R"(floe_node_family_jobs{node="node-a",family="transcode"} 1)",
          R"(floe_node_family_jobs{node="node-a",family="record"} 0)",
          R"(floe_node_family_jobs{node="node-a",family="snapshot"} 1)",
          "floe_node_record_files_total{node=\"node-a\"} 3",
          "floe_node_record_file_bytes_total{node=\"node-a\"} 21474836480",
          "floe_node_snapshots_total{node=\"node-a\"} 7",
          "floe_node_snapshot_bytes_total{node=\"node-a\"} 70000",
          R"(floe_job_state{job_id="j1",template_id="t1",node="node-a",state="running"} 1)",
          R"(floe_job_state{job_id="j2",template_id="t2",node="node-a",state="waiting-input"} 1)",
          R"(floe_job_files_total{job_id="j2",template_id="t2",node="node-a"} 5)",
          R"(floe_job_file_bytes_total{job_id="j2",template_id="t2",node="node-a"} 123456)",
          "floe_job_restarts_total" + l + " 2",
          "floe_job_input_frames_per_second" + l + " 30",
          "floe_job_input_bits_per_second" + l + " 4000000",
          "floe_job_input_bytes_total" + l + " 15000000",
          "floe_job_input_reconnects_total" + l + " 2",
          "floe_job_input_switches_total" + l + " 1",
          "floe_job_input_stalled" + l + " 1",
          "floe_job_speed_ratio" + l + " 1.01",
          "floe_job_output_bits_per_second" + l + " 1500500",
          "floe_job_output_frames_total" + l + " 897",
          "floe_job_output_dropped_frames_total" + l + " 3",
          "floe_job_output_duplicated_frames_total" + l + " 4",
          "floe_job_output_reconnects_total" + l + " 1",
          "floe_job_encode_latency_seconds" + l + " 0.0065",
          R"(floe_job_output_gap_seconds_bucket{job_id="j1",template_id="t1",node="node-a",le="0.1"} 895)",
          R"(floe_job_output_gap_seconds_bucket{job_id="j1",template_id="t1",node="node-a",le="+Inf"} 896)",
          "floe_job_output_gap_seconds_count" + l + " 896",
      }) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\nin:\n" << text;
  }
  // A transcoding job writes no files of its own.
  EXPECT_EQ(text.find(R"(floe_job_files_total{job_id="j1")"), std::string::npos);
  // A job without a report yet has its state, and no figures.
  EXPECT_EQ(text.find(R"(floe_job_input_frames_per_second{job_id="j2")"), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
}

TEST(RuntimeMetricsTest, AMalformedReportShowsNoFigures) {
  Supervisor::Sample s;
  JobProcessView v;
  v.state = "running";
  v.stats_json = R"({"outputs": [{"gap_seconds": {"le": "x"}}], "input": 3})";
  s.jobs = {{"j1", "t1", v, "transcode"}};
  std::string text = Render(s);
  EXPECT_NE(text.find("floe_job_state{"), std::string::npos);
  EXPECT_EQ(text.find("floe_job_output_gap_seconds"), std::string::npos);
}

}  // namespace
}  // namespace floe::runtime
