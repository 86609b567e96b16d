#include "ice/api_metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace floe::ice {
namespace {

// The series of one family in the exposition.
std::set<std::string> Series(const ApiMetrics& m, const std::string& family) {
  core::PromText out;
  m.Write(out);
  std::set<std::string> series;
  std::istringstream lines(out.Text());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(family + "{", 0) == 0) series.insert(line.substr(0, line.rfind(' ')));
  }
  return series;
}

TEST(ApiMetricsTest, LabelsComeFromFixedSets) {
  EXPECT_EQ(ActionLabel("ListLiveTranscodeTemplates"), "ListLiveTranscodeTemplates");
  EXPECT_EQ(ActionLabel("NoSuchAction"), "unknown");
  EXPECT_EQ(ActionLabel(""), "unknown");
  EXPECT_EQ(CodeLabel("OK"), "OK");
  EXPECT_EQ(CodeLabel("SignatureDoesNotMatch"), "SignatureDoesNotMatch");
  EXPECT_EQ(CodeLabel("InvalidParam.PageSize"), "InvalidParam.PageSize");
  EXPECT_EQ(CodeLabel("InvalidParam.TemplateIdInuse"), "InvalidParam.TemplateIdInuse");
  EXPECT_EQ(CodeLabel("InvalidParam.QueryString"), "InvalidParam.QueryString");
  EXPECT_EQ(CodeLabel("InvalidParam.VideoParams.Width"), "InvalidParam");
  EXPECT_EQ(CodeLabel("InvalidParam.x7Gq"), "InvalidParam");
  EXPECT_EQ(CodeLabel("SomethingNew"), "Other");
}

// 20,000 requests with made-up parameter names were 20,000 series (/metrics grew from 5 KB to
// 2.6 MB) that were never pruned.
TEST(ApiMetricsTest, ManyDistinctCodesAndActionsAddNoSeries) {
  ApiMetrics m;
  m.Observe("ListLiveTranscodeTemplates", "OK", 0.001);
  size_t before = Series(m, "floe_api_requests_total").size();
  for (int i = 0; i < 10'000; ++i) {
    m.Observe("ListLiveTranscodeTemplates", "InvalidParam.p" + std::to_string(i), 0.001);
    m.Observe("Action" + std::to_string(i), "Code" + std::to_string(i), 0.001);
  }
  auto series = Series(m, "floe_api_requests_total");
  EXPECT_EQ(series.size(), before + 2) << *series.rbegin();
  EXPECT_TRUE(series.count(
      R"(floe_api_requests_total{action="ListLiveTranscodeTemplates",code="InvalidParam"})"));
  EXPECT_TRUE(series.count(R"(floe_api_requests_total{action="unknown",code="Other"})"));
  EXPECT_EQ(Series(m, "floe_api_request_duration_seconds_count").size(), 2u);
}

}  // namespace
}  // namespace floe::ice
