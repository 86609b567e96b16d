// The settings of a snapshot template: interval, the two naming modes and their placeholders,
// the canonical text.
#include "ice/snapshot_format.h"

#include <gtest/gtest.h>

namespace floe::ice {
namespace {

using Opt = std::optional<std::string>;

// The error code ParseSnapshotSettings answers with ("" when it accepts).
std::string Code(Opt interval, Opt overwrite, Opt sequence) {
  auto r = ParseSnapshotSettings(interval, overwrite, sequence);
  return r ? "" : r.error().code;
}

TEST(SnapshotSettings, BothModesTogetherAndTheirCanonicalText) {
  auto s =
      ParseSnapshotSettings("10", "snapshot/{JobId}.jpg", "snapshot/{JobId}/{UnixTimestamp}.jpg");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->time_interval_s, 10);
  std::string text = RenderSnapshotSettings(*s);
  EXPECT_EQ(text, R"({"TimeInterval":10,"OverwriteFormat":"snapshot/{JobId}.jpg",)"
                  R"("SequenceFormat":"snapshot/{JobId}/{UnixTimestamp}.jpg"})");
  EXPECT_EQ(RenderSnapshotSettings(StoredSnapshotSettings(text)), text);
  auto seq = ParseSnapshotSettings("3600", std::nullopt, "d/{Date}/{Sequence}.jpg");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(RenderSnapshotSettings(*seq),
            R"({"TimeInterval":3600,"SequenceFormat":"d/{Date}/{Sequence}.jpg"})");
}

TEST(SnapshotSettings, ObjectsOfAJobsPictures) {
  auto s = ParseSnapshotSettings("5", "snap/{JobId}.jpg",
                                 "snap/{JobId}/{Date}/{Sequence}-{UnixTimestamp}.jpg");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(SnapshotOverwriteObject(*s, "j1"), "snap/j1.jpg");
  // 1796601599999 ms is 2026-12-06T23:59:59.999Z: the day of the shot, its time in ms.
  EXPECT_EQ(SnapshotSequenceObject(*s, "j1", 7, 1'796'601'599'999),
            "snap/j1/2026-12-06/7-1796601599999.jpg");
}

TEST(SnapshotSettings, ANextProcessStartsAfterThePicturesTaken) {
  auto by_number = ParseSnapshotSettings("5", std::nullopt, "s/{JobId}/{Sequence}.jpg");
  ASSERT_TRUE(by_number.ok());
  for (int taken : {0, 1, 2, 3, 100, 1000}) {
    int looked = 0;
    int next = FirstFreeSequence(*by_number, "j1", 0, [&](const std::string& object) {
      ++looked;
      int n = std::stoi(object.substr(5));
      EXPECT_EQ(object, "s/j1/" + std::to_string(n) + ".jpg");
      return n <= taken;
    });
    EXPECT_EQ(next, taken + 1);
    EXPECT_LE(looked, 25) << taken;  // a search, not a walk
  }
  auto by_time = ParseSnapshotSettings("5", std::nullopt, "s/{Sequence}-{UnixTimestamp}.jpg");
  ASSERT_TRUE(by_time.ok());
  EXPECT_EQ(FirstFreeSequence(*by_time, "j1", 0, [](const std::string&) { return true; }), 1);
}

TEST(SnapshotSettings, EachRuleNamesItsField) {
  const Opt ok = "s/{JobId}.jpg";
  EXPECT_EQ(Code(std::nullopt, ok, std::nullopt), "MissingParameter");
  EXPECT_EQ(Code("4", ok, std::nullopt), "InvalidParam.TimeInterval");
  EXPECT_EQ(Code("3601", ok, std::nullopt), "InvalidParam.TimeInterval");
  EXPECT_EQ(Code("1e1", ok, std::nullopt), "InvalidParam.TimeInterval");
  EXPECT_EQ(Code("5", ok, std::nullopt), "");
  EXPECT_EQ(Code("10", std::nullopt, std::nullopt), "MissingParameter");  // one mode at least
  EXPECT_EQ(Code("10", "s/{JobId}.png", std::nullopt), "InvalidParam.OverwriteFormat");
  EXPECT_EQ(Code("10", ".jpg", std::nullopt), "InvalidParam.OverwriteFormat");
  EXPECT_EQ(Code("10", "/s/{JobId}.jpg", std::nullopt), "InvalidParam.OverwriteFormat");
  EXPECT_EQ(Code("10", "../{JobId}.jpg", std::nullopt), "InvalidParam.OverwriteFormat");
  // Overwrite mode names one object: no per-shot placeholder.
  EXPECT_EQ(Code("10", "s/{UnixTimestamp}.jpg", std::nullopt), "InvalidParam.OverwriteFormat");
  EXPECT_EQ(Code("10", "s/{Sequence}.jpg", std::nullopt), "InvalidParam.OverwriteFormat");
  EXPECT_EQ(Code("10", "s/{Date}.jpg", std::nullopt), "InvalidParam.OverwriteFormat");
  // Sequence mode needs one that changes per shot.
  EXPECT_EQ(Code("10", std::nullopt, "s/{JobId}/{Date}.jpg"), "InvalidParam.SequenceFormat");
  EXPECT_EQ(Code("10", std::nullopt, "s/{JobId}/{Sequence}.jpg"), "");
  EXPECT_EQ(Code("10", std::nullopt, "s/{Bogus}{Sequence}.jpg"), "InvalidParam.SequenceFormat");
  EXPECT_EQ(Code("10", std::nullopt, std::string(250, 's') + "{Sequence}.jpg"),
            "InvalidParam.SequenceFormat");
}

}  // namespace
}  // namespace floe::ice
