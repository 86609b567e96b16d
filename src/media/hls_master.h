// The master playlist next to a rendition's HLS media playlist: one variant whose CODECS says
// what the segments hold. FFmpeg 5.1's HLS muxer labels every AAC stream mp4a.40.2, and hls.js
// builds its decoder config from CODECS for implicitly signalled HE-AAC in ADTS, so Floe writes
// this file itself (master.m3u8 → index.m3u8).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/ffmpeg.h"

namespace floe::media {

inline constexpr char kHlsMasterName[] = "master.m3u8";
inline constexpr char kHlsMediaName[] = "index.m3u8";

// The RFC 6381 name of one stream ("avc1.64001f", "mp4a.40.5", …); nullopt when Floe cannot
// name it (then the playlist leaves CODECS out rather than guess).
std::optional<std::string> Rfc6381Codec(const AVCodecParameters* par);

// Why HLS (MPEG-TS segments) cannot carry these streams, or nullopt: AAC-LD has no ADTS form.
std::optional<std::string> HlsCannotCarry(const std::vector<const AVCodecParameters*>& streams);

// The master playlist's text for these streams.
std::string MasterPlaylist(const std::vector<const AVCodecParameters*>& streams);

// Writes MasterPlaylist into dir/master.m3u8 (through a temporary file and a rename).
core::Result<void> WriteMasterPlaylist(const std::string& dir,
                                       const std::vector<const AVCodecParameters*>& streams);

}  // namespace floe::media
