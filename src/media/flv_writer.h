// FLV written by Floe itself, for H.265 over RTMP, which FFmpeg 5.1's FLV muxer refuses.
// Two conventions: Enhanced RTMP (video FourCC "hvc1": SequenceStart carries the
// HEVCDecoderConfigurationRecord, CodedFrames the length-prefixed NAL units) and the older
// codec-id-12 convention (AVC-style packets with codec id 12). The sequence header is repeated
// before every keyframe so that a player joining through a relay that does not cache it (as
// nginx-rtmp does not for HEVC) can start at the next keyframe.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "media/ffmpeg.h"

namespace floe::media {

enum class HevcFlvMode { kEnhanced, kCodecId12 };

// The hvcC record for Annex B parameter sets (VPS/SPS/PPS), made by libavformat's MP4 muxer.
core::Result<std::string> HevcConfigRecord(const AVCodecParameters* hevc);
// Annex B (start codes) → 4-byte big-endian length prefixes.
std::string AnnexBToLengthPrefixed(const uint8_t* data, size_t size);

class FlvWriter {
 public:
  // Writes into `io` (not owned): an RTMP connection or a memory buffer.
  FlvWriter(AVIOContext* io, HevcFlvMode mode) : io_(io), mode_(mode) {}

  // FLV header and the sequence headers. `video` must be HEVC; `audio` (AAC or MP3) may be null.
  core::Result<void> Start(const AVCodecParameters* video, const AVCodecParameters* audio);
  // A packet with timestamps in `tb` (video: Annex B as the encoder made it).
  core::Result<void> WriteVideo(const AVPacket* pkt, AVRational tb);
  core::Result<void> WriteAudio(const AVPacket* pkt, AVRational tb);

 private:
  void Tag(uint8_t type, uint32_t ms, const std::string& body);
  std::string VideoSequenceHeader() const;
  std::string AudioSequenceHeader() const;
  uint8_t AudioFlags() const;

  AVIOContext* io_;
  HevcFlvMode mode_;
  std::string hvcc_;
  const AVCodecParameters* audio_ = nullptr;
  int64_t base_ms_ = INT64_MIN;  // first timestamp written: FLV starts at 0
};

}  // namespace floe::media
