// A reader of FLV as Floe writes it for H.265 (Enhanced RTMP "hvc1" or codec id 12), used to
// prove what goes out: parses tags, rebuilds Annex B, decodes with libavcodec's HEVC decoder.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "media/ffmpeg.h"

namespace floe::media {

struct FlvHevcSummary {
  std::string convention;  // "hvc1" (Enhanced RTMP) or "codec-id-12"
  int sequence_headers = 0;
  int video_tags = 0, keyframes = 0, decoded_frames = 0, audio_tags = 0;
  int width = 0, height = 0;
  int64_t last_video_ms = 0;
};

class FlvHevcReader {
 public:
  FlvHevcReader();
  // Feeds bytes as they arrive (any split); tags are handled once complete.
  core::Result<void> Feed(const uint8_t* data, size_t size);
  const FlvHevcSummary& summary() const { return summary_; }

 private:
  core::Result<void> OnTag(uint8_t type, uint32_t ms, const uint8_t* body, size_t size);
  core::Result<void> OnConfig(const uint8_t* hvcc, size_t size);
  core::Result<void> Decode(const uint8_t* nalus, size_t size, bool key);

  std::string buffer_;
  bool header_done_ = false;
  CodecContextPtr dec_;
  FramePtr frame_ = NewFrame();
  FlvHevcSummary summary_;
};

// Reads `seconds` of a live URL (rtmp://) with FFmpeg's RTMP protocol and summarises it.
core::Result<FlvHevcSummary> ProbeFlvHevc(const std::string& url, int seconds);

}  // namespace floe::media
