#include "ice/template_config.h"

#include <nlohmann/json.hpp>

#include "core/audio_profile.h"
#include "core/json.h"
#include "core/strings.h"

#include <algorithm>
#include <vector>

namespace floe::ice {

using core::Error;
using core::Result;
using json = nlohmann::json;

namespace {

const std::map<std::string, std::vector<std::string>>& KnownLeaves() {
  static const std::map<std::string, std::vector<std::string>> kLeaves = {
      {"VideoParams", {"Codec", "Height", "Width", "Fps", "Bitrate", "Gop", "Profile"}},
      {"AudioParams", {"Codec", "Bitrate", "Samplerate", "Channels", "Profile"}},
  };
  return kLeaves;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Error Invalid(const std::string& field, const std::string& why) {
  return Error::InvalidParameter(field, why);
}

class Checker {
 public:
  explicit Checker(const ConfigLeaves& leaves) : leaves_(leaves) {}

  std::optional<std::string> Text(const std::string& path) const {
    auto it = leaves_.find(path);
    if (it == leaves_.end()) return std::nullopt;
    return it->second;
  }

  // Reads an integer leaf and checks min..max; records the first failure.
  std::optional<int> Int(const std::string& path, long long min, long long max,
                         const std::string& note = "") {
    auto text = Text(path);
    if (!text || error_) return std::nullopt;
    std::string range =
        "allowed range " + std::to_string(min) + "-" + std::to_string(max) + note + ".";
    auto v = core::ParsePlainInt(*text);
    if (!v) {
      Fail(path, "\"" + core::Excerpt(*text) + "\" is not a plain base-10 integer; " + range);
      return std::nullopt;
    }
    if (*v < min || *v > max) {
      Fail(path, core::Excerpt(*text) + " is out of range; " + range);
      return std::nullopt;
    }
    return static_cast<int>(*v);
  }

  std::optional<std::string> OneOf(const std::string& path,
                                   const std::vector<std::string>& allowed) {
    auto text = Text(path);
    if (!text || error_) return text;
    for (const auto& a : allowed) {
      if (*text == a) return text;
    }
    Fail(path, "\"" + core::Excerpt(*text) +
                   "\" is not one of the allowed values: " + Join(allowed) + ".");
    return std::nullopt;
  }

  void Fail(const std::string& path, const std::string& why) {
    if (!error_) error_ = Invalid(path, why);
  }
  void Missing(const std::string& path, const std::string& why) {
    if (error_) return;
    error_ = Error::MissingParameter("TemplateConfig." + path);
    error_->message += " " + why;
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  const ConfigLeaves& leaves_;
  std::optional<Error> error_;
};

bool HasAnyUnder(const ConfigLeaves& leaves, const std::string& prefix) {
  auto it = leaves.lower_bound(prefix + ".");
  return it != leaves.end() && it->first.compare(0, prefix.size() + 1, prefix + ".") == 0;
}

}  // namespace

// The cloud's own examples also spell video codecs "264" and "265"; Floe stores H.264/H.265.
std::string CanonicalLeaf(const std::string& path, std::string value) {
  if (path == "VideoParams.Codec") {
    if (value == "264" || value == "h264") return "H.264";
    if (value == "265" || value == "h265") return "H.265";
  }
  return value;
}

Result<ConfigPatch> ParseTemplateConfig(const std::string& json_text) {
  core::JsonProblem problem;
  auto parsed = core::ParseJson(json_text, &problem);
  if (problem == core::JsonProblem::kTooDeep) {
    return Invalid("TemplateConfig", "it nests deeper than " + std::to_string(core::kMaxJsonDepth) +
                                         " levels; a TemplateConfig has two.");
  }
  if (!parsed || !parsed->is_object()) {
    return Invalid("TemplateConfig",
                   "it must be a JSON object, e.g. {\"VideoParams\":{\"Height\":\"720\"}}.");
  }
  const json& doc = *parsed;
  ConfigPatch patch;
  for (auto& [group, body] : doc.items()) {
    auto known = KnownLeaves().find(group);
    if (known == KnownLeaves().end()) {
      return Invalid("TemplateConfig", "unknown field \"" + core::Excerpt(group) +
                                           "\"; allowed fields: AudioParams, VideoParams.");
    }
    if (body.is_null()) continue;
    if (!body.is_object()) return Invalid(group, "it must be a JSON object.");
    for (auto& [leaf, value] : body.items()) {
      const auto& allowed = known->second;
      if (std::find(allowed.begin(), allowed.end(), leaf) == allowed.end()) {
        return Invalid(group, "unknown field \"" + core::Excerpt(leaf) +
                                  "\"; allowed fields: " + Join(allowed) + ".");
      }
      std::string path = group + "." + leaf;
      if (value.is_null()) continue;
      if (value.is_string()) {
        auto s = value.get<std::string>();
        if (s.empty()) {
          patch.cleared[path] = true;
        } else {
          patch.set[path] = CanonicalLeaf(path, s);
        }
      } else if (value.is_number_unsigned()) {
        patch.set[path] = std::to_string(value.get<uint64_t>());
      } else {
        // Never echo the value: it may be huge or deeply nested.
        return Invalid(path, std::string("a JSON ") + value.type_name() +
                                 " is not allowed; send a string or a non-negative integer.");
      }
    }
  }
  return patch;
}

ConfigLeaves ApplyPatch(ConfigLeaves base, const ConfigPatch& patch) {
  for (const auto& [path, cleared] : patch.cleared) base.erase(path);
  for (const auto& [path, value] : patch.set) base[path] = value;
  // A client switching codec sends the new codec's fields: an inherited leaf that only the old
  // codec takes goes, instead of making the update fail.
  auto codec = patch.set.find("AudioParams.Codec");
  if (codec != patch.set.end() && codec->second != "AAC" &&
      !patch.set.count("AudioParams.Profile")) {
    base.erase("AudioParams.Profile");
  }
  return base;
}

Result<TemplateSpec> ValidateTemplate(const std::string& type, const ConfigLeaves& leaves) {
  static const std::vector<std::string> kTypes = {"normal", "narrow-band", "audio-only", "origin"};
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    return Invalid("Type", "\"" + core::Excerpt(type) +
                               "\" is not one of the allowed values: " + Join(kTypes) + ".");
  }
  TemplateSpec spec;
  spec.type = type;
  Checker c(leaves);
  bool transcodes_video = type == "normal" || type == "narrow-band";
  if (!transcodes_video && HasAnyUnder(leaves, "VideoParams")) {
    return Invalid("VideoParams",
                   "a template of Type " + type + " takes no VideoParams (" +
                       (type == "origin" ? "video is copied as it is" : "the output has no video") +
                       ").");
  }
  auto& v = spec.video;
  v.codec = c.OneOf("VideoParams.Codec", {"H.264", "H.265"});
  v.width = c.Int("VideoParams.Width", 128, 2560);
  v.height = c.Int("VideoParams.Height", 128, 2560);
  if (v.width && v.height && std::min(*v.width, *v.height) > 1440) {
    c.Fail("VideoParams.Width", "min(Width, Height) is " +
                                    std::to_string(std::min(*v.width, *v.height)) +
                                    "; allowed at most 1440 (max(Width, Height) at most 2560).");
  }
  if (type == "narrow-band" && v.codec.value_or("H.264") == "H.265") {
    int longer = std::max(v.width.value_or(0), v.height.value_or(0));
    int shorter = (v.width && v.height) ? std::min(*v.width, *v.height) : 0;
    if (longer > 1280 || shorter > 720) {
      c.Fail(v.width ? "VideoParams.Width" : "VideoParams.Height",
             "H.265 narrow-band output is at most 1280x720 (either orientation).");
    }
  }
  v.fps = c.Int("VideoParams.Fps", 1, 60);
  v.bitrate = c.Int("VideoParams.Bitrate", 1, 6000);
  v.gop = c.Int("VideoParams.Gop", 1, 3000);
  v.profile = c.Int("VideoParams.Profile", 1, 3);
  if (transcodes_video) {
    std::string why = "Type " + type + " needs Width or Height, Fps and Bitrate.";
    if (!c.Text("VideoParams.Width") && !c.Text("VideoParams.Height")) {
      c.Missing("VideoParams.Width", why);
    }
    if (!c.Text("VideoParams.Fps")) c.Missing("VideoParams.Fps", why);
    if (!c.Text("VideoParams.Bitrate")) c.Missing("VideoParams.Bitrate", why);
  }
  auto& a = spec.audio;
  a.codec = c.OneOf("AudioParams.Codec", {"AAC", "MP3"});
  a.bitrate = c.Int("AudioParams.Bitrate", 1, 1000);
  a.profile = c.OneOf("AudioParams.Profile", {"aac_low", "aac_he", "aac_he_v2", "aac_ld"});
  if (a.profile && a.codec.value_or("AAC") != "AAC") {
    c.Fail("AudioParams.Profile", "a Profile is allowed only with Codec AAC.");
  }
  bool ld = a.profile.value_or("") == "aac_ld";
  a.samplerate =
      c.Int("AudioParams.Samplerate", 22050, ld ? 44100 : 96000, ld ? " with Profile aac_ld" : "");
  a.channels = c.Int("AudioParams.Channels", 1, 2);
  if (c.error()) return *c.error();
  // What the profile can carry, with the defaults of the fields left out (core/audio_profile.h).
  if (auto problem = core::CheckAudioProfile(a)) return Invalid(problem->field, problem->why);
  return spec;
}

Result<void> ValidateName(const std::string& name, const std::string& field) {
  if (!core::IsValidUtf8(name)) return Invalid(field, "it is not valid UTF-8.");
  if (name.size() > 512) {
    return Invalid(field, std::to_string(name.size()) + " bytes; allowed 1-128 characters.");
  }
  size_t chars = core::Utf8Length(name);
  if (chars == 0) return Error::MissingParameter(field);
  if (chars > 128) {
    return Invalid(field, std::to_string(chars) + " characters; allowed 1-128 characters.");
  }
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f) return Invalid(field, "it contains control characters.");
  }
  return {};
}

std::string RenderConfig(const ConfigLeaves& leaves) {
  json out = json::object();
  for (const auto& [path, value] : leaves) {
    auto dot = path.find('.');
    out[path.substr(0, dot)][path.substr(dot + 1)] = value;
  }
  return core::DumpJson(out);
}

ConfigLeaves LeavesFromStored(const std::string& json_text) {
  ConfigLeaves leaves;
  json doc = json::parse(json_text, nullptr, false);
  if (!doc.is_object()) return leaves;
  for (auto& [group, body] : doc.items()) {
    if (!body.is_object()) continue;
    for (auto& [leaf, value] : body.items()) {
      if (value.is_string()) leaves[group + "." + leaf] = value.get<std::string>();
    }
  }
  return leaves;
}

core::Result<TemplateSpec> TemplateSpecOf(const std::string& type, const std::string& config_json) {
  ConfigLeaves leaves;
  if (!config_json.empty()) {
    auto patch = ParseTemplateConfig(config_json);
    if (!patch) return patch.error();
    leaves = ApplyPatch({}, *patch);
  }
  return ValidateTemplate(type, leaves);
}

}  // namespace floe::ice
