// `floe record`: the recorder without the server. One input recorded by copy into a directory
// in the containers of a RecordFormat (the JSON a recording template holds), each closed file
// printed as a JSON line on stdout; it ends with the input (after its reconnect window) or at
// SIGTERM/SIGINT, closing its files.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ice/record_format.h"
#include "media/pipeline.h"
#include "media/recorder.h"

namespace floe::cli {

struct RecordArgs {
  std::string input;
  std::string dir;
  std::string record_format;  // JSON, as RecordFormat in CreateLiveRecordTemplate
  std::string job_id = "local";
  int64_t gap_close_ms = 180'000;
  int read_timeout_ms = 5'000;
  int reconnect_window_ms = 0;  // 0: reconnect for ever
  std::vector<std::string> allow_net;
};

// The recorder's specs and object names for job_id's recording in these formats: files and
// segments named by the template (ice/record_format.h), files being written under
// .recording/JOB_ID/RUN-SEQUENCE.EXT until they close. RUN (RecordRun) tells one recorder's
// files from those another process left there when it crashed, which are never overwritten.
std::vector<media::RecordFileSpec> RecordSpecs(const std::vector<ice::RecordFormat>& formats);
media::RecordNaming RecordNamingFor(const std::vector<ice::RecordFormat>& formats,
                                    const std::string& job_id, const std::string& run);
std::string RecordRun();  // this process and the time, as letters and digits
// Where job_id's files are written until they close: .recording/JOB_ID under the directory.
std::string RecordingFolder(const std::string& job_id);
// The recorder of job_id's recording into dir in these formats, as run `run` (RecordRun), a
// gap of the input longer than gap_close_ms closing its files; on_file hears of each file once
// it is closed.
media::RecorderConfig RecorderFor(const std::vector<ice::RecordFormat>& formats,
                                  const std::string& dir, const std::string& job_id,
                                  const std::string& run, int64_t gap_close_ms,
                                  std::function<void(const media::RecordedFile&)> on_file);
// A pipeline's rendition that records (copies only, nothing encoded), named key.
media::RenditionConfig RecordRendition(const std::string& key, media::RecorderConfig rec);

int Record(const RecordArgs& args);

}  // namespace floe::cli
