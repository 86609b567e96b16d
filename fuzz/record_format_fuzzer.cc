// RecordFormat text as a client sends it (CreateLiveRecordTemplate): parse and check; what is
// accepted renders to a canonical text that parses back to the same.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ice/record_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto formats = floe::ice::ParseRecordFormats(in);
  if (!formats) {
    if (formats.error().message.size() > 600) abort();  // never an echo of the input
    return 0;
  }
  if (formats->empty() || formats->size() > 3) abort();
  for (const auto& f : *formats) {
    // A relative path of real segments: it stays under the bucket's directory.
    const std::string& name = f.oss_object_prefix;
    if (name.empty() || name.size() > 255 || name.front() == '/') abort();
    for (size_t start = 0;;) {
      size_t slash = name.find('/', start);
      std::string seg = name.substr(start, slash == std::string::npos ? slash : slash - start);
      if (seg.empty() || seg == "." || seg == "..") abort();
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  std::string text = floe::ice::RenderRecordFormats(*formats);
  auto again = floe::ice::ParseRecordFormats(text);
  if (!again || floe::ice::RenderRecordFormats(*again) != text) abort();
  return 0;
}
