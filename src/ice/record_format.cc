#include "ice/record_format.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "ice/object_name.h"

namespace floe::ice {

using core::Error;
using core::Result;

namespace {

constexpr int kDefaultSliceS = 30;
constexpr int kDefaultCycleS = 6 * 3600;
constexpr int kMinCycleS = 60, kMaxCycleS = 7 * 24 * 3600;
constexpr size_t kMaxNameBytes = 255;  // "< 256 bytes"

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Error Invalid(const std::string& why) {
  return Error::InvalidParameter("RecordFormat", why);
}

// An object name's problem, as InvalidParam.RecordFormat.
Result<void> CheckName(const std::string& where, const std::string& name,
                       const std::set<std::string>& allowed,
                       const std::vector<std::vector<std::string>>& required) {
  if (auto problem = ObjectNameProblem(name, kMaxNameBytes, allowed, required)) {
    return Invalid(where + " " + *problem);
  }
  return {};
}

Result<int> IntField(const nlohmann::json& v, const std::string& field, int min, int max) {
  if (!v.is_number_integer() && !(v.is_string() && core::ParsePlainInt(v.get<std::string>()))) {
    return Invalid(field + " must be an integer.");
  }
  int64_t n = v.is_string() ? *core::ParsePlainInt(v.get<std::string>()) : v.get<int64_t>();
  if (n < min || n > max) {
    return Invalid(field + " is " + std::to_string(n) + "; allowed " + std::to_string(min) + "-" +
                   std::to_string(max) + ".");
  }
  return static_cast<int>(n);
}

Result<RecordFormat> ParseOne(const nlohmann::json& item, size_t index) {
  const std::string at = "entry " + std::to_string(index + 1) + ": ";
  if (!item.is_object()) return Invalid(at + "each entry must be an object.");
  static const std::set<std::string> kKeys = {"Format", "OssObjectPrefix", "SliceOssObjectPrefix",
                                              "SliceDuration", "CycleDuration"};
  for (const auto& [k, v] : item.items()) {
    if (!kKeys.count(k)) return Invalid(at + "unknown field " + core::Excerpt(k) + ".");
  }
  RecordFormat f;
  auto format = item.find("Format");
  if (format == item.end() || !format->is_string()) return Invalid(at + "Format is required.");
  f.format = Lower(format->get<std::string>());
  if (f.format != "m3u8" && f.format != "flv" && f.format != "mp4") {
    return Invalid(at + "Format " + core::Excerpt(format->get<std::string>()) +
                   " is not one of m3u8, flv, mp4.");
  }
  const bool hls = f.format == "m3u8";
  f.oss_object_prefix = "record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}";
  if (auto v = item.find("OssObjectPrefix"); v != item.end() && !v->is_null()) {
    if (!v->is_string()) return Invalid(at + "OssObjectPrefix must be a string.");
    f.oss_object_prefix = v->get<std::string>();
  }
  if (auto r =
          CheckName(at + "OssObjectPrefix", f.oss_object_prefix,
                    {"{JobId}", "{Sequence}", "{StartTime}", "{EndTime}", "{EscapedStartTime}",
                     "{EscapedEndTime}"},
                    {{"{StartTime}", "{EscapedStartTime}"}, {"{EndTime}", "{EscapedEndTime}"}});
      !r) {
    return r.error();
  }
  auto slice = item.find("SliceOssObjectPrefix");
  auto slice_s = item.find("SliceDuration");
  if (!hls) {
    if ((slice != item.end() && !slice->is_null()) ||
        (slice_s != item.end() && !slice_s->is_null())) {
      return Invalid(at + "SliceOssObjectPrefix and SliceDuration are for m3u8 only.");
    }
  } else {
    if (slice == item.end() || !slice->is_string()) {
      return Invalid(at + "SliceOssObjectPrefix is required with m3u8.");
    }
    f.slice_object_prefix = slice->get<std::string>();
    if (auto r = CheckName(at + "SliceOssObjectPrefix", f.slice_object_prefix,
                           {"{JobId}", "{UnixTimestamp}", "{Sequence}"},
                           {{"{UnixTimestamp}"}, {"{Sequence}"}});
        !r) {
      return r.error();
    }
    f.slice_duration_s = kDefaultSliceS;
    if (slice_s != item.end() && !slice_s->is_null()) {
      auto n = IntField(*slice_s, at + "SliceDuration", 5, 30);
      if (!n) return n.error();
      f.slice_duration_s = *n;
    }
  }
  f.cycle_duration_s = kDefaultCycleS;
  if (auto v = item.find("CycleDuration"); v != item.end() && !v->is_null()) {
    auto n = IntField(*v, at + "CycleDuration", kMinCycleS, kMaxCycleS);
    if (!n) return n.error();
    f.cycle_duration_s = *n;
  }
  return f;
}

}  // namespace

Result<std::vector<RecordFormat>> ParseRecordFormats(const std::string& json) {
  core::JsonProblem why = core::JsonProblem::kNone;
  auto parsed = core::ParseJson(json, &why);
  if (!parsed) {
    return Invalid(why == core::JsonProblem::kTooDeep
                       ? "it nests deeper than " + std::to_string(core::kMaxJsonDepth) + " levels."
                       : std::string("it is not valid JSON."));
  }
  const nlohmann::json& doc = *parsed;
  if (!doc.is_array()) return Invalid("it must be a JSON array of RecordFormat objects.");
  if (doc.empty()) return Invalid("it needs at least one entry.");
  std::vector<RecordFormat> out;
  std::set<std::string> formats;
  for (size_t i = 0; i < doc.size(); ++i) {
    auto f = ParseOne(doc[i], i);
    if (!f) return f.error();
    if (!formats.insert(f->format).second) {
      return Invalid("entry " + std::to_string(i + 1) + ": Format " + f->format +
                     " is listed twice; one entry per container.");
    }
    out.push_back(std::move(*f));
  }
  return out;
}

std::string RenderRecordFormats(const std::vector<RecordFormat>& formats) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : formats) {
    nlohmann::ordered_json j;
    j["Format"] = f.format;
    j["OssObjectPrefix"] = f.oss_object_prefix;
    if (f.format == "m3u8") {
      j["SliceOssObjectPrefix"] = f.slice_object_prefix;
      j["SliceDuration"] = f.slice_duration_s;
    }
    j["CycleDuration"] = f.cycle_duration_s;
    list.push_back(std::move(j));
  }
  return core::DumpJson(list);
}

