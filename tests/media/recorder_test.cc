// The recorder on real H.264 (x264) and AAC packets, read back with libavformat: m3u8 segments
// of their slice length in a playlist that ends, flv and fragmented mp4 beside them, a short
// gap continuing the same files (a discontinuity in the playlist), a long one and the cycle
// closing them, an mp4 that plays while it is still being written (what a SIGKILL leaves).
#include "media/recorder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "media/encoder.h"
#include "media/flv_reader.h"
#include "media/frames.h"
#include "test_util.h"

namespace floe::media {
namespace {

namespace fs = std::filesystem;

// Two seconds of 320×180 H.264 (or H.265) at 25 fps (a keyframe each second) and 48 kHz stereo
// AAC, replayed as often as a test needs, each loop's timestamps after the last's.
class Source {
 public:
  Source() : Source("libx264") {}
  explicit Source(const std::string& encoder) {
    VideoSettings v;
    v.encoder = encoder;
    v.fps = 25;
    v.gop = 25;
    v.bitrate = 200'000;
    v.profile = "main";
    auto video = Encoder::OpenVideo(v, 320, 180, LiveDefaults{});
    EXPECT_TRUE(video.ok());
    video_ = std::move(*video);
    auto keep_video = [&](AVPacket* p) { video_packets_.push_back(RefPacket(p)); };
    for (int i = 0; i < 50; ++i) {
      auto f = testing::Picture(320, 180, i * 5);
      f->pts = i;
      EXPECT_TRUE(video_->Encode(f.get(), keep_video).ok());
    }
    EXPECT_TRUE(video_->Encode(nullptr, keep_video).ok());
    AudioSettings a;
    a.encoder = "aac";
    a.sample_rate = 48000;
    a.aac_profile = FF_PROFILE_AAC_LOW;
    auto audio = Encoder::OpenAudio(a);
    EXPECT_TRUE(audio.ok());
    audio_ = std::move(*audio);
    auto keep_audio = [&](AVPacket* p) { audio_packets_.push_back(RefPacket(p)); };
    AVCodecContext* c = audio_->context();
    for (int64_t pts = 0; pts + c->frame_size <= 2 * 48000; pts += c->frame_size) {
      FramePtr f = NewFrame();
      f->format = c->sample_fmt;
      f->nb_samples = c->frame_size;
      f->sample_rate = 48000;
      EXPECT_EQ(av_channel_layout_copy(&f->ch_layout, &c->ch_layout), 0);
      EXPECT_EQ(av_frame_get_buffer(f.get(), 0), 0);
      for (int ch = 0; ch < 2; ++ch) {
        auto* s = reinterpret_cast<float*>(f->data[ch]);
        for (int i = 0; i < f->nb_samples; ++i) s[i] = 0.1f * std::sin(0.05f * (pts + i));
      }
      f->pts = pts;
      EXPECT_TRUE(audio_->Encode(f.get(), keep_audio).ok());
    }
    EXPECT_TRUE(audio_->Encode(nullptr, keep_audio).ok());
    vpar_.reset(avcodec_parameters_alloc());
    apar_.reset(avcodec_parameters_alloc());
    avcodec_parameters_from_context(vpar_.get(), video_->context());
    avcodec_parameters_from_context(apar_.get(), audio_->context());
    apar_adts_ = CopyParameters(apar_.get());
    av_freep(&apar_adts_->extradata);
    apar_adts_->extradata_size = 0;
  }

  // adts: the audio as MPEG-TS carries it (each packet ADTS-framed, no AudioSpecificConfig).
  std::vector<MuxStream> Streams(bool adts = false) const {
    return {{vpar_.get(), video_->time_base()},
            {adts ? apar_adts_.get() : apar_.get(), audio_->time_base()}};
  }

