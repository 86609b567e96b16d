// RecordFormat, the heart of a live recording template: one entry per container (m3u8, flv,
// mp4), each with the object names of its recordings (and, for m3u8, of its segments) made of
// fixed text and placeholders, and its durations. Names become paths under a bucket's
// directory, so they are checked as such: relative, no "." or ".." segment, no backslash or
// control character. Parsed from what a client sends (untrusted: fuzz/record_format_fuzzer.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace floe::ice {

// One entry of RecordFormatList, as validated and stored (defaults filled in).
struct RecordFormat {
  std::string format;               // m3u8 | flv | mp4
  std::string oss_object_prefix;    // the recording's name (without extension)
  std::string slice_object_prefix;  // m3u8: each segment's name ("" otherwise)
  int slice_duration_s = 0;         // m3u8: 5-30 (0 otherwise)
  int cycle_duration_s = 0;         // a new recording file every this many seconds
};

// The RecordFormat parameter (a JSON array) checked and completed; InvalidParam.RecordFormat
// naming the entry and field otherwise.
core::Result<std::vector<RecordFormat>> ParseRecordFormats(const std::string& json);
std::string RenderRecordFormats(const std::vector<RecordFormat>& formats);  // canonical JSON

// The object names of job_id's recordings in format `f`: a recording file (the playlist for
// m3u8), its extension added unless the name already ends with it, and an m3u8 segment (.ts).
// Times are Unix ms: {StartTime}/{EndTime} render as 2026-12-06T10:00:00Z,
// {EscapedStartTime}/{EscapedEndTime} as 2026-12-06-10-00-00 (no ':' for file systems and URLs
// that mind it), {UnixTimestamp} in ms; {Sequence} counts from 1.
std::string RecordFileObject(const RecordFormat& f, const std::string& job_id, int sequence,
                             int64_t start_ms, int64_t end_ms);
std::string RecordSliceObject(const RecordFormat& f, const std::string& job_id, int sequence,
                              int64_t unix_ms);
std::vector<RecordFormat> StoredRecordFormats(const std::string& json);  // as stored

}  // namespace floe::ice
