// RecordFormat, the list of containers of a recording template: defaults filled in, the
// canonical text, and every rule with the entry and field its refusal names.
#include "ice/record_format.h"

#include <gtest/gtest.h>

#include <string>

namespace floe::ice {
namespace {

constexpr char kHls[] =
    R"([{"Format":"m3u8","OssObjectPrefix":"rec/{JobId}/{Sequence}_{StartTime}_{EndTime}",)"
    R"("SliceOssObjectPrefix":"rec/{JobId}/{UnixTimestamp}_{Sequence}","SliceDuration":10}])";

// The message of the error ParseRecordFormats answers `json` with ("" when it accepts it).
std::string Refusal(const std::string& json) {
  auto r = ParseRecordFormats(json);
  if (r) return "";
  EXPECT_EQ(r.error().code, "InvalidParam.RecordFormat");
  EXPECT_EQ(r.error().http_status, 400);
  return r.error().message;
}

TEST(RecordFormats, DefaultsAreFilledInAndTheTextIsCanonical) {
  auto r = ParseRecordFormats(
      R"([{"Format":"MP4"},{"Format":"m3u8","SliceOssObjectPrefix":"s/{UnixTimestamp}-{Sequence}"},)"
      R"({"Format":"flv","OssObjectPrefix":"a/{EscapedStartTime}-{EscapedEndTime}","CycleDuration":"600"}])");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].format, "mp4");
  EXPECT_EQ((*r)[0].oss_object_prefix,
            "record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}");
  EXPECT_EQ((*r)[0].cycle_duration_s, 21600);  // 6 h
  EXPECT_EQ((*r)[1].slice_duration_s, 30);
  EXPECT_EQ((*r)[2].cycle_duration_s, 600);
  EXPECT_EQ(
      RenderRecordFormats(*r),
      R"([{"Format":"mp4","OssObjectPrefix":"record/{JobId}/{Sequence}_{EscapedStartTime}_)"
      R"({EscapedEndTime}","CycleDuration":21600},{"Format":"m3u8","OssObjectPrefix":"record/)"
      R"({JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}","SliceOssObjectPrefix":"s/)"
      R"({UnixTimestamp}-{Sequence}","SliceDuration":30,"CycleDuration":21600},{"Format":"flv",)"
      R"("OssObjectPrefix":"a/{EscapedStartTime}-{EscapedEndTime}","CycleDuration":600}])");
  EXPECT_EQ(Refusal(kHls), "");
}

