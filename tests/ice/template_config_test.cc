// Every documented boundary of TemplateConfig, each side of it.
#include "ice/template_config.h"

#include <gtest/gtest.h>

namespace floe::ice {
namespace {

// Validates `type` with a base of valid leaves plus the overrides (value "" removes a leaf).
core::Result<TemplateSpec> Check(const std::string& type, const ConfigLeaves& overrides,
                                 ConfigLeaves base = {{"VideoParams.Height", "720"},
                                                      {"VideoParams.Fps", "30"},
                                                      {"VideoParams.Bitrate", "2500"}}) {
  for (const auto& [k, v] : overrides) {
    if (v.empty()) {
      base.erase(k);
    } else {
      base[k] = v;
    }
  }
  return ValidateTemplate(type, base);
}

std::string CodeOf(const core::Result<TemplateSpec>& r) {
  return r ? "OK" : r.error().code;
}

void ExpectRange(const std::string& path, const std::string& below, const std::string& low,
                 const std::string& high, const std::string& above,
                 const ConfigLeaves& extra = {}) {
  SCOPED_TRACE(path);
  auto with = [&](const std::string& v) {
    ConfigLeaves o = extra;
    o[path] = v;
    return Check("normal", o);
  };
  EXPECT_EQ(CodeOf(with(low)), "OK");
  EXPECT_EQ(CodeOf(with(high)), "OK");
  for (const auto& bad : {below, above}) {
    auto r = with(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "InvalidParam." + path);
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(low + "-" + high), std::string::npos) << r.error().message;
  }
}

TEST(TemplateConfig, VideoRanges) {
  ExpectRange("VideoParams.Height", "127", "128", "2560", "2561");
  ExpectRange("VideoParams.Width", "127", "128", "2560", "2561");
  ExpectRange("VideoParams.Fps", "0", "1", "60", "61");
  ExpectRange("VideoParams.Bitrate", "0", "1", "6000", "6001");
  ExpectRange("VideoParams.Gop", "0", "1", "3000", "3001");
  ExpectRange("VideoParams.Profile", "0", "1", "3", "4");
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Profile", "2"}})), "OK");
}

TEST(TemplateConfig, MinSideAtMost1440) {
  EXPECT_EQ(
      CodeOf(Check("normal", {{"VideoParams.Width", "2560"}, {"VideoParams.Height", "1440"}})),
      "OK");
  EXPECT_EQ(
      CodeOf(Check("normal", {{"VideoParams.Width", "1440"}, {"VideoParams.Height", "2560"}})),
      "OK");
  auto r = Check("normal", {{"VideoParams.Width", "2560"}, {"VideoParams.Height", "1441"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.VideoParams.Width");
  EXPECT_NE(r.error().message.find("1440"), std::string::npos);
  EXPECT_EQ(
      CodeOf(Check("normal", {{"VideoParams.Width", "1441"}, {"VideoParams.Height", "1441"}})),
      "InvalidParam.VideoParams.Width");
  // One side alone may be up to 2560: the other follows the source's aspect ratio.
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Height", "2000"}})), "OK");
}

TEST(TemplateConfig, NarrowBandH265IsAtMost1280x720) {
  ConfigLeaves h265 = {{"VideoParams.Codec", "H.265"}};
  auto nb = [&](const std::string& w, const std::string& h) {
    ConfigLeaves o = h265;
    o["VideoParams.Width"] = w;
    o["VideoParams.Height"] = h;
    return CodeOf(Check("narrow-band", o));
  };
  EXPECT_EQ(nb("1280", "720"), "OK");
  EXPECT_EQ(nb("720", "1280"), "OK");
  EXPECT_NE(nb("1281", "720"), "OK");
  EXPECT_NE(nb("1280", "721"), "OK");
  EXPECT_NE(nb("721", "1280"), "OK");
  // H.264 narrow-band follows the general limits.
  EXPECT_EQ(
      CodeOf(Check("narrow-band", {{"VideoParams.Width", "1920"}, {"VideoParams.Height", "1080"}})),
      "OK");
}

TEST(TemplateConfig, AudioRanges) {
  ExpectRange("AudioParams.Bitrate", "0", "1", "1000", "1001");
  ExpectRange("AudioParams.Samplerate", "22049", "22050", "96000", "96001");
  ExpectRange("AudioParams.Channels", "0", "1", "2", "3");
}

TEST(TemplateConfig, AacLdSamplerateAtMost44100) {
  ConfigLeaves ld = {{"AudioParams.Codec", "AAC"}, {"AudioParams.Profile", "aac_ld"}};
  ld["AudioParams.Samplerate"] = "44100";
  EXPECT_EQ(CodeOf(Check("normal", ld)), "OK");
  ld["AudioParams.Samplerate"] = "48000";
  auto r = Check("normal", ld);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.AudioParams.Samplerate");
  EXPECT_NE(r.error().message.find("22050-44100 with Profile aac_ld"), std::string::npos);
  ld["AudioParams.Profile"] = "aac_low";
  EXPECT_EQ(CodeOf(Check("normal", ld)), "OK");
}

TEST(TemplateConfig, ProfileCombinationsNameTheField) {
  ConfigLeaves v2 = {{"AudioParams.Profile", "aac_he_v2"}, {"AudioParams.Channels", "1"}};
  auto r = Check("audio-only", v2, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.AudioParams.Channels");
  EXPECT_EQ(r.error().http_status, 400);
  v2["AudioParams.Channels"] = "2";
  v2["AudioParams.Bitrate"] = "96";
  EXPECT_EQ(CodeOf(Check("audio-only", v2, {})), "InvalidParam.AudioParams.Bitrate");
  v2["AudioParams.Bitrate"] = "32";
  EXPECT_EQ(CodeOf(Check("audio-only", v2, {})), "OK");
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Height", "720"},
                                    {"VideoParams.Fps", "30"},
                                    {"VideoParams.Bitrate", "1000"},
                                    {"AudioParams.Profile", "aac_he"},
                                    {"AudioParams.Samplerate", "22050"}})),
            "InvalidParam.AudioParams.Samplerate");
  EXPECT_EQ(CodeOf(Check("audio-only",
                         {{"AudioParams.Profile", "aac_ld"}, {"AudioParams.Bitrate", "40"}}, {})),
            "InvalidParam.AudioParams.Bitrate");
}

TEST(TemplateConfig, CodecsAndProfiles) {
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Codec", "H.264"}})), "OK");
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Codec", "H.265"}})), "OK");
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Codec", "h264"}})),
            "InvalidParam.VideoParams.Codec");
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Codec", "VP9"}})),
            "InvalidParam.VideoParams.Codec");
  EXPECT_EQ(CodeOf(Check("normal", {{"AudioParams.Codec", "AAC"}})), "OK");
  EXPECT_EQ(CodeOf(Check("normal", {{"AudioParams.Codec", "MP3"}})), "OK");
  EXPECT_EQ(CodeOf(Check("normal", {{"AudioParams.Codec", "OPUS"}})),
            "InvalidParam.AudioParams.Codec");
  for (const char* p : {"aac_low", "aac_he", "aac_he_v2", "aac_ld"}) {
    EXPECT_EQ(CodeOf(Check("normal", {{"AudioParams.Codec", "AAC"}, {"AudioParams.Profile", p}})),
              "OK")
        << p;
  }
  EXPECT_EQ(CodeOf(Check("normal", {{"AudioParams.Profile", "aac_main"}})),
            "InvalidParam.AudioParams.Profile");
  EXPECT_EQ(
      CodeOf(Check("normal", {{"AudioParams.Codec", "MP3"}, {"AudioParams.Profile", "aac_low"}})),
      "InvalidParam.AudioParams.Profile");
}

