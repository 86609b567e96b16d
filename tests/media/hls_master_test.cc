#include "media/hls_master.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace floe::media {
namespace {

CodecParametersPtr Par(AVMediaType type, AVCodecID id, int profile = FF_PROFILE_UNKNOWN) {
  CodecParametersPtr p(avcodec_parameters_alloc());
  p->codec_type = type;
  p->codec_id = id;
  p->profile = profile;
  return p;
}

void SetExtradata(AVCodecParameters* p, std::vector<uint8_t> bytes) {
  p->extradata = static_cast<uint8_t*>(av_mallocz(bytes.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  std::copy(bytes.begin(), bytes.end(), p->extradata);
  p->extradata_size = static_cast<int>(bytes.size());
}

TEST(HlsMaster, AacProfilesGetTheirObjectType) {
  EXPECT_EQ(Rfc6381Codec(Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_AAC, FF_PROFILE_AAC_LOW).get()),
            "mp4a.40.2");
  EXPECT_EQ(Rfc6381Codec(Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_AAC, FF_PROFILE_AAC_HE).get()),
            "mp4a.40.5");
  EXPECT_EQ(Rfc6381Codec(Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_AAC, FF_PROFILE_AAC_HE_V2).get()),
            "mp4a.40.29");
  EXPECT_EQ(Rfc6381Codec(Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_AAC).get()), "mp4a.40.2");
  EXPECT_EQ(Rfc6381Codec(Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_MP3).get()), "mp4a.40.34");
}

TEST(HlsMaster, H264FromAnnexBOrAvcC) {
  auto annexb = Par(AVMEDIA_TYPE_VIDEO, AV_CODEC_ID_H264);
  SetExtradata(annexb.get(), {0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac, 0, 0, 0, 1, 0x68, 0xeb});
  EXPECT_EQ(Rfc6381Codec(annexb.get()), "avc1.64001f");
  auto avcc = Par(AVMEDIA_TYPE_VIDEO, AV_CODEC_ID_H264);
  SetExtradata(avcc.get(), {1, 0x42, 0xc0, 0x1e, 0xff, 0xe1});
  EXPECT_EQ(Rfc6381Codec(avcc.get()), "avc1.42c01e");
  // Truncated or absent: not named, never read past the end.
  auto cut = Par(AVMEDIA_TYPE_VIDEO, AV_CODEC_ID_H264);
  SetExtradata(cut.get(), {0, 0, 1, 0x67, 0x64});
  EXPECT_EQ(Rfc6381Codec(cut.get()), std::nullopt);
  EXPECT_EQ(Rfc6381Codec(Par(AVMEDIA_TYPE_VIDEO, AV_CODEC_ID_H264).get()), std::nullopt);
}

TEST(HlsMaster, PlaylistNamesTheVariantAndItsCodecs) {
  auto v = Par(AVMEDIA_TYPE_VIDEO, AV_CODEC_ID_H264);
  SetExtradata(v.get(), {0, 0, 1, 0x67, 0x4d, 0x40, 0x1e, 0x00});
  v->width = 640;
  v->height = 360;
  v->bit_rate = 800000;
  auto a = Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_AAC, FF_PROFILE_AAC_HE);
  a->bit_rate = 48000;
  std::string m = MasterPlaylist({v.get(), a.get()});
  EXPECT_NE(m.find("#EXT-X-STREAM-INF:BANDWIDTH=932800,CODECS=\"avc1.4d401e,mp4a.40.5\","
                   "RESOLUTION=640x360\nindex.m3u8\n"),
            std::string::npos)
      << m;
  // A stream Floe cannot name: no CODECS rather than a guess.
  auto unknown = Par(AVMEDIA_TYPE_VIDEO, AV_CODEC_ID_H264);
  EXPECT_EQ(MasterPlaylist({unknown.get(), a.get()}).find("CODECS"), std::string::npos);
}

TEST(HlsMaster, LdIsNotCarriedAndTheFileIsWritten) {
  auto ld = Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_AAC, FF_PROFILE_AAC_LD);
  auto he = Par(AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_AAC, FF_PROFILE_AAC_HE_V2);
  EXPECT_TRUE(HlsCannotCarry({ld.get()}).has_value());
  EXPECT_FALSE(HlsCannotCarry({he.get()}).has_value());
  auto dir = std::filesystem::temp_directory_path() / "floe-hls-master-test";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteMasterPlaylist(dir.string(), {he.get()}).ok());
  std::ifstream f(dir / kHlsMasterName);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_NE(text.str().find("CODECS=\"mp4a.40.29\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "master.m3u8.tmp"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace floe::media
