#include "ice/snapshot_format.h"

#include <nlohmann/json.hpp>

#include "core/json.h"
#include "core/strings.h"
#include "ice/object_name.h"

namespace floe::ice {

using core::Error;
using core::Result;

namespace {

constexpr size_t kMaxNameBytes = 255;

Result<void> CheckFormat(const std::string& field, const std::string& name,
                         const std::set<std::string>& allowed,
                         const std::vector<std::vector<std::string>>& required) {
  if (auto problem = ObjectNameProblem(name, kMaxNameBytes, allowed, required)) {
    return Error::InvalidParameter(field, "it " + *problem);
  }
  if (name.size() < 5 || name.compare(name.size() - 4, 4, ".jpg") != 0) {
    return Error::InvalidParameter(field, "it must end in \".jpg\" (pictures are JPEG).");
  }
  return {};
}

}  // namespace

Result<SnapshotSettings> ParseSnapshotSettings(const std::optional<std::string>& time_interval,
                                               const std::optional<std::string>& overwrite_format,
                                               const std::optional<std::string>& sequence_format) {
  if (!time_interval) return Error::MissingParameter("TimeInterval");
  auto n = core::ParsePlainInt(*time_interval);
  if (!n || *n < 5 || *n > 3600) {
    return Error::InvalidParameter(
        "TimeInterval", "\"" + core::Excerpt(*time_interval) + "\" is not 5-3600 (seconds).");
  }
  if (!overwrite_format && !sequence_format) {
    return Error{"MissingParameter", 400,
                 "OverwriteFormat or SequenceFormat (or both) must be supplied: where the "
                 "pictures go.",
                 "Supply OverwriteFormat (one picture, replaced) or SequenceFormat (one per "
                 "shot)."};
  }
  SnapshotSettings s;
  s.time_interval_s = static_cast<int>(*n);
  if (overwrite_format) {
    if (auto r = CheckFormat("OverwriteFormat", *overwrite_format, {"{JobId}"}, {}); !r) {
      return r.error();
    }
    s.overwrite_format = *overwrite_format;
  }
  if (sequence_format) {
    if (auto r = CheckFormat("SequenceFormat", *sequence_format,
                             {"{JobId}", "{Date}", "{UnixTimestamp}", "{Sequence}"},
                             {{"{UnixTimestamp}", "{Sequence}"}});
        !r) {
      return r.error();
    }
    s.sequence_format = *sequence_format;
  }
  return s;
}

std::string RenderSnapshotSettings(const SnapshotSettings& s) {
  nlohmann::ordered_json j;
  j["TimeInterval"] = s.time_interval_s;
  if (!s.overwrite_format.empty()) j["OverwriteFormat"] = s.overwrite_format;
  if (!s.sequence_format.empty()) j["SequenceFormat"] = s.sequence_format;
  return core::DumpJson(j);
}

SnapshotSettings StoredSnapshotSettings(const std::string& json) {
  SnapshotSettings s;
  auto j = core::ParseJson(json);
  if (!j || !j->is_object()) return s;
  if (auto v = j->find("TimeInterval"); v != j->end() && v->is_number_integer()) {
    s.time_interval_s = v->get<int>();
  }
  if (auto v = j->find("OverwriteFormat"); v != j->end() && v->is_string()) {
    s.overwrite_format = v->get<std::string>();
  }
  if (auto v = j->find("SequenceFormat"); v != j->end() && v->is_string()) {
    s.sequence_format = v->get<std::string>();
  }
  return s;
}

}  // namespace floe::ice
