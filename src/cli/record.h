// `floe record`: the recorder without the server. One input recorded by copy into a directory
// in the containers of a RecordFormat (the JSON a recording template holds), each closed file
// printed as a JSON line on stdout; it ends with the input (after its reconnect window) or at
// SIGTERM/SIGINT, closing its files.
#pragma once

#include <string>
#include <vector>

#include "ice/record_format.h"
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
// .recording/JOB_ID/ until they close.
std::vector<media::RecordFileSpec> RecordSpecs(const std::vector<ice::RecordFormat>& formats);
media::RecordNaming RecordNamingFor(const std::vector<ice::RecordFormat>& formats,
                                    const std::string& job_id);

int Record(const RecordArgs& args);

}  // namespace floe::cli
