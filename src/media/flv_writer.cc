#include "media/flv_writer.h"

#include <cstring>

namespace floe::media {

using core::Error;

namespace {

void Put24(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>((v >> 16) & 0xff));
  s.push_back(static_cast<char>((v >> 8) & 0xff));
  s.push_back(static_cast<char>(v & 0xff));
}

void Put32(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>(v >> 24));
  Put24(s, v & 0xffffff);
}

constexpr uint8_t kTagAudio = 8, kTagVideo = 9;
constexpr uint8_t kExHeader = 0x80, kKeyFrame = 1 << 4, kInterFrame = 2 << 4;
constexpr uint8_t kPacketSequenceStart = 0, kPacketCodedFrames = 1;

}  // namespace

core::Result<std::string> HevcConfigRecord(const AVCodecParameters* hevc) {
  if (!hevc->extradata || hevc->extradata_size <= 0) {
    return Error{"EncoderFailed", 500, "the H.265 encoder gave no parameter sets", ""};
  }
  AVFormatContext* mp4 = nullptr;
  avformat_alloc_output_context2(&mp4, nullptr, "mp4", nullptr);
  if (!mp4) return Error{"OutputFailed", 500, "no MP4 muxer to build hvcC", ""};
  OutputFormatPtr guard(mp4);
  AVStream* st = avformat_new_stream(mp4, nullptr);
  avcodec_parameters_copy(st->codecpar, hevc);
  st->codecpar->codec_tag = 0;
  st->time_base = {1, 90'000};
  if (avio_open_dyn_buf(&mp4->pb) < 0) return Error{"OutputFailed", 500, "out of memory", ""};
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "frag_keyframe+empty_moov", 0);  // moov (with hvcC) in the header
  int rc = avformat_write_header(mp4, &opts);
  av_dict_free(&opts);
  uint8_t* buf = nullptr;
  int size = avio_close_dyn_buf(mp4->pb, &buf);
  mp4->pb = nullptr;
  std::string bytes(reinterpret_cast<char*>(buf), size > 0 ? static_cast<size_t>(size) : 0);
  av_free(buf);
  if (rc < 0) return Error{"OutputFailed", 500, "cannot build hvcC: " + AvError(rc), ""};
  size_t at = bytes.find("hvcC");
  if (at == std::string::npos || at < 4)
    return Error{"OutputFailed", 500, "no hvcC in the MP4 header", ""};
  auto u8 = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])); };
  uint32_t box = (u8(at - 4) << 24) | (u8(at - 3) << 16) | (u8(at - 2) << 8) | u8(at - 1);
  if (box < 8 || at - 4 + box > bytes.size()) return Error{"OutputFailed", 500, "bad hvcC box", ""};
  return bytes.substr(at + 4, box - 8);
}

std::string AnnexBToLengthPrefixed(const uint8_t* data, size_t size) {
  std::string out;
  size_t i = 0;
  auto start_code = [&](size_t p) -> size_t {  // length of a start code at p, or 0
    if (p + 3 <= size && data[p] == 0 && data[p + 1] == 0 && data[p + 2] == 1) return 3;
    if (p + 4 <= size && data[p] == 0 && data[p + 1] == 0 && data[p + 2] == 0 && data[p + 3] == 1)
      return 4;
    return 0;
  };
  while (i < size && !start_code(i)) ++i;
  while (i < size) {
    size_t begin = i + start_code(i);
    size_t end = begin;
    while (end < size && !start_code(end)) ++end;
    size_t len = end - begin;
    while (len > 0 && data[begin + len - 1] == 0 && end < size) --len;  // trailing zero bytes
    if (len > 0) {
      Put32(out, static_cast<uint32_t>(len));
      out.append(reinterpret_cast<const char*>(data + begin), len);
    }
    i = end;
  }
  return out;
}

void FlvWriter::Tag(uint8_t type, uint32_t ms, const std::string& body) {
  std::string t;
  t.push_back(static_cast<char>(type));
  Put24(t, static_cast<uint32_t>(body.size()));
  Put24(t, ms & 0xffffff);
  t.push_back(static_cast<char>((ms >> 24) & 0xff));
  Put24(t, 0);
  t += body;
  Put32(t, static_cast<uint32_t>(11 + body.size()));
  avio_write(io_, reinterpret_cast<const unsigned char*>(t.data()), static_cast<int>(t.size()));
}

