#include "core/prometheus.h"

#include <gtest/gtest.h>

#include "core/process_usage.h"

namespace floe::core {
namespace {

TEST(PromTextTest, KeepsEachFamilyTogetherWithOneHeader) {
  PromText out;
  out.Add("a_total", MetricType::kCounter, "As", {{"job_id", "1"}}, 3);
  out.Add("b", MetricType::kGauge, "Bs", {{"job_id", "1"}}, 0.5);
  out.Add("a_total", MetricType::kCounter, "As", {{"job_id", "2"}}, 4);
  EXPECT_EQ(out.Text(),
            "# HELP a_total As\n# TYPE a_total counter\n"
            "a_total{job_id=\"1\"} 3\na_total{job_id=\"2\"} 4\n"
            "# HELP b Bs\n# TYPE b gauge\nb{job_id=\"1\"} 0.5\n");
}

TEST(PromTextTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  PromText out;
  out.Add("x", MetricType::kGauge, "X", {{"name", "q\"uote"}}, 1);
  EXPECT_NE(out.Text().find("x{name=\"q\\\"uote\"} 1\n"), std::string::npos);
}

TEST(PromTextTest, WritesLargeAndSpecialNumbersExactly) {
  PromText out;
  out.Add("t", MetricType::kGauge, "T", {}, 1796241970.25);
  out.Add("n", MetricType::kGauge, "N", {}, 1.0 / 0.0);
  EXPECT_NE(out.Text().find("t 1796241970.25\n"), std::string::npos);
  EXPECT_NE(out.Text().find("n +Inf\n"), std::string::npos);
}

TEST(HistogramTest, CountsCumulativelyWithInfSumAndCount) {
  Histogram h({0.1, 1});
  for (double v : {0.05, 0.1, 0.5, 3.0}) h.Observe(v);
  PromText out;
  h.Write(out, "lat_seconds", "Latency", {{"action", "Get"}});
  EXPECT_EQ(out.Text(),
            "# HELP lat_seconds Latency\n# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{action=\"Get\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{action=\"Get\",le=\"1\"} 3\n"
            "lat_seconds_bucket{action=\"Get\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{action=\"Get\"} 3.65\n"
            "lat_seconds_count{action=\"Get\"} 4\n");
}

TEST(ProcessUsageTest, ReadsThisProcessAndNothingForAMissingOne) {
  auto self = ReadProcessUsage();
  ASSERT_TRUE(self.has_value());
  EXPECT_GT(self->resident_bytes, 1 << 20);
  EXPECT_GT(self->open_fds, 2);
  EXPECT_GT(self->start_time_seconds, 1.7e9);
  EXPECT_FALSE(ReadProcessUsage(999'999'999).has_value());
}

}  // namespace
}  // namespace floe::core
