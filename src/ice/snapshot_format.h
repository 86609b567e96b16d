// The settings of a live snapshot template: a picture every TimeInterval seconds (5-3600),
// written under an OverwriteFormat name (one object, replaced at each shot: only {JobId}), a
// SequenceFormat name (one object per shot: {JobId} {Date} {UnixTimestamp} {Sequence}, with
// {UnixTimestamp} or {Sequence}), or both; names end in ".jpg" and are object names
// (ice/object_name.h). Parsed from what a client sends (untrusted).
#pragma once

#include <optional>
#include <string>

#include "core/result.h"

namespace floe::ice {

struct SnapshotSettings {
  int time_interval_s = 0;
  std::string overwrite_format;  // "" when not used
  std::string sequence_format;   // "" when not used
};

// From the parameters as sent; InvalidParam.<Field> (or MissingParameter) otherwise.
core::Result<SnapshotSettings> ParseSnapshotSettings(
    const std::optional<std::string>& time_interval,
    const std::optional<std::string>& overwrite_format,
    const std::optional<std::string>& sequence_format);
std::string RenderSnapshotSettings(const SnapshotSettings& s);  // canonical JSON, as stored
SnapshotSettings StoredSnapshotSettings(const std::string& json);

}  // namespace floe::ice
