#include "ice/snapshot_format.h"

#include <nlohmann/json.hpp>

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
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

std::string SnapshotOverwriteObject(const SnapshotSettings& s, const std::string& job_id) {
  return RenderObjectName(s.overwrite_format, {{"{JobId}", job_id}});
}

std::string SnapshotSequenceObject(const SnapshotSettings& s, const std::string& job_id,
                                   int sequence, int64_t unix_ms) {
  return RenderObjectName(s.sequence_format,
                          {{"{JobId}", job_id},
                           {"{Sequence}", std::to_string(sequence)},
                           {"{UnixTimestamp}", std::to_string(unix_ms)},
                           {"{Date}", core::FormatUtc(unix_ms / 1000).substr(0, 10)}});
}

int FirstFreeSequence(const SnapshotSettings& s, const std::string& job_id, int64_t unix_ms,
                      const std::function<bool(const std::string& object)>& exists) {
  if (s.sequence_format.empty() || s.sequence_format.find("{UnixTimestamp}") != std::string::npos) {
    return 1;
  }
  auto taken = [&](int n) { return exists(SnapshotSequenceObject(s, job_id, n, unix_ms)); };
  if (!taken(1)) return 1;
  // Taken numbers run from 1 to some n: double until one is free, then halve the gap.
  int low = 1, high = 2;
  while (high < (1 << 30) && taken(high)) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    int mid = low + (high - low) / 2;
    (taken(mid) ? low : high) = mid;
  }
  return high;
}

}  // namespace floe::ice