std::vector<RecordFormat> StoredRecordFormats(const std::string& json) {
  auto parsed = ParseRecordFormats(json);
  return parsed ? *parsed : std::vector<RecordFormat>{};
}

namespace {

std::string Escaped(int64_t unix_ms) {
  std::string t = core::FormatUtc(unix_ms / 1000);  // 2026-12-06T10:00:00Z
  t.pop_back();
  for (char& c : t) {
    if (c == 'T' || c == ':') c = '-';
  }
  return t;
}

std::string WithExtension(std::string name, const std::string& ext) {
  const std::string dot = "." + ext;
  if (name.size() < dot.size() || name.compare(name.size() - dot.size(), dot.size(), dot) != 0) {
    name += dot;
  }
  return name;
}

}  // namespace

std::string RecordFileObject(const RecordFormat& f, const std::string& job_id, int sequence,
                             int64_t start_ms, int64_t end_ms) {
  return WithExtension(
      RenderObjectName(f.oss_object_prefix, {{"{JobId}", job_id},
                                             {"{Sequence}", std::to_string(sequence)},
                                             {"{StartTime}", core::FormatUtc(start_ms / 1000)},
                                             {"{EndTime}", core::FormatUtc(end_ms / 1000)},
                                             {"{EscapedStartTime}", Escaped(start_ms)},
                                             {"{EscapedEndTime}", Escaped(end_ms)}}),
      f.format);
}

std::string RecordSliceObject(const RecordFormat& f, const std::string& job_id, int sequence,
                              int64_t unix_ms) {
  return WithExtension(
      RenderObjectName(f.slice_object_prefix, {{"{JobId}", job_id},
                                               {"{Sequence}", std::to_string(sequence)},
                                               {"{UnixTimestamp}", std::to_string(unix_ms)}}),
      "ts");
}

}  // namespace floe::ice
