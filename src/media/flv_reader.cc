#include "media/flv_reader.h"

#include <chrono>

#include "core/url_policy.h"

namespace floe::media {

using core::Error;

namespace {
uint32_t Be(const uint8_t* p, int n) {
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}
Error Bad(const std::string& why) {
  return {"FlvInvalid", 500, "FLV: " + why, ""};
}
}  // namespace

FlvHevcReader::FlvHevcReader() = default;

core::Result<void> FlvHevcReader::Feed(const uint8_t* data, size_t size) {
  buffer_.append(reinterpret_cast<const char*>(data), size);
  const auto* b = reinterpret_cast<const uint8_t*>(buffer_.data());
  size_t pos = 0;
  if (!header_done_) {
    if (buffer_.size() < 13) return {};
    if (buffer_.compare(0, 3, "FLV") != 0) return Bad("no FLV signature");
    // DataOffset is 9 in FLV 1; anything else bounded, and waited for whole (the fuzzer found
    // a huge one read far past the buffer).
    uint32_t offset = Be(b + 5, 4);
    if (offset < 9 || offset > 4096) return Bad("header size " + std::to_string(offset));
    if (buffer_.size() < offset + 4) return {};
    pos = offset + 4;  // header, then PreviousTagSize0
    header_done_ = true;
  }
  while (buffer_.size() - pos >= 11) {
    uint32_t size_body = Be(b + pos + 1, 3);
    if (buffer_.size() - pos < 11 + size_body + 4) break;
    uint32_t ms = Be(b + pos + 4, 3) | (static_cast<uint32_t>(b[pos + 7]) << 24);
    if (auto r = OnTag(b[pos] & 0x1f, ms, b + pos + 11, size_body); !r) return r;
    pos += 11 + size_body + 4;
  }
  buffer_.erase(0, pos);
  return {};
}

core::Result<void> FlvHevcReader::OnTag(uint8_t type, uint32_t ms, const uint8_t* body,
                                        size_t size) {
  if (type == 8) {
    ++summary_.audio_tags;
    return {};
  }
  if (type != 9 || size < 5) return {};
  bool ex = body[0] & 0x80;
  int frame_type = (body[0] >> 4) & 0x07;
  const uint8_t* payload = nullptr;
  size_t payload_size = 0;
  bool config = false;
  if (ex) {
    if (std::string(reinterpret_cast<const char*>(body + 1), 4) != "hvc1")
      return Bad("unknown FourCC");
    summary_.convention = "hvc1";
    int packet_type = body[0] & 0x0f;
    config = packet_type == 0;
    size_t skip = 5 + (packet_type == 1 ? 3 : 0);  // CodedFrames carry a composition time
    if (size < skip) return Bad("short tag");
    payload = body + skip;
    payload_size = size - skip;
  } else {
    if ((body[0] & 0x0f) != 12) return {};
    summary_.convention = "codec-id-12";
    config = body[1] == 0;
    payload = body + 5;
    payload_size = size - 5;
  }
  if (config) {
    ++summary_.sequence_headers;
    return OnConfig(payload, payload_size);
  }
  ++summary_.video_tags;
  summary_.last_video_ms = ms;
  if (frame_type == 1) ++summary_.keyframes;
  return Decode(payload, payload_size, frame_type == 1);
}

core::Result<void> FlvHevcReader::OnConfig(const uint8_t* hvcc, size_t size) {
  if (dec_) return {};  // repeated before keyframes: the first one is enough
  if (size < 23) return Bad("hvcC too short");
  // HEVCDecoderConfigurationRecord: 22 bytes of fields, then arrays of NAL units.
  std::string annexb;
  size_t p = 23;
  for (int a = 0, arrays = hvcc[22]; a < arrays; ++a) {
    if (p + 3 > size) return Bad("hvcC truncated");
    int count = static_cast<int>(Be(hvcc + p + 1, 2));
    p += 3;
    for (int n = 0; n < count; ++n) {
      if (p + 2 > size) return Bad("hvcC truncated");
      uint32_t len = Be(hvcc + p, 2);
      p += 2;
      if (p + len > size) return Bad("hvcC truncated");
      annexb.append("\0\0\0\1", 4);
      annexb.append(reinterpret_cast<const char*>(hvcc + p), len);
      p += len;
    }
  }
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_HEVC);
  dec_.reset(avcodec_alloc_context3(codec));
  dec_->extradata = static_cast<uint8_t*>(av_mallocz(annexb.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  memcpy(dec_->extradata, annexb.data(), annexb.size());
  dec_->extradata_size = static_cast<int>(annexb.size());
  if (avcodec_open2(dec_.get(), codec, nullptr) < 0) return Bad("HEVC decoder rejects the hvcC");
  return {};
}

core::Result<void> FlvHevcReader::Decode(const uint8_t* nalus, size_t size, bool key) {
  if (!dec_) return {};  // joined mid-stream: wait for a sequence header
  std::string annexb;
  for (size_t p = 0; p + 4 <= size;) {
    uint32_t len = Be(nalus + p, 4);
    p += 4;
    if (p + len > size) return Bad("NAL unit overruns the tag");
    annexb.append("\0\0\0\1", 4);
    annexb.append(reinterpret_cast<const char*>(nalus + p), len);
    p += len;
  }
  PacketPtr pkt = NewPacket();
  if (av_new_packet(pkt.get(), static_cast<int>(annexb.size())) < 0) return Bad("out of memory");
  memcpy(pkt->data, annexb.data(), annexb.size());
  if (key) pkt->flags |= AV_PKT_FLAG_KEY;
  if (avcodec_send_packet(dec_.get(), pkt.get()) < 0) return {};
  while (avcodec_receive_frame(dec_.get(), frame_.get()) == 0) {
    ++summary_.decoded_frames;
    summary_.width = frame_->width;
    summary_.height = frame_->height;
    av_frame_unref(frame_.get());
  }
  return {};
}

core::Result<FlvHevcSummary> ProbeFlvHevc(const std::string& url, int seconds) {
  auto policy = core::CheckUrl(url, core::UrlRole::kOutput);  // rtmp(s) only
  if (!policy) return policy.error();
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", policy->protocol_whitelist.c_str(), 0);
  av_dict_set(&opts, "rtmp_live", "live", 0);
  struct Deadline {
    std::chrono::steady_clock::time_point end;
  } deadline{std::chrono::steady_clock::now() + std::chrono::seconds(seconds)};
  AVIOInterruptCB cb{[](void* d) {
                       return std::chrono::steady_clock::now() > static_cast<Deadline*>(d)->end ? 1
                                                                                                : 0;
                     },
                     &deadline};
  AVIOContext* raw = nullptr;
  int rc = avio_open2(&raw, url.c_str(), AVIO_FLAG_READ, &cb, &opts);
  av_dict_free(&opts);
  if (rc < 0) return Error{"InputUnavailable", 503, "cannot read " + url + ": " + AvError(rc), ""};
  AvioPtr io(raw);
  FlvHevcReader reader;
  uint8_t buf[65536];
  for (;;) {
    int n = avio_read_partial(io.get(), buf, sizeof buf);
    if (n <= 0) break;
    if (auto r = reader.Feed(buf, static_cast<size_t>(n)); !r) return r.error();
  }
  return reader.summary();
}

}  // namespace floe::media
