// What the recorder (media/recorder.h) writes, as the rest of Floe speaks of it: the three
// containers of a RecordFormat, and a file once closed. Without FFmpeg: the job protocol
// (runtime/protocol.h) carries closed files from the media process to the catalogue.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace floe::media {

enum class RecordContainer { kM3u8, kFlv, kMp4 };
const char* ContainerName(RecordContainer c);  // "m3u8", "flv", "mp4"
// The container a RecordFormat's Format names (ContainerName's inverse); nullopt for others.
std::optional<RecordContainer> ParseContainer(std::string_view format);

// A file once closed, as the catalogue keeps it.
struct RecordedFile {
  RecordContainer container = RecordContainer::kM3u8;
  std::string object;  // its final name
  int sequence = 0;
  int64_t start_ms = 0, end_ms = 0;  // wall clock (Unix ms) of its first and last media
  double duration_s = 0;             // of its media
  int64_t size_bytes = 0;            // m3u8: the playlist and its segments
  int width = 0, height = 0;         // 0: no video
};

}  // namespace floe::media
