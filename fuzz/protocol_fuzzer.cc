// The lines between the supervisor and a media process (runtime/protocol.h), as either side may
// read them from a process that misbehaves: commands, reports, a record job's closed file, a
// snapshot job's picture, and a bucket file's Range header. What parses encodes again to what
// parses the same; nothing reads past its input.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/static_files.h"
#include "runtime/protocol.h"

using namespace floe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  if (auto c = runtime::ParseCommand(line)) {
    auto again = runtime::ParseCommand(runtime::Encode(*c));
    if (!again || again->kind != c->kind || again->renditions.size() != c->renditions.size() ||
        again->input != c->input || again->lease_ms != c->lease_ms) {
      abort();
    }
    for (const auto& r : again->renditions) {
      if (r.family != "transcode" && r.family != "record" && r.family != "snapshot") abort();
    }
  }
  if (auto r = runtime::ParseReport(line)) {
    auto again = runtime::ParseReport(runtime::Encode(*r));
    if (!again || again->kind != r->kind || again->job_id != r->job_id) abort();
  }
  if (auto f = runtime::ParseFileReport(line)) {
    auto again = runtime::ParseFileReport(runtime::FileReport(*f));
    if (!again || again->object != f->object || again->size_bytes != f->size_bytes ||
        again->start_ms != f->start_ms || again->width != f->width) {
      abort();
    }
  }
  if (auto s = runtime::ParseShotReport(line)) {
    auto again = runtime::ParseShotReport(runtime::ShotReport(*s));
    if (!again || again->object != s->object || again->overwrite != s->overwrite ||
        again->time_ms != s->time_ms || again->size_bytes != s->size_bytes) {
      abort();
    }
  }
  for (int64_t file_size : {int64_t{0}, int64_t{1}, int64_t{1000}, int64_t{1} << 40}) {
    if (auto range = http::ParseRange(line, file_size)) {
      bool unsatisfiable = range->last < range->first;
      if (!unsatisfiable &&
          (range->first < 0 || range->last >= file_size || range->first > range->last)) {
        abort();
      }
    }
  }
  return 0;
}