  // `seconds` of the stream into the recorder, its input timestamps from input_s, arriving
  // from wall_ms on (in step with its timestamps).
  void Feed(Recorder& r, int seconds, int64_t input_s, int64_t wall_ms, bool adts = false) {
    for (int loop = 0; loop < seconds / 2; ++loop) {
      std::multimap<int64_t, std::pair<int, const AVPacket*>> order;  // by dts in µs
      for (auto& p : video_packets_) {
        order.emplace(av_rescale_q(p->dts, video_->time_base(), {1, 1'000'000}),
                      std::pair{0, p.get()});
      }
      for (auto& p : audio_packets_) {
        order.emplace(av_rescale_q(p->dts, audio_->time_base(), {1, 1'000'000}),
                      std::pair{1, p.get()});
      }
      const int64_t base_s = input_s + 2 * loop;
      for (auto& [us, sp] : order) {
        auto [stream, packet] = sp;
        PacketPtr copy = stream == 1 && adts ? Adts(packet) : RefPacket(packet);
        AVRational tb = stream == 0 ? video_->time_base() : audio_->time_base();
        int64_t shift = av_rescale_q(base_s, {1, 1}, tb);
        copy->pts += shift;
        copy->dts += shift;
        ASSERT_TRUE(
            r.Write(stream, copy.get(), wall_ms + (base_s - input_s) * 1000 + us / 1000).ok());
      }
    }
  }

 private:
  // An AAC-LC 48 kHz stereo packet with its 7-byte ADTS header.
  static PacketPtr Adts(const AVPacket* p) {
    PacketPtr out = NewPacket();
    EXPECT_EQ(av_new_packet(out.get(), p->size + 7), 0);
    const int len = p->size + 7, profile = 1, rate_index = 3, channels = 2;
    uint8_t* h = out->data;
    h[0] = 0xFF;
    h[1] = 0xF1;
    h[2] = static_cast<uint8_t>((profile << 6) | (rate_index << 2) | (channels >> 2));
    h[3] = static_cast<uint8_t>(((channels & 3) << 6) | (len >> 11));
    h[4] = static_cast<uint8_t>((len >> 3) & 0xFF);
    h[5] = static_cast<uint8_t>(((len & 7) << 5) | 0x1F);
    h[6] = 0xFC;
    std::copy(p->data, p->data + p->size, out->data + 7);
    av_packet_copy_props(out.get(), p);
    return out;
  }

