// Floe's own FLV for H.265: real x265 output written in both conventions, read back with Floe's
// reader and decoded by libavcodec's HEVC decoder.
#include <gtest/gtest.h>

#include <vector>

#include "media/frames.h"

#include "media/encoder.h"
#include "media/flv_reader.h"
#include "media/flv_writer.h"

namespace floe::media {
namespace {

using testing::Picture;

struct Encoded {
  std::unique_ptr<Encoder> video, audio;
  std::vector<PacketPtr> video_packets, audio_packets;
};

Encoded EncodeHevc(int frames) {
  Encoded e;
  VideoSettings v;
  v.encoder = "libx265";
  v.fps = 25;
  v.gop = 25;
  v.bitrate = 300'000;
  v.profile = "main";
  auto enc = Encoder::OpenVideo(v, 320, 180, LiveDefaults{});
  EXPECT_TRUE(enc.ok()) << (enc ? "" : enc.error().message);
  e.video = std::move(*enc);
  auto keep = [&](AVPacket* p) { e.video_packets.push_back(RefPacket(p)); };
  for (int i = 0; i < frames; ++i) {
    auto f = Picture(320, 180, i * 3);
    f->pts = i;
    EXPECT_TRUE(e.video->Encode(f.get(), keep).ok());
  }
  EXPECT_TRUE(e.video->Encode(nullptr, keep).ok());
  AudioSettings a;
  a.encoder = "aac";
  a.aac_profile = FF_PROFILE_AAC_LOW;
  auto audio = Encoder::OpenAudio(a);
  EXPECT_TRUE(audio.ok());
  e.audio = std::move(*audio);
  return e;
}

std::string WriteFlv(Encoded& e, HevcFlvMode mode) {
  AVIOContext* io = nullptr;
  EXPECT_EQ(avio_open_dyn_buf(&io), 0);
  AVCodecParameters* vpar = avcodec_parameters_alloc();
  AVCodecParameters* apar = avcodec_parameters_alloc();
  avcodec_parameters_from_context(vpar, e.video->context());
  avcodec_parameters_from_context(apar, e.audio->context());
  FlvWriter w(io, mode);
  auto started = w.Start(vpar, apar);
  EXPECT_TRUE(started.ok()) << (started ? "" : started.error().message);
  for (auto& p : e.video_packets) EXPECT_TRUE(w.WriteVideo(p.get(), e.video->time_base()).ok());
  uint8_t* buf = nullptr;
  int n = avio_close_dyn_buf(io, &buf);
  std::string bytes(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  av_free(buf);
  avcodec_parameters_free(&vpar);
  avcodec_parameters_free(&apar);
  return bytes;
}

FlvHevcSummary Read(const std::string& bytes) {
  FlvHevcReader r;
  for (size_t pos = 0; pos < bytes.size(); pos += 997) {  // any split of the byte stream
    size_t n = std::min<size_t>(997, bytes.size() - pos);
    EXPECT_TRUE(r.Feed(reinterpret_cast<const uint8_t*>(bytes.data()) + pos, n).ok());
  }
  return r.summary();
}

TEST(FlvHevc, EnhancedRtmpRoundTripDecodes) {
  auto e = EncodeHevc(50);
  ASSERT_EQ(e.video_packets.size(), 50u);
  std::string flv = WriteFlv(e, HevcFlvMode::kEnhanced);
  ASSERT_EQ(flv.compare(0, 3, "FLV"), 0);
  EXPECT_NE(flv.find("hvc1"), std::string::npos);
  auto s = Read(flv);
  EXPECT_EQ(s.convention, "hvc1");
  EXPECT_EQ(s.video_tags, 50);
  EXPECT_EQ(s.keyframes, 2);             // GOP 25 over 50 frames
  EXPECT_EQ(s.sequence_headers, 1 + 2);  // at the start and before every keyframe
  EXPECT_GE(s.decoded_frames, 48);       // the decoder may still hold the last ones
  EXPECT_EQ(s.width, 320);
  EXPECT_EQ(s.height, 180);
  EXPECT_EQ(s.audio_tags, 1);  // the AAC sequence header
}

TEST(FlvHevc, CodecId12RoundTripDecodes) {
  auto e = EncodeHevc(30);
  auto s = Read(WriteFlv(e, HevcFlvMode::kCodecId12));
  EXPECT_EQ(s.convention, "codec-id-12");
  EXPECT_EQ(s.video_tags, 30);
  EXPECT_GE(s.decoded_frames, 28);
  EXPECT_EQ(s.width, 320);
}

TEST(FlvHevc, AnnexBToLengthPrefixed) {
  const uint8_t in[] = {0, 0, 0, 1, 0x40, 0x01, 0xaa, 0, 0, 1, 0x42, 0x01, 0xbb, 0xcc};
  std::string out = AnnexBToLengthPrefixed(in, sizeof in);
  EXPECT_EQ(out, std::string("\0\0\0\x03\x40\x01\xaa\0\0\0\x04\x42\x01\xbb\xcc", 15));
}

// Found by fuzz/flv_hevc_fuzzer.cc: a header claiming a 1 GiB DataOffset made the reader index
// far past its buffer.
TEST(FlvHevc, AHugeHeaderSizeIsRefusedNotReadPast) {
  const std::string crash(
      "FLV\x01\x01\x40\x00\x00\x09\x00\x00\x00"
      "FLV\x01\x01\x00\x00\x90hvc0"
      "\x01\x01\x60\x00\x00\x00\x00\x09\x00\x00\x00\x00\x09\x00\x00\x0d"
      "\x00\x00\x00\x00\x00\x00\x00\x90\x41vc\x01\x3d\x30",
      54);
  FlvHevcReader reader;
  auto r = reader.Feed(reinterpret_cast<const uint8_t*>(crash.data()), crash.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("header size"), std::string::npos);
  // A valid header split anywhere waits for the rest instead of reading ahead.
  const std::string header("FLV\x01\x01\x00\x00\x00\x09\x00\x00\x00\x00", 13);
  FlvHevcReader split;
  EXPECT_TRUE(split.Feed(reinterpret_cast<const uint8_t*>(header.data()), 7).ok());
  EXPECT_TRUE(split.Feed(reinterpret_cast<const uint8_t*>(header.data()) + 7, 6).ok());
}

}  // namespace
}  // namespace floe::media
