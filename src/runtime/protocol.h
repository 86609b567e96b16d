// The contract between the supervisor (`floe serve`) and a media process (`floe run-job`), one
// JSON object per line. Jobs on the same node with the same StreamInput (type, URL, backup) are
// renditions of one media process: one demux and one decode for all of them.
//
//   supervisor → process (its standard input)
//     {"command":"start","input":{…},"renditions":[{…}, …]}   first line: the group's input
//     {"command":"add","rendition":{…}}                       one more job, the others go on
//     {"command":"remove","job_id":"…"}                       one job less, the others go on
//     {"command":"lease","lease_ms":N}                        the node holds its jobs' leases
//                                                             N ms more (start has lease_ms too)
//   process → supervisor (its standard output)
//     {"report":"event","job_id":"…","event":"input_lost","detail":"…"}   (job_id "": every job)
//     {"report":"stats","job_id":"…","stats":{…}}                       once a second per job
//     {"report":"failed","job_id":"…","code":"…","detail":"…"}          (job_id "": the process)
//     {"report":"removed","job_id":"…"}                                 a remove is done
//     {"report":"file","job_id":"…","file":{…}}                         a record job's file
//                                                                       closed (RecordedFile),
//                                                                       or a snapshot job's
//                                                                       picture ("format":"jpg")
//
// Its standard error is its log, for people; nothing is read out of it. The end of standard
// input stops the process as SIGTERM does. Fencing: a process told lease_ms ends at once, every
// output cut, when that time has passed without a newer lease command — its node may have lost
// the jobs to another (a node paused or cut off from the store cannot tell it so).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "media/events.h"
#include "media/record_file.h"
#include "media/snapshotter.h"
#include "store/records.h"

namespace floe::runtime {

inline constexpr size_t kMaxLine = 1 << 20;  // a longer line is not a message

// What the group's jobs share: one media process per distinct input on a node.
struct InputSpec {
  std::string account_id;  // whose jobs these are: a process never serves two accounts
  std::string type;        // rtmp | srt | hls
  std::string url;
  std::string backup_url;  // optional
  bool operator==(const InputSpec&) const = default;
};

// Where a job's live preview is written under the preview root (floe run-job --preview-dir):
// jobs/JOB_ID/ its output's HLS, inputs/NAME/ its input's (one per account and input, whatever
// the jobs). NAME is the same in serve, which signs links to it, and in run-job, which writes
// it; a digest, so that no account can choose an input whose NAME is another account's.
std::string InputPreviewName(const InputSpec& input);

// One job's rendition.
struct RenditionSpec {
  std::string job_id;
  std::string type;             // the template's Type
  std::string template_config;  // canonical TemplateConfig JSON
  std::string output_url;
  bool trusted_output = false;  // a LiveCenter push base: reachable whatever --allow-net says
  // "transcode", "record" (template_config is then the RecordFormat list and output_url the
  // bucket's directory the recording goes into) or "snapshot" (template_config the snapshot
  // template's settings, output_url the bucket's directory).
  std::string family = "transcode";
};

InputSpec InputOf(const store::JobRecord& job);
RenditionSpec RenditionOf(const store::JobRecord& job);

enum class CommandKind { kStart, kAdd, kRemove, kLease };
struct Command {
  CommandKind kind = CommandKind::kStart;
  InputSpec input;                        // kStart
  std::vector<RenditionSpec> renditions;  // kStart: the first ones; kAdd: one
  std::string job_id;                     // kRemove
  int64_t lease_ms = 0;                   // kStart (0: no lease), kLease
};

enum class ReportKind { kEvent, kStats, kFailed, kRemoved, kFile };
struct Report {
  ReportKind kind = ReportKind::kEvent;
  std::string job_id;  // kEvent, kFailed: empty for every job of the process
  media::EventKind event = media::EventKind::kStarted;  // kEvent
  std::string code;                                     // kFailed: the error's code
  std::string detail;                                   // kEvent, kFailed
  std::string stats;                                    // kStats: a JSON object
  std::string file{};  // kFile: a JSON object (FileReport / ParseFileReport)
};

// A record job's closed file as a kFile report carries it.
std::string FileReport(const media::RecordedFile& f);
core::Result<media::RecordedFile> ParseFileReport(std::string_view json);
// A snapshot job's picture as a kFile report carries it.
std::string ShotReport(const media::SnapshotShot& s);
core::Result<media::SnapshotShot> ParseShotReport(std::string_view json);

// One line each, without the newline.
std::string Encode(const Command& command);
std::string Encode(const Report& report);
// "BadMessage" (400) for anything that is not a whole, well-formed message.
core::Result<Command> ParseCommand(std::string_view line);
core::Result<Report> ParseReport(std::string_view line);

}  // namespace floe::runtime
