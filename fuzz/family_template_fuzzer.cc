// The settings of recording and snapshot templates as a client sends them: RecordFormat
// (CreateLiveRecordTemplate) and TimeInterval|OverwriteFormat|SequenceFormat
// (CreateLiveSnapshotTemplate, the input cut at '|'). What is accepted renders to a canonical
// text that reads back to the same; every accepted name is a relative path of real segments.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "ice/record_format.h"
#include "ice/snapshot_format.h"

namespace {

void CheckRelative(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') abort();
  for (size_t start = 0;;) {
    size_t slash = name.find('/', start);
    std::string seg = name.substr(start, slash == std::string::npos ? slash : slash - start);
    if (seg.empty() || seg == "." || seg == "..") abort();
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

void Snapshot(const std::string& in) {
  std::vector<std::optional<std::string>> parts;
  for (size_t start = 0; parts.size() < 3;) {
    size_t bar = in.find('|', start);
    std::string part = in.substr(start, bar == std::string::npos ? bar : bar - start);
    parts.push_back(part.empty() ? std::nullopt : std::optional<std::string>(part));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  parts.resize(3);
  auto s = floe::ice::ParseSnapshotSettings(parts[0], parts[1], parts[2]);
  if (!s) {
    if (s.error().message.size() > 600) abort();
    return;
  }
  if (s->time_interval_s < 5 || s->time_interval_s > 3600) abort();
  if (s->overwrite_format.empty() && s->sequence_format.empty()) abort();
  for (const auto* name : {&s->overwrite_format, &s->sequence_format}) {
    if (!name->empty()) CheckRelative(*name);
  }
  std::string text = floe::ice::RenderSnapshotSettings(*s);
  auto back = floe::ice::StoredSnapshotSettings(text);
  if (floe::ice::RenderSnapshotSettings(back) != text) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  Snapshot(in);
  auto formats = floe::ice::ParseRecordFormats(in);
  if (!formats) {
    if (formats.error().message.size() > 600) abort();  // never an echo of the input
    return 0;
  }
  if (formats->empty() || formats->size() > 3) abort();
  for (const auto& f : *formats) {
    CheckRelative(f.oss_object_prefix);
    // The names a recording gets stay relative paths of real segments, whatever the times.
    std::string file = floe::ice::RecordFileObject(f, "0123456789abcdef0123456789abcdef", 12,
                                                   1'800'000'000'000, 1'800'021'600'000);
    CheckRelative(file.substr(0, std::min<size_t>(file.size(), 255)));
    if (file.find('{') != std::string::npos && f.oss_object_prefix.find('{') == std::string::npos) {
      abort();
    }
    if (f.format == "m3u8") {
      std::string slice =
          floe::ice::RecordSliceObject(f, "0123456789abcdef0123456789abcdef", 7, 1'800'000'000'123);
      CheckRelative(slice.substr(0, std::min<size_t>(slice.size(), 255)));
    }
  }
  std::string text = floe::ice::RenderRecordFormats(*formats);
  auto again = floe::ice::ParseRecordFormats(text);
  if (!again || floe::ice::RenderRecordFormats(*again) != text) abort();
  return 0;
}
