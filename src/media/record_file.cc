#include "media/record_file.h"

namespace floe::media {

const char* ContainerName(RecordContainer c) {
  switch (c) {
    case RecordContainer::kM3u8:
      return "m3u8";
    case RecordContainer::kFlv:
      return "flv";
    case RecordContainer::kMp4:
      return "mp4";
  }
  return "?";
}

std::optional<RecordContainer> ParseContainer(std::string_view format) {
  for (auto c : {RecordContainer::kM3u8, RecordContainer::kFlv, RecordContainer::kMp4}) {
    if (format == ContainerName(c)) return c;
  }
  return std::nullopt;
}

}  // namespace floe::media
