#include "media/events.h"

#include <array>
#include <utility>

namespace floe::media {

namespace {
constexpr std::array<std::pair<EventKind, const char*>, 17> kNames{{
    {EventKind::kStarted, "started"},
    {EventKind::kInputConnected, "input_connected"},
    {EventKind::kInputReconnected, "reconnected"},
    {EventKind::kInputLost, "input_lost"},
    {EventKind::kInputEnded, "input_ended"},
    {EventKind::kInputStalled, "input_stalled"},
    {EventKind::kInputResumed, "input_resumed"},
    {EventKind::kInputSwitched, "input_switched"},
    {EventKind::kInputDiscontinuity, "input_discontinuity"},
    {EventKind::kCopyStopped, "copy_stopped"},
    {EventKind::kOutputLost, "output_lost"},
    {EventKind::kOutputReconnected, "output_reconnected"},
    {EventKind::kInputWaiting, "input_waiting"},
    {EventKind::kOutputWaiting, "output_waiting"},
    {EventKind::kLockWait, "job_lock_wait"},
    {EventKind::kPreviewUnavailable, "preview_unavailable"},
    {EventKind::kRecordFileUnreadable, "record_file_unreadable"},
}};
}  // namespace

const char* EventName(EventKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<EventKind> EventByName(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (name == n) return k;
  }
  return std::nullopt;
}

}  // namespace floe::media
