// The settings of a live snapshot template: a picture every TimeInterval seconds (5-3600),
// written under an OverwriteFormat name (one object, replaced at each shot: only {JobId}), a
// SequenceFormat name (one object per shot: {JobId} {Date} {UnixTimestamp} {Sequence}, with
// {UnixTimestamp} or {Sequence}), or both; names end in ".jpg" and are object names
// (ice/object_name.h). Parsed from what a client sends (untrusted).
#pragma once

#include <cstdint>
#include <functional>
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

// The objects of job_id's pictures: its overwrite object, and its sequence object of a shot
// ({Sequence} counts from 1, {UnixTimestamp} in ms, {Date} the UTC day as 2026-12-07).
std::string SnapshotOverwriteObject(const SnapshotSettings& s, const std::string& job_id);
std::string SnapshotSequenceObject(const SnapshotSettings& s, const std::string& job_id,
                                   int sequence, int64_t unix_ms);
// The {Sequence} a job's process starts from so that it never overwrites a picture an earlier
// process of the job took: where the sequence name has no {UnixTimestamp}, the first number
// after those whose object `exists` (the job's numbers run on from 1 without a hole); 1
// otherwise. unix_ms: now (a {Date} in the name).
int FirstFreeSequence(const SnapshotSettings& s, const std::string& job_id, int64_t unix_ms,
                      const std::function<bool(const std::string& object)>& exists);

}  // namespace floe::ice