TEST(RecordFormats, WhatIsRefusedSaysWhichEntryAndWhy) {
  EXPECT_NE(Refusal("not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(Refusal(R"({"Format":"flv"})").find("JSON array"), std::string::npos);
  EXPECT_NE(Refusal("[]").find("at least one"), std::string::npos);
  EXPECT_NE(Refusal(std::string(100000, '[')).find("nests deeper than 32"), std::string::npos);
  EXPECT_NE(Refusal(R"([{"Format":"flv","Bucket":"b"}])").find("entry 1: unknown field Bucket"),
            std::string::npos);
  EXPECT_NE(Refusal(R"([{"OssObjectPrefix":"x"}])").find("Format is required"), std::string::npos);
  EXPECT_NE(Refusal(R"([{"Format":"avi"}])").find("not one of m3u8, flv, mp4"), std::string::npos);
  EXPECT_NE(
      Refusal(R"([{"Format":"flv"},{"Format":"FLV"}])").find("entry 2: Format flv is listed twice"),
      std::string::npos);
}

TEST(RecordFormats, ObjectNamesNeedTheirPlaceholdersAndStayUnderTheBucket) {
  auto flv = [](const std::string& name) {
    return Refusal(R"([{"Format":"flv","OssObjectPrefix":")" + name + R"("}])");
  };
  EXPECT_EQ(flv("r/{JobId}_{StartTime}_{EscapedEndTime}"), "");
  EXPECT_NE(flv("r/{JobId}_{StartTime}").find("must contain {EndTime} or {EscapedEndTime}"),
            std::string::npos);
  EXPECT_NE(flv("r/{JobId}").find("must contain {StartTime} or {EscapedStartTime}"),
            std::string::npos);
  EXPECT_NE(flv("r/{UnixTimestamp}_{StartTime}_{EndTime}").find("placeholder {UnixTimestamp}"),
            std::string::npos);
  EXPECT_NE(flv("r/{StartTime_{EndTime}").find("placeholder"), std::string::npos);
  EXPECT_NE(flv("r/{StartTime}_{EndTime}}").find("'}' without"), std::string::npos);
  EXPECT_NE(flv("/abs/{StartTime}_{EndTime}").find("relative"), std::string::npos);
  EXPECT_NE(flv("../up/{StartTime}_{EndTime}").find("\"..\""), std::string::npos);
  EXPECT_NE(flv("a/../../{StartTime}_{EndTime}").find("\"..\""), std::string::npos);
  EXPECT_NE(flv("a//{StartTime}_{EndTime}").find("empty"), std::string::npos);
  EXPECT_NE(flv("a\\\\{StartTime}_{EndTime}").find("backslash"), std::string::npos);
  EXPECT_NE(flv("a\\n{StartTime}_{EndTime}").find("control"), std::string::npos);
  EXPECT_NE(flv(std::string(240, 'x') + "{StartTime}_{EndTime}").find("at most 255"),
            std::string::npos);
}

TEST(RecordFormats, ARecordingsNamesCarryItsTimesAndExtension) {
  auto f = ParseRecordFormats(R"([{"Format":"m3u8","SliceDuration":10,
      "OssObjectPrefix":"rec/{JobId}/{Sequence}_{StartTime}_{EscapedEndTime}",
      "SliceOssObjectPrefix":"rec/{JobId}/ts/{UnixTimestamp}_{Sequence}"},
      {"Format":"mp4","OssObjectPrefix":"rec/{EscapedStartTime}-{EndTime}.mp4"}])");
  ASSERT_TRUE(f.ok()) << f.error().message;
  const int64_t start = 1'796'551'200'000;  // 2026-12-06T10:00:00Z
  const int64_t end = start + 3'723'500;    // 11:02:03.5
  EXPECT_EQ(RecordFileObject((*f)[0], "job1", 3, start, end),
            "rec/job1/3_2026-12-06T10:00:00Z_2026-12-06-11-02-03.m3u8");
  EXPECT_EQ(RecordSliceObject((*f)[0], "job1", 41, start + 5), "rec/job1/ts/1796551200005_41.ts");
  // An extension already there is not doubled.
  EXPECT_EQ(RecordFileObject((*f)[1], "job1", 1, start, end),
            "rec/2026-12-06-10-00-00-2026-12-06T11:02:03Z.mp4");
}

TEST(RecordFormats, SegmentsAreForM3u8AndNeedTimestampAndSequence) {
  EXPECT_NE(Refusal(R"([{"Format":"m3u8"}])").find("SliceOssObjectPrefix is required"),
            std::string::npos);
  EXPECT_NE(Refusal(R"([{"Format":"m3u8","SliceOssObjectPrefix":"s/{UnixTimestamp}"}])")
                .find("must contain {Sequence}"),
            std::string::npos);
  EXPECT_NE(Refusal(R"([{"Format":"m3u8","SliceOssObjectPrefix":"s/{Sequence}_{StartTime}"}])")
                .find("placeholder {StartTime}"),
            std::string::npos);
  const std::string hls =
      R"([{"Format":"m3u8","SliceOssObjectPrefix":"s/{UnixTimestamp}{Sequence}",)";
  EXPECT_NE(Refusal(hls + R"("SliceDuration":4}])").find("SliceDuration is 4; allowed 5-30"),
            std::string::npos);
  EXPECT_NE(Refusal(hls + R"("SliceDuration":31}])").find("allowed 5-30"), std::string::npos);
  EXPECT_NE(Refusal(hls + R"("SliceDuration":"ten"}])").find("must be an integer"),
            std::string::npos);
  EXPECT_EQ(Refusal(hls + R"("SliceDuration":5}])"), "");
  EXPECT_NE(Refusal(R"([{"Format":"mp4","SliceDuration":10}])").find("for m3u8 only"),
            std::string::npos);
  EXPECT_NE(Refusal(R"([{"Format":"mp4","CycleDuration":59}])").find("CycleDuration is 59"),
            std::string::npos);
}

}  // namespace
}  // namespace floe::ice
