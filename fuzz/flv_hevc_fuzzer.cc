// Floe's FLV reader for H.265 on arbitrary bytes, fed in two pieces split where the first
// byte says (tags must be handled whatever the split).
#include <cstdint>

#include "media/flv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  floe::media::FlvHevcReader reader;
  size_t split = size ? data[0] % (size + 1) : 0;
  if (reader.Feed(data, split)) (void)reader.Feed(data + split, size - split);
  return 0;
}