  std::unique_ptr<Encoder> video_, audio_;
  std::vector<PacketPtr> video_packets_, audio_packets_;
  CodecParametersPtr vpar_, apar_, apar_adts_;
};

// What a player reads in a file: its video's extent in seconds, and its packets.
struct Read {
  double video_s = 0;
  int video_packets = 0, audio_packets = 0;
  bool ok = false;
};

Read ReadBack(const std::string& path) {
  Read out;
  AVFormatContext* fmt = nullptr;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", "file", 0);
  if (avformat_open_input(&fmt, path.c_str(), nullptr, &opts) < 0) {
    av_dict_free(&opts);
    return out;
  }
  av_dict_free(&opts);
  avformat_find_stream_info(fmt, nullptr);
  PacketPtr p = NewPacket();
  int64_t first = AV_NOPTS_VALUE, last = 0;
  while (av_read_frame(fmt, p.get()) >= 0) {
    AVStream* s = fmt->streams[p->stream_index];
    if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && p->pts != AV_NOPTS_VALUE) {
      int64_t us = av_rescale_q(p->pts, s->time_base, {1, 1'000'000});
      if (first == AV_NOPTS_VALUE || us < first) first = us;
      last = std::max(last, us + av_rescale_q(p->duration, s->time_base, {1, 1'000'000}));
      ++out.video_packets;
    } else if (s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
      ++out.audio_packets;
    }
    av_packet_unref(p.get());
  }
  if (first != AV_NOPTS_VALUE) out.video_s = static_cast<double>(last - first) / 1e6;
  out.ok = true;
  avformat_close_input(&fmt);
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<double> SegmentLengths(const std::string& playlist) {
  std::vector<double> out;
  std::istringstream in(playlist);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#EXTINF:", 0) == 0) out.push_back(std::stod(line.substr(8)));
  }
  return out;
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class RecorderTest : public ::testing::Test {
 protected:
  std::unique_ptr<Recorder> Open(std::vector<RecordFileSpec> files, int64_t gap_close_ms = 180'000,
                                 const Source* source = nullptr, bool adts = false) {
    RecorderConfig c;
    c.dir = dir_.path();
    c.files = std::move(files);
    c.gap_close_ms = gap_close_ms;
    c.naming.file = [](RecordContainer k, int seq, int64_t start, int64_t end) {
      return "record/job/" + std::to_string(seq) + "_" + std::to_string(start) + "_" +
             std::to_string(end) + "." + ContainerName(k);
    };
    c.naming.in_progress = [](RecordContainer k, int seq) {
      return ".recording/job/" + std::to_string(seq) + "." + ContainerName(k);
    };
    c.naming.slice = [](int seq, int64_t unix_ms) {
      return "record/job/slices/" + std::to_string(unix_ms) + "_" + std::to_string(seq) + ".ts";
    };
    c.on_file = [this](const RecordedFile& f) { files_.push_back(f); };
    auto r = Recorder::Open(std::move(c), (source ? *source : source_).Streams(adts));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
  std::vector<RecordedFile> Of(RecordContainer k) const {
    std::vector<RecordedFile> out;
    for (const auto& f : files_) {
      if (f.container == k) out.push_back(f);
    }
    return out;
  }
  std::string Path(const std::string& object) const { return dir_.path() + "/" + object; }

  // Encoded once, at first use (never at the start of a process that runs other tests).
  static Source& H264() {
    static Source source;
    return source;
  }
  Source& source_ = H264();
  floe::testing::TempDir dir_;
  std::vector<RecordedFile> files_;
  const int64_t t0_ = 1'800'000'000'000;
};

TEST_F(RecorderTest, M3u8SegmentsKeepTheirSliceAndFlvAndMp4PlayToTheEnd) {
  auto r = Open({{RecordContainer::kM3u8, 5, 3600},
                 {RecordContainer::kFlv, 30, 3600},
                 {RecordContainer::kMp4, 30, 3600}});
  source_.Feed(*r, 24, 0, t0_);
  ASSERT_TRUE(r->Finish().ok());
  ASSERT_EQ(files_.size(), 3u);
  for (const auto& f : files_) {
    EXPECT_EQ(f.sequence, 1);
    EXPECT_EQ(f.start_ms, t0_);
    EXPECT_NEAR(static_cast<double>(f.end_ms - f.start_ms), 24'000, 100);
    EXPECT_NEAR(f.duration_s, 24, 0.2) << ContainerName(f.container);
    EXPECT_EQ(f.width, 320);
    EXPECT_EQ(f.height, 180);
    EXPECT_EQ(f.size_bytes > 10'000, true);
    EXPECT_EQ(f.object, "record/job/1_" + std::to_string(f.start_ms) + "_" +
                            std::to_string(f.end_ms) + "." + ContainerName(f.container));
    Read back = ReadBack(Path(f.object));
    ASSERT_TRUE(back.ok) << f.object;
    EXPECT_NEAR(back.video_s, 24, 0.2) << f.object;
    EXPECT_EQ(back.video_packets, 600) << f.object;
    EXPECT_GT(back.audio_packets, 1000) << f.object;
  }
  std::string playlist = Slurp(Path(Of(RecordContainer::kM3u8)[0].object));
  EXPECT_NE(playlist.find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_NE(playlist.find("#EXT-X-PLAYLIST-TYPE:VOD"), std::string::npos);
  EXPECT_NE(playlist.find("\nslices/" + std::to_string(t0_) + "_1.ts\n"), std::string::npos)
      << playlist;
  auto lengths = SegmentLengths(playlist);
  ASSERT_EQ(lengths.size(), 5u) << playlist;  // 5 5 5 5 4
  for (size_t i = 0; i + 1 < lengths.size(); ++i) EXPECT_NEAR(lengths[i], 5, 1) << playlist;
  EXPECT_EQ(Count(playlist, "#EXT-X-DISCONTINUITY"), 0);
  EXPECT_FALSE(fs::exists(Path(".recording/job/1.m3u8")));  // the in-progress names are gone
  EXPECT_FALSE(fs::exists(Path(".recording/job/1.mp4")));
}

TEST_F(RecorderTest, AShortGapContinuesTheFilesWithADiscontinuityAndALongOneClosesThem) {
  auto r = Open({{RecordContainer::kM3u8, 5, 3600}, {RecordContainer::kMp4, 30, 3600}}, 180'000);
  source_.Feed(*r, 10, 0, t0_);
  r->InputLost(t0_ + 10'500);  // a stall, not yet a gap: nothing changes
  r->InputLost(t0_ + 11'000);
  ASSERT_TRUE(r->Tick(t0_ + 60'000).ok());
  EXPECT_TRUE(files_.empty());
  // Back after a minute, its timestamps from zero again (a new publish): the same files.
  source_.Feed(*r, 10, 0, t0_ + 70'000);
  r->InputLost(t0_ + 81'000);
  ASSERT_TRUE(r->Tick(t0_ + 200'000).ok());
  EXPECT_TRUE(files_.empty());
  ASSERT_TRUE(r->Tick(t0_ + 261'000).ok());  // away for more than three minutes: closed
  ASSERT_EQ(files_.size(), 2u);
  for (const auto& f : files_) {
    EXPECT_NEAR(f.duration_s, 20, 0.2) << ContainerName(f.container);  // the gap is not in it
    EXPECT_NEAR(static_cast<double>(f.end_ms), static_cast<double>(t0_ + 80'000), 100);
    Read back = ReadBack(Path(f.object));
    EXPECT_NEAR(back.video_s, 20, 0.2) << f.object;
    EXPECT_EQ(back.video_packets, 500) << f.object;
  }
  std::string playlist = Slurp(Path(Of(RecordContainer::kM3u8)[0].object));
  EXPECT_EQ(Count(playlist, "#EXT-X-DISCONTINUITY"), 1) << playlist;
  auto lengths = SegmentLengths(playlist);
  EXPECT_EQ(lengths.size(), 4u) << playlist;  // 5 5 | 5 5
  // The input comes back after the long gap: new files, numbered on.
  source_.Feed(*r, 4, 500, t0_ + 300'000);
  ASSERT_TRUE(r->Finish().ok());
  ASSERT_EQ(files_.size(), 4u);
  EXPECT_EQ(files_[2].sequence, 2);
  EXPECT_EQ(files_[2].start_ms, t0_ + 300'000);
}

TEST_F(RecorderTest, AStallShorterThanASecondIsNoGap) {
  auto r = Open({{RecordContainer::kM3u8, 5, 3600}});
  source_.Feed(*r, 10, 0, t0_);
  r->InputLost(t0_ + 10'500);  // the slate began: half a second without a packet
  source_.Feed(*r, 10, 10, t0_ + 10'600);
  ASSERT_TRUE(r->Finish().ok());
  ASSERT_EQ(files_.size(), 1u);
  std::string playlist = Slurp(Path(files_[0].object));
  EXPECT_EQ(Count(playlist, "#EXT-X-DISCONTINUITY"), 0) << playlist;
  EXPECT_EQ(SegmentLengths(playlist).size(), 4u) << playlist;
  EXPECT_NEAR(files_[0].duration_s, 20, 0.2);
}

TEST_F(RecorderTest, TheCycleCutsFilesAtTheFirstKeyframeAfterIt) {
  auto r = Open({{RecordContainer::kM3u8, 5, 10}, {RecordContainer::kFlv, 30, 10}});
  source_.Feed(*r, 26, 0, t0_);
  ASSERT_TRUE(r->Finish().ok());
  auto flv = Of(RecordContainer::kFlv);
  auto m3u8 = Of(RecordContainer::kM3u8);
  ASSERT_EQ(flv.size(), 3u);
  ASSERT_EQ(m3u8.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(flv[i].duration_s, 10, 1) << i;
    EXPECT_NEAR(ReadBack(Path(flv[i].object)).video_s, 10, 1) << i;
    EXPECT_NEAR(m3u8[i].duration_s, 10, 1) << i;
    EXPECT_EQ(flv[i].sequence, i + 1);
  }
  // Nothing lost or doubled at the cuts.
  int packets = 0;
  for (const auto& f : flv) packets += ReadBack(Path(f.object)).video_packets;
  EXPECT_EQ(packets, 650);
}

TEST_F(RecorderTest, AnMp4BeingWrittenPlaysUpToItsLastFragment) {
  auto r = Open({{RecordContainer::kMp4, 30, 3600}});
  source_.Feed(*r, 10, 0, t0_);
  // What a SIGKILL now would leave: the file as it is on disk, no trailer written.
  std::string copy = dir_.File("killed.mp4");
  fs::copy_file(Path(".recording/job/1.mp4"), copy);
  Read back = ReadBack(copy);
  ASSERT_TRUE(back.ok);
  EXPECT_GE(back.video_s, 10 - 1 - 0.1);  // within one fragment (a keyframe interval) of it
  EXPECT_GT(back.audio_packets, 300);
  ASSERT_TRUE(r->Finish().ok());
}

// What a recorder that died left (copied mid-recording under another run's names) is closed by
// the next one: the mp4 and flv renamed with their media's times, the playlist ended with its
// segments made relative to its new name; the next recorder's own files are left alone, and
// what cannot be read stays where it is.
TEST_F(RecorderTest, TheFilesADeadRecorderLeftAreClosedByTheNextOne) {
  auto r = Open({{RecordContainer::kM3u8, 5, 3600},
                 {RecordContainer::kFlv, 30, 3600},
                 {RecordContainer::kMp4, 30, 3600}});
  source_.Feed(*r, 12, 0, t0_);
  const std::string folder = ".recording/job";
  for (const char* ext : {"m3u8", "flv", "mp4"}) {
    fs::copy_file(Path(folder + "/1." + ext), Path(folder + "/dead-1." + ext));
  }
  std::ofstream(Path(folder + "/dead-2.mp4")) << "not media";
  std::ofstream(Path(folder + "/dead-1.m3u8.tmp")) << "#EXTM3U";
  ASSERT_TRUE(r->Finish().ok());
  std::ofstream(Path(folder + "/live-1.mp4")) << "this recorder's own";
  RecordNaming naming;
  naming.file = [](RecordContainer k, int seq, int64_t start, int64_t end) {
    return "record/recovered/" + std::to_string(seq) + "_" + std::to_string(start) + "_" +
           std::to_string(end) + "." + ContainerName(k);
  };
  auto left = RecoverLeftovers(dir_.path(), folder, "live-", naming);
  const auto& recovered = left.recovered;
  ASSERT_EQ(recovered.size(), 3u);
  EXPECT_EQ(left.unreadable, std::vector<std::string>{folder + "/dead-2.mp4"});
  for (const auto& f : recovered) {
    SCOPED_TRACE(f.object);
    EXPECT_EQ(f.sequence, 1);
    EXPECT_EQ(f.width, 320);
    EXPECT_EQ(f.height, 180);
    // Up to where the flv and mp4 had reached on disk (a fragment or a buffer short of it).
    EXPECT_GT(f.duration_s, f.container == RecordContainer::kM3u8 ? 9.5 : 8);
    EXPECT_LE(f.duration_s, 12.1);
    EXPECT_NEAR(static_cast<double>(f.end_ms - f.start_ms), f.duration_s * 1000, 2);
    EXPECT_EQ(f.object, "record/recovered/1_" + std::to_string(f.start_ms) + "_" +
                            std::to_string(f.end_ms) + "." + ContainerName(f.container));
    EXPECT_GT(f.size_bytes, 10'000);
    Read back = ReadBack(Path(f.object));
    ASSERT_TRUE(back.ok);
    EXPECT_NEAR(back.video_s, f.duration_s, 0.5);
  }
  auto m3u8 = std::find_if(recovered.begin(), recovered.end(), [](const RecordedFile& f) {
    return f.container == RecordContainer::kM3u8;
  });
  ASSERT_NE(m3u8, recovered.end());
  std::string playlist = Slurp(Path(m3u8->object));
  EXPECT_NE(playlist.find("#EXT-X-ENDLIST"), std::string::npos) << playlist;
  EXPECT_NE(playlist.find("\n../job/slices/" + std::to_string(t0_) + "_1.ts\n"), std::string::npos)
      << playlist;
  EXPECT_FALSE(fs::exists(Path(folder + "/dead-1.mp4")));
  EXPECT_FALSE(fs::exists(Path(folder + "/dead-1.m3u8.tmp")));
  EXPECT_TRUE(fs::exists(Path(folder + "/dead-2.mp4")));  // unreadable: left as it is
  EXPECT_TRUE(fs::exists(Path(folder + "/live-1.mp4")));
}

// H.265 in all three: FFmpeg's FLV muxer has none, so the FLV is Floe's own (Enhanced RTMP).
TEST_F(RecorderTest, H265IsRecordedInEveryContainer) {
  static Source hevc("libx265");
  auto r = Open({{RecordContainer::kM3u8, 5, 3600},
                 {RecordContainer::kFlv, 30, 3600},
                 {RecordContainer::kMp4, 30, 3600}},
                180'000, &hevc);
  hevc.Feed(*r, 6, 0, t0_);
  ASSERT_TRUE(r->Finish().ok());
  ASSERT_EQ(files_.size(), 3u);
  for (auto k : {RecordContainer::kM3u8, RecordContainer::kMp4}) {
    Read back = ReadBack(Path(Of(k)[0].object));
    EXPECT_EQ(back.video_packets, 150) << ContainerName(k);
    EXPECT_NEAR(back.video_s, 6, 0.2) << ContainerName(k);
  }
  std::string flv = Slurp(Path(Of(RecordContainer::kFlv)[0].object));
  FlvHevcReader reader;
  ASSERT_TRUE(reader.Feed(reinterpret_cast<const uint8_t*>(flv.data()), flv.size()).ok());
  EXPECT_EQ(reader.summary().convention, "hvc1");
  EXPECT_EQ(reader.summary().video_tags, 150);
  EXPECT_EQ(reader.summary().keyframes, 6);
  EXPECT_EQ(reader.summary().decoded_frames, 150);
  EXPECT_GT(reader.summary().audio_tags, 250);
}

// From MPEG-TS (HLS, SRT inputs) AAC comes ADTS-framed with no AudioSpecificConfig, which MP4
// and FLV cannot carry: the recorder unframes it and takes the config from its first packet.
TEST_F(RecorderTest, AdtsAacFromMpegTsIsUnframedForEveryContainer) {
  auto r = Open({{RecordContainer::kM3u8, 5, 3600},
                 {RecordContainer::kFlv, 30, 3600},
                 {RecordContainer::kMp4, 30, 3600}},
                180'000, nullptr, /*adts=*/true);
  source_.Feed(*r, 6, 0, t0_, /*adts=*/true);
  ASSERT_TRUE(r->Finish().ok());
  ASSERT_EQ(files_.size(), 3u);
  for (const auto& f : files_) {
    Read back = ReadBack(Path(f.object));
    ASSERT_TRUE(back.ok) << f.object;
    EXPECT_GE(back.video_packets, 125) << f.object;  // from the first keyframe after the config
    EXPECT_GT(back.audio_packets, 230) << f.object;
  }
}

}  // namespace
}  // namespace floe::media
