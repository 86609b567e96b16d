// Query and form decoding, percent-encoding and UTF-8 checks on arbitrary bytes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/strings.h"
#include "http/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  std::vector<std::pair<std::string, std::string>> pairs;
  (void)floe::http::ParseQuery(in, pairs);
  for (const auto& [k, v] : pairs) {
    (void)floe::core::IsValidUtf8(k);
    if (floe::core::IsValidUtf8(v)) (void)floe::core::Utf8Length(v);
    std::string excerpt = floe::core::Excerpt(v);
    if (excerpt.size() > 64 + 3) abort();
  }
  // Encoding then decoding gives back the bytes, whatever they are.
  std::string back;
  if (!floe::core::PercentDecode(floe::core::PercentEncode(in), back, false) || back != in) abort();
  return 0;
}
