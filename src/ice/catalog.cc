#include "ice/catalog.h"

namespace floe::ice {

namespace {

constexpr ParamKind S = ParamKind::kString;
constexpr ParamKind I = ParamKind::kInteger;
constexpr ParamKind O = ParamKind::kObject;
constexpr ParamKind A = ParamKind::kArray;

const ParamSpec kTemplateId{"TemplateId", S, true, "The template's id"};
const ParamSpec kJobId{"JobId", S, true, "The job's id"};
const ParamSpec kKeyWord{"KeyWord", S, false, "Part of the name or id"};
const ParamSpec kSortBy{"SortBy", S, false, "asc or desc by CreateTime (default desc)"};
const ParamSpec kPageNo{"PageNo", I, false, "Page number, from 1"};
const ParamSpec kPageSize{"PageSize", I, false, "Items per page, 1-100 (default 10)"};
const ParamSpec kTemplateType{"Type", S, false, "normal, narrow-band, audio-only or origin"};
const char kTemplateConfig[] =
    "{\"VideoParams\": {Codec, Width, Height, Fps, Bitrate, Gop, Profile}, "
    "\"AudioParams\": {Codec, Bitrate, Samplerate, Channels, Profile}}";
const char kStreamInput[] =
    "{\"Type\": \"rtmp\" (or srt, hls), \"InputUrl\": URL, \"BackupInputUrl\": URL (optional)}";
const char kTranscodeOutput[] =
    "{\"Type\": \"LiveCenter\", \"DomainName\": DOMAIN} or {\"Type\": \"rtmp\", \"OutputUrl\": "
    "URL}";
const char kRecordFormat[] =
    "[{\"Format\": \"m3u8\" | \"flv\" | \"mp4\", \"OssObjectPrefix\": NAME, "
    "\"SliceOssObjectPrefix\": NAME (m3u8), \"SliceDuration\": 5-30 (m3u8), "
    "\"CycleDuration\": SECONDS}, ...]";
const char kRecordInput[] = "{\"Type\": \"rtmp\" (or srt, hls), \"Url\": URL}";
const char kRecordOutput[] =
    "{\"Type\": \"oss\", \"Bucket\": a bucket of this account, \"Endpoint\": its endpoint}";
const char kSnapshotOutput[] =
    "{\"StorageType\": \"oss\", \"Bucket\": a bucket of this account, \"Endpoint\": its endpoint}";
const ParamSpec kTemplateName{"TemplateName", S, true, "Up to 128 characters"};
const ParamSpec kTimeInterval{"TimeInterval", I, true, "Seconds between pictures, 5-3600"};
const char kOverwriteFormat[] =
    "One picture, replaced at each shot: NAME.jpg with {JobId} (e.g. snapshot/{JobId}.jpg)";
const char kSequenceFormat[] =
    "One picture per shot: NAME.jpg with {UnixTimestamp} or {Sequence} (and {JobId}, {Date})";
const char kTimedConfig[] = "{\"StartTime\": UTC, \"EndTime\": UTC} (ISO 8601, within 7 days)";

const std::vector<ActionSpec> kCatalog = {
    {"CreateLiveTranscodeTemplate",
     "Create a live transcoding template",
     {{"Type", S, true, "normal, narrow-band, audio-only or origin"},
      {"Name", S, true, "Up to 128 characters"},
      {"TemplateConfig", O, false, kTemplateConfig}}},
    {"GetLiveTranscodeTemplate", "Show one template", {kTemplateId}},
    {"ListLiveTranscodeTemplates",
     "List templates (the account's own and the system ones)",
     {kTemplateType,
      {"VideoCodec", S, false, "H.264 or H.265"},
      {"Category", S, false, "system or customized"},
      kKeyWord,
      kSortBy,
      kPageNo,
      kPageSize}},
    {"UpdateLiveTranscodeTemplate",
     "Change a template's name or configuration",
     {kTemplateId,
      {"Name", S, false, "A new name"},
      {"TemplateConfig", O, false, kTemplateConfig}}},
    {"DeleteLiveTranscodeTemplate", "Delete a template that no running job uses", {kTemplateId}},
    {"CreateLiveRecordTemplate",
     "Create a live recording template",
     {{"Name", S, true, "Up to 128 characters"}, {"RecordFormat", A, true, kRecordFormat}}},
    {"GetLiveRecordTemplate",
     "Show one recording template",
     {kTemplateId, {"JobId", S, false, "A record job's copy of the template"}}},
    {"ListLiveRecordTemplates",
     "List recording templates",
     {{"Keyword", S, false, "Part of the name, or the id"},
      {"TemplateIds", S, false, "Sent as TemplateIds.1, TemplateIds.2, ... (up to 100)"},
      {"Type", S, false, "custom (Floe has no system recording templates)"},
      kSortBy,
      kPageNo,
      kPageSize}},
    {"UpdateLiveRecordTemplate",
     "Replace a recording template's name and formats",
     {kTemplateId,
      {"Name", S, true, "Up to 128 characters"},
      {"RecordFormat", A, true, kRecordFormat}}},
    {"DeleteLiveRecordTemplate",
     "Delete a recording template (record jobs keep their copy)",
     {kTemplateId}},
    {"CreateLiveSnapshotTemplate",
     "Create a live snapshot template",
     {kTemplateName,
      kTimeInterval,
      {"OverwriteFormat", S, false, kOverwriteFormat},
      {"SequenceFormat", S, false, kSequenceFormat}}},
    {"GetLiveSnapshotTemplate", "Show one snapshot template", {kTemplateId}},
    {"ListLiveSnapshotTemplates",
     "List snapshot templates",
     {{"SearchKeyWord", S, false, "Part of the name, or the id (up to 128 characters)"},
      {"TemplateIds", S, false,
       "Sent as TemplateIds.1, TemplateIds.2, ... (up to 200; ignored with SearchKeyWord)"},
      {"Type", S, false, "custom (Floe has no system snapshot templates)"},
      kSortBy,
      kPageNo,
      kPageSize}},
    {"UpdateLiveSnapshotTemplate",
     "Replace a snapshot template's name, interval and formats",
     {kTemplateId,
      kTemplateName,
      kTimeInterval,
      {"OverwriteFormat", S, false, kOverwriteFormat},
      {"SequenceFormat", S, false, kSequenceFormat}}},
    {"DeleteLiveSnapshotTemplate", "Delete a snapshot template", {kTemplateId}},
    {"SubmitLiveTranscodeJob",
     "Submit a live transcoding job",
     {{"Name", S, true, "Up to 128 characters"},
      {"TemplateId", S, true, "The template to transcode with"},
      {"StartMode", I, true, "0: now, 1: at TimedConfig.StartTime"},
      {"StreamInput", O, true, kStreamInput},
      {"TranscodeOutput", O, true, kTranscodeOutput},
      {"TimedConfig", O, false, kTimedConfig}}},
    {"GetLiveTranscodeJob", "Show one job with its process, stats and events", {kJobId}},
    {"ListLiveTranscodeJobs",
     "List jobs",
     {kTemplateType,
      {"StartMode", I, false, "0: immediate, 1: timed"},
      {"Status", I, false, "0: not started, 1: running, 2: stopped"},
      kKeyWord,
      kSortBy,
      kPageNo,
      kPageSize}},
    {"UpdateLiveTranscodeJob",
     "Rename a job; a timed job not started may also change its input, output and times",
     {kJobId,
      {"Name", S, false, "A new name"},
      {"StreamInput", O, false, kStreamInput},
      {"TranscodeOutput", O, false, kTranscodeOutput},
      {"TimedConfig", O, false, kTimedConfig}}},
    {"SendLiveTranscodeJobCommand",
     "Send a job a command (stop)",
     {kJobId, {"Command", S, true, "stop"}}},
    {"DeleteLiveTranscodeJob", "Stop a job if it runs, then delete it", {kJobId}},
    {"GetLiveTranscodeJobPreview",
     "Floe extension: short-lived links to the HLS preview of a job's output and input",
     {kJobId}},
    {"SubmitLiveRecordJob",
     "Record a live input by copy into a bucket of this account",
     {{"Name", S, true, "Up to 128 characters"},
      {"TemplateId", S, true, "The recording template (the job keeps a copy)"},
      {"StreamInput", O, true, kRecordInput},
      {"RecordOutput", O, true, kRecordOutput},
      {"NotifyUrl", S, false, "http(s) URL: a JSON POST for each file closed and the end"}}},
    {"GetLiveRecordJob", "Show one record job with its events", {kJobId}},
    {"ListLiveRecordJobs",
     "List record jobs",
     {{"Keyword", S, false, "Part of the name, or the id"},
      {"Status", S, false, "initial, started or paused"},
      {"StartTime", S, false, "Created from (UTC; at most 30 days before EndTime)"},
      {"EndTime", S, false, "Created before (UTC)"},
      kSortBy,
      kPageNo,
      kPageSize}},
    {"ListLiveRecordFiles",
     "List the files record jobs closed (by start time)",
     {{"StartTime", S, false, "UTC (the window is at most 4 days; default: the last 4 days)"},
      {"EndTime", S, false, "UTC"},
      {"JobIds", S, false, "Sent as JobIds.1, JobIds.2, ... (up to 100)"},
      {"RecordFormat", S, false, "m3u8, flv or mp4"},
      {"SortBy", S, false, "asc (default) or desc by StartTime"},
      kPageNo,
      {"PageSize", I, false, "Files per page, 5-30 (default 10)"}}},
    {"DeleteLiveRecordFiles",
     "Take files out of the catalogue (RemoveFile: out of the bucket too)",
     {{"RecordIds", S, true, "Sent as RecordIds.1, RecordIds.2, ... (up to 100)"},
      {"RemoveFile", S, false, "true: delete the files (a playlist with its segments)"}}},
    {"SubmitLiveSnapshotJob",
     "Take a picture of a live input every TimeInterval into a bucket of this account",
     {{"JobName", S, true, "Up to 128 characters"},
      {"TemplateId", S, true, "The snapshot template (the job keeps a copy)"},
      {"StreamInput", O, true, kRecordInput},
      {"SnapshotOutput", O, true, kSnapshotOutput},
      {"CallbackUrl", S, false, "http(s) URL: a JSON POST for each picture and the end"}}},
    {"GetLiveSnapshotJob", "Show one snapshot job with its events", {kJobId}},
    {"ListLiveSnapshotJobs",
     "List snapshot jobs",
     {{"SearchKeyWord", S, false, "Part of the name, or the id"},
      {"Status", S, false, "init, started or paused"},
      {"StartTime", S, false, "Created from (UTC; default 7 days before EndTime, at most 30)"},
      {"EndTime", S, false, "Created before (UTC)"},
      kSortBy,
      kPageNo,
      kPageSize}},
    {"SendLiveSnapshotJobCommand",
     "Start, stop or restart a snapshot job",
     {kJobId, {"Command", S, true, "start, stop or restart"}}},
    {"ListLiveSnapshotFiles",
     "List a snapshot job's pictures (by time, a page at a time)",
     {kJobId,
      {"StartTime", S, true, "UTC (the window is at most 1 day)"},
      {"EndTime", S, true, "UTC"},
      {"Limit", I, false, "Pictures per page, 1-100 (default 10)"},
      {"SortBy", S, false, "asc (default) or desc by CreateTimestamp"}}},
    {"DeleteLiveSnapshotFiles",
     "Take sequence pictures out of the catalogue (DeleteOriginalFile: out of the bucket too)",
     {kJobId,
      {"CreateTimestampList", A, true, "JSON array of CreateTimestamp values (ms), up to 200"},
      {"DeleteOriginalFile", S, false, "true: delete the pictures too"}}},
};

}  // namespace

const std::vector<ActionSpec>& Catalog() {
  return kCatalog;
}

const ActionSpec* FindAction(std::string_view name) {
  for (const auto& a : kCatalog) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool IsKnownParameter(std::string_view name) {
  static const std::vector<std::string_view> kCommon = {
      "Action",         "Version",   "Format",          "RegionId",
      "AccessKeyId",    "Signature", "SignatureMethod", "SignatureVersion",
      "SignatureNonce", "Timestamp", "SecurityToken"};
  for (auto c : kCommon) {
    if (c == name) return true;
  }
  for (const auto& a : kCatalog) {
    for (const auto& p : a.params) {
      if (p.name == name) return true;
    }
  }
  return false;
}

std::string_view KindName(ParamKind kind) {
  switch (kind) {
    case ParamKind::kString:
      return "String";
    case ParamKind::kInteger:
      return "Integer";
    case ParamKind::kObject:
      return "Object (JSON)";
    case ParamKind::kArray:
      return "Array (JSON)";
  }
  return "String";
}

}  // namespace floe::ice
