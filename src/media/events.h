// What a pipeline (and the job process around it) says happened, as typed events: the job
// process sends them to the supervisor (runtime/protocol.h), which records them as the job's
// event log under the same names. Logs stay logs: the log line of each event is only for people.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace floe::media {

enum class EventKind {
  kStarted,               // the pipeline runs (input open, renditions set up)
  kInputConnected,        // an input that was not up at the start came up
  kInputReconnected,      // the input is back after input_lost
  kInputLost,             // nothing within the read timeout, or the connection broke
  kInputEnded,            // the input said it is finished, or stayed away past the window
  kInputStalled,          // no input for a frame interval + the tolerance: slate
  kInputResumed,          // the input took over again from the slate
  kInputSwitched,         // primary ↔ backup
  kInputDiscontinuity,    // the input's timestamps jumped
  kCopyStopped,           // a copied stream came back with other parameters
  kOutputLost,            // a rendition's output connection broke
  kOutputReconnected,     // … and is back
  kInputWaiting,          // the job waits for its input to come (up)
  kOutputWaiting,         // the job waits for its output to accept it
  kLockWait,              // another process still runs this job: waiting for it to end
  kPreviewUnavailable,    // a rendition's preview (HLS) cannot carry what it encodes, e.g. AAC-LD
  kRecordFileUnreadable,  // a file a dead process of a record job left could not be closed
};

// The event's name in the protocol and in the job's event log ("started", "input_lost",
// "reconnected", …).
const char* EventName(EventKind kind);
std::optional<EventKind> EventByName(std::string_view name);

struct Event {
  EventKind kind = EventKind::kStarted;
  std::string rendition;  // the rendition it concerns (its key); empty: the input, every one
  std::string detail;
};
using EventFn = std::function<void(const Event&)>;

}  // namespace floe::media