std::string FlvWriter::VideoSequenceHeader() const {
  std::string b;
  if (mode_ == HevcFlvMode::kEnhanced) {
    b.push_back(static_cast<char>(kExHeader | kKeyFrame | kPacketSequenceStart));
    b += "hvc1";
  } else {
    b.push_back(static_cast<char>(kKeyFrame | 12));
    b.push_back(0);  // sequence header
    Put24(b, 0);
  }
  return b + hvcc_;
}

uint8_t FlvWriter::AudioFlags() const {
  if (audio_->codec_id == AV_CODEC_ID_AAC) return 0xAF;  // AAC, 44 kHz, 16-bit, stereo (fixed)
  uint8_t rate = audio_->sample_rate >= 44100 ? 3 : audio_->sample_rate >= 22050 ? 2 : 1;
  return static_cast<uint8_t>((2 << 4) | (rate << 2) | 2 |
                              (audio_->ch_layout.nb_channels > 1 ? 1 : 0));
}

std::string FlvWriter::AudioSequenceHeader() const {
  std::string b;
  b.push_back(static_cast<char>(AudioFlags()));
  b.push_back(0);
  b.append(reinterpret_cast<const char*>(audio_->extradata),
           static_cast<size_t>(audio_->extradata_size));
  return b;
}

core::Result<void> FlvWriter::Start(const AVCodecParameters* video,
                                    const AVCodecParameters* audio) {
  auto hvcc = HevcConfigRecord(video);
  if (!hvcc) return hvcc.error();
  hvcc_ = std::move(*hvcc);
  audio_ = audio;
  const unsigned char header[13] = {
      'F', 'L', 'V', 1, static_cast<unsigned char>(audio ? 5 : 1), 0, 0, 0, 9, 0, 0, 0, 0};
  avio_write(io_, header, sizeof header);
  Tag(kTagVideo, 0, VideoSequenceHeader());
  if (audio_ && audio_->codec_id == AV_CODEC_ID_AAC) Tag(kTagAudio, 0, AudioSequenceHeader());
  avio_flush(io_);
  return io_->error < 0 ? core::Result<void>(Error{"OutputFailed", 503,
                                                   "FLV write failed: " + AvError(io_->error), ""})
                        : core::Result<void>();
}

core::Result<void> FlvWriter::WriteVideo(const AVPacket* pkt, AVRational tb) {
  int64_t dts = av_rescale_q(pkt->dts, tb, {1, 1000});
  int64_t pts = av_rescale_q(pkt->pts, tb, {1, 1000});
  if (base_ms_ == INT64_MIN) base_ms_ = dts;
  auto ms = static_cast<uint32_t>(std::max<int64_t>(0, dts - base_ms_));
  bool key = pkt->flags & AV_PKT_FLAG_KEY;
  if (key) Tag(kTagVideo, ms, VideoSequenceHeader());
  std::string b;
  auto cts = static_cast<uint32_t>(pts - dts);
  if (mode_ == HevcFlvMode::kEnhanced) {
    b.push_back(
        static_cast<char>(kExHeader | (key ? kKeyFrame : kInterFrame) | kPacketCodedFrames));
    b += "hvc1";
    Put24(b, cts);
  } else {
    b.push_back(static_cast<char>((key ? kKeyFrame : kInterFrame) | 12));
    b.push_back(1);  // NAL units
    Put24(b, cts);
  }
  b += AnnexBToLengthPrefixed(pkt->data, static_cast<size_t>(pkt->size));
  Tag(kTagVideo, ms, b);
  avio_flush(io_);
  if (io_->error < 0)
    return Error{"OutputFailed", 503, "FLV write failed: " + AvError(io_->error), ""};
  return {};
}

core::Result<void> FlvWriter::WriteAudio(const AVPacket* pkt, AVRational tb) {
  if (!audio_) return {};
  int64_t dts = av_rescale_q(pkt->dts, tb, {1, 1000});
  if (base_ms_ == INT64_MIN) base_ms_ = dts;
  auto ms = static_cast<uint32_t>(std::max<int64_t>(0, dts - base_ms_));
  std::string b;
  b.push_back(static_cast<char>(AudioFlags()));
  if (audio_->codec_id == AV_CODEC_ID_AAC) b.push_back(1);  // raw AAC frame
  b.append(reinterpret_cast<const char*>(pkt->data), static_cast<size_t>(pkt->size));
  Tag(kTagAudio, ms, b);
  avio_flush(io_);
  if (io_->error < 0)
    return Error{"OutputFailed", 503, "FLV write failed: " + AvError(io_->error), ""};
  return {};
}

}  // namespace floe::media