TEST(TemplateConfig, NonIntegerStringsAreRefused) {
  for (const char* bad :
       {"72O", "1e3", " 720", "720 ", "7.5", "-1", "+720", "0x2D0", "99999999999999999999"}) {
    auto r = Check("normal", {{"VideoParams.Height", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "InvalidParam.VideoParams.Height") << bad;
  }
}

TEST(TemplateConfig, TypeRules) {
  EXPECT_EQ(CodeOf(Check("live", {})), "InvalidParam.Type");
  // normal needs Width or Height, Fps and Bitrate.
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Height", ""}, {"VideoParams.Width", "1280"}})),
            "OK");
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Height", ""}})), "MissingParameter");
  EXPECT_EQ(CodeOf(Check("normal", {{"VideoParams.Fps", ""}})), "MissingParameter");
  auto r = Check("normal", {{"VideoParams.Bitrate", ""}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("VideoParams.Bitrate"), std::string::npos);
  // audio-only and origin take no VideoParams.
  EXPECT_EQ(CodeOf(ValidateTemplate("audio-only", {{"AudioParams.Codec", "AAC"}})), "OK");
  EXPECT_EQ(CodeOf(ValidateTemplate("origin", {})), "OK");
  EXPECT_EQ(CodeOf(ValidateTemplate("audio-only", {{"VideoParams.Fps", "30"}})),
            "InvalidParam.VideoParams");
  EXPECT_EQ(CodeOf(ValidateTemplate("origin", {{"VideoParams.Height", "720"}})),
            "InvalidParam.VideoParams");
}

TEST(TemplateConfig, ParsesStringsAndIntegersAndRefusesOtherJson) {
  auto p = ParseTemplateConfig(
      R"({"VideoParams":{"Height":720,"Width":"1280","Fps":null},"AudioParams":{}})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->set.at("VideoParams.Height"), "720");
  EXPECT_EQ(p->set.at("VideoParams.Width"), "1280");
  EXPECT_FALSE(p->set.count("VideoParams.Fps"));
  for (const char* bad :
       {"not json", "[]", R"({"VideoParams":{"Height":7.5}})", R"({"VideoParams":{"Height":-1}})",
        R"({"VideoParams":{"Height":1e3}})", R"({"VideoParams":{"Height":true}})",
        R"({"VideoParams":{"Heigth":"720"}})", R"({"VideoParms":{}})",
        R"({"VideoParams":"720"})"}) {
    auto r = ParseTemplateConfig(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code.rfind("InvalidParam.", 0), 0u) << bad;
    }
  }
}

TEST(TemplateConfig, PatchMergesLeafByLeafAndClearsEmptyStrings) {
  ConfigLeaves stored = {
      {"VideoParams.Height", "720"}, {"VideoParams.Gop", "60"}, {"AudioParams.Codec", "AAC"}};
  auto patch = ParseTemplateConfig(
      R"({"VideoParams":{"Height":"540","Gop":""},"AudioParams":{"Bitrate":"96"}})");
  ASSERT_TRUE(patch.ok());
  ConfigLeaves merged = ApplyPatch(stored, *patch);
  EXPECT_EQ(merged, (ConfigLeaves{{"VideoParams.Height", "540"},
                                  {"AudioParams.Codec", "AAC"},
                                  {"AudioParams.Bitrate", "96"}}));
}

TEST(TemplateConfig, RenderRoundTrips) {
  ConfigLeaves leaves = {{"VideoParams.Height", "720"}, {"AudioParams.Codec", "AAC"}};
  std::string text = RenderConfig(leaves);
  EXPECT_EQ(text, R"({"AudioParams":{"Codec":"AAC"},"VideoParams":{"Height":"720"}})");
  EXPECT_EQ(LeavesFromStored(text), leaves);
  EXPECT_EQ(RenderConfig({}), "{}");
}

TEST(TemplateName, Length) {
  EXPECT_TRUE(ValidateName(std::string(128, 'a')).ok());
  EXPECT_EQ(ValidateName(std::string(129, 'a')).error().code, "InvalidParam.Name");
  EXPECT_EQ(ValidateName("").error().code, "MissingParameter");
  std::string cjk;
  for (int i = 0; i < 128; ++i) cjk += "\xe6\xa8\xa1";  // 128 characters, 384 bytes
  EXPECT_TRUE(ValidateName(cjk).ok());
}

TEST(TemplateConfig, DeepNestingIsRefusedWithoutEchoingTheValue) {
  // 120,000 nested arrays crashed the server once: the bad value was dumped into the message.
  std::string deep =
      R"({"VideoParams":{"Height":)" + std::string(120'000, '[') + std::string(120'000, ']') + "}}";
  auto r = ParseTemplateConfig(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.TemplateConfig");
  EXPECT_NE(r.error().message.find("deeper than 32"), std::string::npos);
  EXPECT_LT(r.error().message.size(), 200u);
  // Within the depth limit, a nested value is refused by its type, not echoed.
  auto shallow = ParseTemplateConfig(R"({"VideoParams":{"Height":[[["720"]]]}})");
  ASSERT_FALSE(shallow.ok());
  EXPECT_EQ(shallow.error().code, "InvalidParam.VideoParams.Height");
  EXPECT_EQ(shallow.error().message.find("720"), std::string::npos);
  EXPECT_NE(shallow.error().message.find("array"), std::string::npos);
}

TEST(TemplateConfig, UnknownFieldNamesAreBoundedInTheMessage) {
  std::string key(100'000, 'x');
  auto r = ParseTemplateConfig(R"({"VideoParams":{")" + key + R"(":"1"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.error().message.size(), 300u);
}

TEST(TemplateConfig, CloudCodecSpellingsAreStoredCanonically) {
  auto p = ParseTemplateConfig(R"({"VideoParams":{"Codec":"264"}})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->set.at("VideoParams.Codec"), "H.264");
  p = ParseTemplateConfig(R"({"VideoParams":{"Codec":"265"}})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->set.at("VideoParams.Codec"), "H.265");
  p = ParseTemplateConfig(R"({"VideoParams":{"Codec":"266"}})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(CodeOf(ValidateTemplate("normal", ApplyPatch({{"VideoParams.Height", "720"},
                                                          {"VideoParams.Fps", "30"},
                                                          {"VideoParams.Bitrate", "900"}},
                                                         *p))),
            "InvalidParam.VideoParams.Codec");
}

TEST(TemplateConfig, SwitchingAudioCodecDropsTheInheritedAacProfile) {
  ConfigLeaves stored = {{"AudioParams.Codec", "AAC"}, {"AudioParams.Profile", "aac_low"}};
  auto patch = ParseTemplateConfig(R"({"AudioParams":{"Codec":"MP3"}})");
  ASSERT_TRUE(patch.ok());
  ConfigLeaves merged = ApplyPatch(stored, *patch);
  EXPECT_EQ(merged, (ConfigLeaves{{"AudioParams.Codec", "MP3"}}));
  EXPECT_TRUE(ValidateTemplate("audio-only", merged).ok());
  // Naming a Profile with MP3 is still the client's error.
  patch = ParseTemplateConfig(R"({"AudioParams":{"Codec":"MP3","Profile":"aac_low"}})");
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ(CodeOf(ValidateTemplate("audio-only", ApplyPatch(stored, *patch))),
            "InvalidParam.AudioParams.Profile");
  // Changing something else keeps the profile.
  patch = ParseTemplateConfig(R"({"AudioParams":{"Bitrate":"96"}})");
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ(ApplyPatch(stored, *patch).at("AudioParams.Profile"), "aac_low");
}

TEST(TemplateName, InvalidUtf8AndByteLengthAreRefused) {
  // 'a' + 200,000 continuation bytes once counted as one character and was stored.
  std::string poison = "a" + std::string(200'000, '\x80');
  EXPECT_EQ(ValidateName(poison).error().code, "InvalidParam.Name");
  EXPECT_EQ(ValidateName("a\x80").error().code, "InvalidParam.Name");
  EXPECT_EQ(ValidateName("\xc0\xaf").error().code, "InvalidParam.Name");      // overlong '/'
  EXPECT_EQ(ValidateName("\xed\xa0\x80").error().code, "InvalidParam.Name");  // surrogate
  EXPECT_EQ(ValidateName("tab\there").error().code, "InvalidParam.Name");
  EXPECT_TRUE(ValidateName("\xf0\x9f\x8e\xa5 live").ok());
}

}  // namespace
}  // namespace floe::ice
