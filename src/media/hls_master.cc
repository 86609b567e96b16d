#include "media/hls_master.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace floe::media {

namespace {

std::string Hex2(int v) {
  char b[3];
  std::snprintf(b, sizeof b, "%02x", v & 0xff);
  return b;
}

// profile_idc, constraint flags, level_idc of the first SPS in avcC or Annex B extradata.
std::optional<std::string> AvcName(const AVCodecParameters* par) {
  const uint8_t* d = par->extradata;
  const int n = par->extradata_size;
  if (!d || n < 4) return std::nullopt;
  if (d[0] == 1) return "avc1." + Hex2(d[1]) + Hex2(d[2]) + Hex2(d[3]);  // avcC
  for (int i = 0; i + 6 < n; ++i) {
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && (d[i + 3] & 0x1f) == 7) {
      return "avc1." + Hex2(d[i + 4]) + Hex2(d[i + 5]) + Hex2(d[i + 6]);
    }
  }
  return std::nullopt;
}

std::optional<std::string> AacName(int profile) {
  switch (profile) {
    case FF_PROFILE_AAC_HE:
      return "mp4a.40.5";
    case FF_PROFILE_AAC_HE_V2:
      return "mp4a.40.29";
    case FF_PROFILE_AAC_LD:
      return "mp4a.40.23";
    case FF_PROFILE_AAC_MAIN:
      return "mp4a.40.1";
    default:
      return "mp4a.40.2";  // LC, and a copied stream whose profile the probe did not say
  }
}

}  // namespace

std::optional<std::string> Rfc6381Codec(const AVCodecParameters* par) {
  switch (par->codec_id) {
    case AV_CODEC_ID_H264:
      return AvcName(par);
    case AV_CODEC_ID_HEVC:
      // Main (compatibility flags 6) or Main 10 (4), main tier, the encoder's level.
      if (par->level <= 0 || (par->profile != 1 && par->profile != 2)) return std::nullopt;
      return std::string("hvc1.") + (par->profile == 1 ? "1.6" : "2.4") + ".L" +
             std::to_string(par->level) + ".B0";
    case AV_CODEC_ID_AAC:
      return AacName(par->profile);
    case AV_CODEC_ID_MP3:
      return "mp4a.40.34";
    default:
      return std::nullopt;
  }
}

std::optional<std::string> HlsCannotCarry(const std::vector<const AVCodecParameters*>& streams) {
  for (const auto* par : streams) {
    if (par->codec_id == AV_CODEC_ID_AAC && par->profile == FF_PROFILE_AAC_LD) {
      return "AAC-LD has no ADTS form, so HLS (MPEG-TS segments) cannot carry it";
    }
  }
  return std::nullopt;
}

std::string MasterPlaylist(const std::vector<const AVCodecParameters*>& streams) {
  int64_t bandwidth = 0;
  std::string codecs;
  bool named = true;
  std::string resolution;
  for (const auto* par : streams) {
    bandwidth += par->bit_rate;
    auto name = Rfc6381Codec(par);
    if (!name) named = false;
    if (name) codecs += (codecs.empty() ? "" : ",") + *name;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && par->width > 0 && par->height > 0) {
      resolution = ",RESOLUTION=" + std::to_string(par->width) + "x" + std::to_string(par->height);
    }
  }
  // BANDWIDTH is required; a copied stream may not say its rate: a floor keeps it plausible.
  bandwidth = std::max<int64_t>(bandwidth * 11 / 10, 64000);
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(bandwidth);
  if (named && !codecs.empty()) out += ",CODECS=\"" + codecs + "\"";
  out += resolution + "\n" + kHlsMediaName + "\n";
  return out;
}

core::Result<void> WriteMasterPlaylist(const std::string& dir,
                                       const std::vector<const AVCodecParameters*>& streams) {
  const auto path = std::filesystem::path(dir) / kHlsMasterName;
  const auto tmp = std::filesystem::path(dir) / (std::string(kHlsMasterName) + ".tmp");
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << MasterPlaylist(streams);
    if (!f.good()) {
      return core::Error{"OutputFailed", 500, "cannot write " + tmp.string(), ""};
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return core::Error{"OutputFailed", 500, "cannot write " + path.string(), ""};
  return core::Ok();
}

}  // namespace floe::media
