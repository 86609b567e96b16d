#include "media/recorder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "media/flv_writer.h"

extern "C" {
#include <libavcodec/bsf.h>
#include <libavutil/opt.h>
}

namespace floe::media {

using core::Error;
using core::Result;
namespace fs = std::filesystem;

namespace {

constexpr AVRational kMicros{1, 1'000'000};

Error WriteFailed(const std::string& what, int rc) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(rc, buf, sizeof buf);
  return Error{"RecordWriteFailed", 500, "cannot write " + what + ": " + buf,
               "Check the bucket's directory (space, permissions, the mount)."};
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

// One media file being written through libavformat (a TS segment, an FLV or MP4 file), or
// through Floe's FLV writer for H.265 in FLV.
class MediaFile {
 public:
  static Result<std::unique_ptr<MediaFile>> Open(const std::string& path, const char* format,
                                                 const std::vector<const AVCodecParameters*>& in) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    auto f = std::unique_ptr<MediaFile>(new MediaFile());
    f->path_ = path;
    bool hevc = std::any_of(in.begin(), in.end(), [](const AVCodecParameters* p) {
      return p->codec_id == AV_CODEC_ID_HEVC;
    });
    if (hevc && std::string(format) == "flv") {  // FFmpeg's FLV muxer has no H.265
      AVIOContext* io = nullptr;
      int rc = avio_open(&io, path.c_str(), AVIO_FLAG_WRITE);
      if (rc < 0) return WriteFailed(path, rc);
      f->io_.reset(io);
      f->flv_ = std::make_unique<FlvWriter>(io, HevcFlvMode::kEnhanced);
      const AVCodecParameters *video = nullptr, *audio = nullptr;
      for (const auto* p : in) (p->codec_type == AVMEDIA_TYPE_VIDEO ? video : audio) = p;
      if (auto r = f->flv_->Start(video, audio); !r) return r.error();
      for (const auto* p : in) f->kinds_.push_back(p->codec_type);
      return f;
    }
    AVFormatContext* fmt = nullptr;
    avformat_alloc_output_context2(&fmt, nullptr, format, path.c_str());
    if (!fmt) return Error{"RecordWriteFailed", 500, std::string("no muxer ") + format, ""};
    f->fmt_.reset(fmt);
    for (const auto* p : in) {
      AVStream* s = avformat_new_stream(fmt, nullptr);
      if (!s || avcodec_parameters_copy(s->codecpar, p) < 0) {
        return Error{"RecordWriteFailed", 500, "cannot add a stream to " + path, ""};
      }
      s->codecpar->codec_tag = 0;
      s->time_base = kMicros;
      f->kinds_.push_back(p->codec_type);
    }
    // Every packet on disk as soon as it is written: what a crash loses is the muxer's
    // current fragment at most.
    fmt->flags |= AVFMT_FLAG_FLUSH_PACKETS;
    int rc = avio_open(&fmt->pb, path.c_str(), AVIO_FLAG_WRITE);
    if (rc < 0) return WriteFailed(path, rc);
    AVDictionary* opts = nullptr;
    if (std::string(format) == "mp4") {
      av_dict_set(&opts, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
    }
    rc = avformat_write_header(fmt, &opts);
    av_dict_free(&opts);
    if (rc < 0) return WriteFailed(path, rc);
    return f;
  }

  // `p`: timestamps in microseconds, stream_index one of the file's.
  Result<void> Write(AVPacket* p) {
    if (flv_) {
      auto r = kinds_[p->stream_index] == AVMEDIA_TYPE_VIDEO ? flv_->WriteVideo(p, kMicros)
                                                             : flv_->WriteAudio(p, kMicros);
      if (r) avio_flush(io_.get());
      return r;
    }
    AVStream* s = fmt_->streams[p->stream_index];
    av_packet_rescale_ts(p, kMicros, s->time_base);
    int rc = av_write_frame(fmt_.get(), p);
    if (rc < 0) return WriteFailed(path_, rc);
    return {};
  }

  // MPEG-TS: ends the file being written (what the muxer holds for it written, then closed);
  // its size. The muxer stays, and Resume carries it on into the next file, so the segments of
  // a playlist are one stream (continuity counters and all), as players expect.
  Result<int64_t> Suspend() {
    if (!fmt_->pb) return 0;
    av_write_frame(fmt_.get(), nullptr);
    avio_flush(fmt_->pb);
    int rc = fmt_->pb->error;
    avio_closep(&fmt_->pb);
    if (rc < 0) return WriteFailed(path_, rc);
    return FileSize(path_);
  }
  Result<void> Resume(const std::string& path) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    path_ = path;
    int rc = avio_open(&fmt_->pb, path.c_str(), AVIO_FLAG_WRITE);
    if (rc < 0) return WriteFailed(path, rc);
    av_opt_set(fmt_->priv_data, "mpegts_flags", "+resend_headers", 0);  // PAT/PMT first
    return {};
  }
  bool suspended() const { return fmt_ && !fmt_->pb; }

  // Finishes the file (its trailer); the size it has then.
  Result<int64_t> Close() {
    if (fmt_ && !fmt_->pb) {  // a suspended TS muxer: nothing left to write
      fmt_.reset();
      return 0;
    }
    if (fmt_) {
      int rc = av_write_trailer(fmt_.get());
      fmt_.reset();
      if (rc < 0) return WriteFailed(path_, rc);
    }
    flv_.reset();
    io_.reset();
    return FileSize(path_);
  }

 private:
  MediaFile() = default;
  std::string path_;
  OutputFormatPtr fmt_;
  AvioPtr io_;
  std::unique_ptr<FlvWriter> flv_;
  std::vector<AVMediaType> kinds_;
};

// Writes `text` to `path` whole or not at all (a reader never sees half a playlist).
Result<void> WriteAtomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Error{"RecordWriteFailed", 500, "cannot write " + tmp, ""};
  }
  fs::rename(tmp, path, ec);
  if (ec) return Error{"RecordWriteFailed", 500, "cannot write " + path + ": " + ec.message(), ""};
  return {};
}

struct Segment {
  std::string object;
  double duration_s = 0;
  bool discontinuity = false;
  int64_t bytes = 0;
};

// The playlist of `segments`, their URIs relative to the playlist's own object.
std::string Playlist(const std::string& playlist_object, const std::vector<Segment>& segments,
                     bool ended) {
  double longest = 1;
  for (const auto& s : segments) longest = std::max(longest, s.duration_s);
  std::ostringstream m3u8;
  m3u8 << "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:"
       << static_cast<int>(std::ceil(longest)) << "\n#EXT-X-MEDIA-SEQUENCE:0\n"
       << "#EXT-X-PLAYLIST-TYPE:" << (ended ? "VOD" : "EVENT") << "\n";
  const fs::path base = fs::path(playlist_object).parent_path();
  for (const auto& s : segments) {
    if (s.discontinuity) m3u8 << "#EXT-X-DISCONTINUITY\n";
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.3f", s.duration_s);
    m3u8 << "#EXTINF:" << dur << ",\n"
         << fs::path(s.object).lexically_relative(base).generic_string() << "\n";
  }
  if (ended) m3u8 << "#EXT-X-ENDLIST\n";
  return m3u8.str();
}

}  // namespace

// One container of the recording and the file of it now open.
struct Track {
  RecordFileSpec spec;
  int sequence = 0;  // of the open file; 0 before the first
  bool open = false;
  int64_t start_ms = 0, end_ms = 0;       // wall clock
  int64_t first_us = 0, last_end_us = 0;  // media timeline
  std::string in_progress;
  std::unique_ptr<MediaFile> file;  // flv, mp4
  // m3u8: the segments so far, and the one being written.
  std::vector<Segment> segments;
  std::unique_ptr<MediaFile> segment;  // the MPEG-TS muxer, suspended between segments
  bool in_segment = false;
  Segment current;
  int64_t segment_start_us = 0, segment_end_us = 0;
  bool discontinuity_next = false;
};

struct Recorder::Impl {
  RecorderConfig config;
  std::vector<CodecParametersPtr> params;  // of the recorded streams
  std::vector<const AVCodecParameters*> param_list;
  std::vector<AVRational> time_bases;  // by input stream
  std::vector<int> out_index;          // input stream → recorded stream (-1: not recorded)
  int video = -1;                      // input stream
  int width = 0, height = 0;
  std::vector<Track> tracks;
  int slice_sequence = 0;

  // The output timeline: input timestamps plus offset_us, carried on across gaps.
  bool new_timeline = true;
  int64_t offset_us = 0;
  int64_t timeline_start_us = 0;  // of the current timeline
  int64_t timeline_end_us = 0;
  std::vector<int64_t> last_dts_us;  // by recorded stream
  bool lost = false;
  int64_t last_packet_ms = 0;
  PacketPtr scratch = NewPacket();
  // AAC framed as ADTS (from MPEG-TS: HLS and SRT inputs) unframed for every container, its
  // AudioSpecificConfig learned from its first packet; no file starts before that is known.
  int audio = -1;  // input stream
  std::unique_ptr<AVBSFContext, void (*)(AVBSFContext*)> adts{
      nullptr, [](AVBSFContext* b) { av_bsf_free(&b); }};
  bool audio_ready = true;
  PacketPtr unframed = NewPacket();

  Result<void> WriteOne(int stream, const AVPacket* p, int64_t now_ms);

  std::string Path(const std::string& object) const { return config.dir + "/" + object; }

  Result<void> OpenFile(Track& t, int64_t now_ms, int64_t at_us) {
    t.sequence += 1;
    t.open = true;
    t.start_ms = t.end_ms = now_ms;
    t.first_us = t.last_end_us = at_us;
    t.in_progress = config.naming.in_progress(t.spec.container, t.sequence);
    t.segments.clear();
    t.discontinuity_next = false;
    if (t.spec.container == RecordContainer::kM3u8) return {};
    auto f = MediaFile::Open(Path(t.in_progress),
                             t.spec.container == RecordContainer::kFlv ? "flv" : "mp4", param_list);
    if (!f) return f.error();
    t.file = std::move(*f);
    return {};
  }

  // The next segment of the file's one MPEG-TS stream.
  Result<void> OpenSegment(Track& t, int64_t now_ms, int64_t at_us) {
    slice_sequence += 1;
    t.current = Segment{config.naming.slice(slice_sequence, now_ms), 0, t.discontinuity_next, 0};
    t.discontinuity_next = false;
    t.segment_start_us = t.segment_end_us = at_us;
    t.in_segment = true;
    if (t.segment) return t.segment->Resume(Path(t.current.object));
    auto f = MediaFile::Open(Path(t.current.object), "mpegts", param_list);
    if (!f) return f.error();
    t.segment = std::move(*f);
    return {};
  }

  // The segment being written joins the playlist (rewritten under its in-progress name).
  Result<void> CloseSegment(Track& t) {
    if (!t.in_segment) return {};
    t.in_segment = false;
    auto size = t.segment->Suspend();
    if (!size) return size.error();
    t.current.bytes = *size;
    t.current.duration_s = static_cast<double>(t.segment_end_us - t.segment_start_us) / 1e6;
    t.segments.push_back(t.current);
    return WriteAtomically(Path(t.in_progress), Playlist(t.in_progress, t.segments, false));
  }

  Result<void> CloseFile(Track& t) {
    if (!t.open) return {};
    t.open = false;
    RecordedFile done;
    done.container = t.spec.container;
    done.sequence = t.sequence;
    done.start_ms = t.start_ms;
    done.end_ms = t.end_ms;
    done.object = config.naming.file(t.spec.container, t.sequence, t.start_ms, t.end_ms);
    done.width = width;
    done.height = height;
    std::error_code ec;
    fs::create_directories(fs::path(Path(done.object)).parent_path(), ec);
    if (t.spec.container == RecordContainer::kM3u8) {
      auto closed = CloseSegment(t);
      if (t.segment) (void)t.segment->Close();
      t.segment.reset();
      if (!closed) return closed;
      if (t.segments.empty()) return {};  // nothing was recorded into it
      std::string text = Playlist(done.object, t.segments, true);
      if (auto r = WriteAtomically(Path(done.object), text); !r) return r;
      fs::remove(Path(t.in_progress), ec);
      done.size_bytes = static_cast<int64_t>(text.size());
      for (const auto& s : t.segments) {
        done.size_bytes += s.bytes;
        done.duration_s += s.duration_s;
      }
    } else {
      auto size = t.file->Close();
      t.file.reset();
      if (!size) return size.error();
      fs::rename(Path(t.in_progress), Path(done.object), ec);
      if (ec) {
        return Error{"RecordWriteFailed", 500, "cannot name " + done.object + ": " + ec.message(),
                     ""};
      }
      done.size_bytes = *size;
      done.duration_s = static_cast<double>(t.last_end_us - t.first_us) / 1e6;
    }
    if (config.on_file) config.on_file(done);
    return {};
  }

  Result<void> CloseAll() {
    Result<void> first;
    for (auto& t : tracks) {
      auto r = CloseFile(t);
      if (!r && first) first = r;
    }
    return first;
  }

  Result<void> WriteTo(Track& t, int out, const AVPacket* p, int64_t pts_us, int64_t dts_us,
                       int64_t duration_us) {
    AVPacket* copy = scratch.get();
    av_packet_unref(copy);
    if (av_packet_ref(copy, p) < 0) return Error::Internal("out of memory");
    copy->stream_index = out;
    copy->pts = pts_us;
    copy->dts = dts_us;
    copy->duration = duration_us;
    copy->pos = -1;
    MediaFile* f = t.spec.container == RecordContainer::kM3u8 ? t.segment.get() : t.file.get();
    auto r = f->Write(copy);
    av_packet_unref(copy);
    return r;
  }
};

Recorder::Recorder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Recorder::~Recorder() {
  if (impl_) (void)impl_->CloseAll();
}

Result<std::unique_ptr<Recorder>> Recorder::Open(RecorderConfig config,
                                                 const std::vector<MuxStream>& streams) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  for (const auto& s : streams) {
    const AVCodecParameters* p = s.params;
    impl->time_bases.push_back(s.time_base);
    if (p->codec_type != AVMEDIA_TYPE_VIDEO && p->codec_type != AVMEDIA_TYPE_AUDIO) {
      impl->out_index.push_back(-1);
      continue;
    }
    if (p->codec_type == AVMEDIA_TYPE_AUDIO) {
      if (impl->audio >= 0) {  // one sound per recording
        impl->out_index.push_back(-1);
        continue;
      }
      impl->audio = static_cast<int>(impl->out_index.size());
      if (p->codec_id == AV_CODEC_ID_AAC && p->extradata_size == 0) {
        const AVBitStreamFilter* f = av_bsf_get_by_name("aac_adtstoasc");
        AVBSFContext* bsf = nullptr;
        if (!f || av_bsf_alloc(f, &bsf) < 0) return Error::Internal("no aac_adtstoasc");
        impl->adts.reset(bsf);
        if (avcodec_parameters_copy(bsf->par_in, p) < 0 || av_bsf_init(bsf) < 0) {
          return Error::Internal("cannot start aac_adtstoasc");
        }
        bsf->time_base_in = s.time_base;
        impl->audio_ready = false;
      }
    }
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) {
      if (impl->video >= 0) {  // one picture per recording
        impl->out_index.push_back(-1);
        continue;
      }
      impl->video = static_cast<int>(impl->out_index.size());
      impl->width = p->width;
      impl->height = p->height;
    }
    impl->out_index.push_back(static_cast<int>(impl->params.size()));
    impl->params.push_back(CopyParameters(p));
    impl->param_list.push_back(impl->params.back().get());
  }
  if (impl->params.empty()) {
    return Error{"RecordInputUnusable", 400, "the input has neither video nor audio to record", ""};
  }
  impl->last_dts_us.assign(impl->params.size(), INT64_MIN);
  for (const auto& spec : impl->config.files) {
    impl->tracks.emplace_back();
    impl->tracks.back().spec = spec;
  }
  return std::unique_ptr<Recorder>(new Recorder(std::move(impl)));
}

Result<void> Recorder::Write(int stream, const AVPacket* p, int64_t now_ms) {
  Impl& m = *impl_;
  if (stream < 0 || stream >= static_cast<int>(m.out_index.size()) || m.out_index[stream] < 0) {
    return {};
  }
  if (stream != m.audio || !m.adts) return m.WriteOne(stream, p, now_ms);
  AVPacket* in = m.unframed.get();
  av_packet_unref(in);
  if (av_packet_ref(in, p) < 0) return Error::Internal("out of memory");
  if (av_bsf_send_packet(m.adts.get(), in) < 0) {
    av_packet_unref(in);
    return {};  // not ADTS after all: dropped, as a player would
  }
  while (av_bsf_receive_packet(m.adts.get(), in) == 0) {
    size_t asc_size = 0;
    const uint8_t* asc = av_packet_get_side_data(in, AV_PKT_DATA_NEW_EXTRADATA, &asc_size);
    if (!m.audio_ready && asc && asc_size > 0) {  // the first packet says the config
      AVCodecParameters* par = m.params[m.out_index[stream]].get();
      par->extradata = static_cast<uint8_t*>(av_mallocz(asc_size + AV_INPUT_BUFFER_PADDING_SIZE));
      if (!par->extradata) return Error::Internal("out of memory");
      std::copy(asc, asc + asc_size, par->extradata);
      par->extradata_size = static_cast<int>(asc_size);
      m.audio_ready = true;
    }
    av_packet_free_side_data(in);  // what the config said is in the containers' headers now
    auto r = m.WriteOne(stream, in, now_ms);
    av_packet_unref(in);
    if (!r) return r;
  }
  return {};
}

Result<void> Recorder::Impl::WriteOne(int stream, const AVPacket* p, int64_t now_ms) {
  Impl& m = *this;
  int64_t dts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
  int64_t pts = p->pts != AV_NOPTS_VALUE ? p->pts : dts;
  if (dts == AV_NOPTS_VALUE) return {};
  const int out = m.out_index[stream];
  const bool key = m.video < 0 || (stream == m.video && (p->flags & AV_PKT_FLAG_KEY));
  if (m.lost) {  // the input is back
    m.lost = false;
    m.new_timeline = true;
    if (now_ms - m.last_packet_ms > m.config.gap_close_ms) {
      if (auto r = m.CloseAll(); !r) return r;
    }
  }
  const AVRational tb = m.time_bases[stream];
  const int64_t dts_in_us = av_rescale_q(dts, tb, kMicros);
  if (m.new_timeline) {
    // A timeline starts at a picture that decodes alone, once the sound's setup is known.
    if (!key || !m.audio_ready) return {};
    m.new_timeline = false;
    m.offset_us = m.timeline_end_us - dts_in_us;
    m.timeline_start_us = m.timeline_end_us;
    for (auto& t : m.tracks) t.discontinuity_next = t.open;
    std::fill(m.last_dts_us.begin(), m.last_dts_us.end(), INT64_MIN);
  }
  int64_t dts_us = dts_in_us + m.offset_us;
  int64_t pts_us = av_rescale_q(pts, tb, kMicros) + m.offset_us;
  int64_t duration_us = p->duration > 0 ? av_rescale_q(p->duration, tb, kMicros) : 0;
  if (dts_us < m.timeline_start_us) return {};  // before the timeline's first picture
  if (m.last_dts_us[out] != INT64_MIN && dts_us <= m.last_dts_us[out]) {
    dts_us = m.last_dts_us[out] + 1;  // a muxer takes only rising timestamps
  }
  pts_us = std::max(pts_us, dts_us);
  m.last_dts_us[out] = dts_us;
  m.last_packet_ms = now_ms;
  const int64_t end_us = pts_us + duration_us;
  m.timeline_end_us = std::max(m.timeline_end_us, end_us);

  for (auto& t : m.tracks) {
    if (t.open && key && now_ms - t.start_ms >= t.spec.cycle_s * 1000) {
      if (auto r = m.CloseFile(t); !r) return r;
    }
    if (!t.open) {
      if (!key) continue;
      if (auto r = m.OpenFile(t, now_ms, pts_us); !r) return r;
    }
    if (t.spec.container == RecordContainer::kM3u8) {
      bool cut =
          t.in_segment && key &&
          (t.discontinuity_next || pts_us - t.segment_start_us >= t.spec.slice_s * 1'000'000LL);
      if (cut) {
        if (auto r = m.CloseSegment(t); !r) return r;
      }
      if (!t.in_segment) {
        if (!key) continue;
        if (auto r = m.OpenSegment(t, now_ms, pts_us); !r) return r;
      }
      t.segment_end_us = std::max(t.segment_end_us, end_us);
    }
    if (auto r = m.WriteTo(t, out, p, pts_us, dts_us, duration_us); !r) return r;
    t.end_ms = now_ms;
    t.last_end_us = std::max(t.last_end_us, end_us);
  }
  return {};
}

void Recorder::InputLost(int64_t now_ms) {
  Impl& m = *impl_;
  if (m.lost || now_ms - m.last_packet_ms < kMinGapMs) return;
  m.lost = true;
  for (auto& t : m.tracks) {
    if (t.spec.container == RecordContainer::kM3u8) (void)m.CloseSegment(t);
  }
}

Result<void> Recorder::Tick(int64_t now_ms) {
  Impl& m = *impl_;
  if (!m.lost || now_ms - m.last_packet_ms <= m.config.gap_close_ms) return {};
  return m.CloseAll();
}

Result<void> Recorder::Finish() {
  return impl_->CloseAll();
}

namespace {

struct Probed {
  double duration_s = 0;
  int width = 0, height = 0;
};

// A media file's length (from its packets' timestamps: a file cut short has no index or
// trailer to say it) and its picture size; nullopt when it cannot be read at all.
std::optional<Probed> ProbeMedia(const std::string& path) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) return std::nullopt;
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> fmt(
      raw, [](AVFormatContext* f) { avformat_close_input(&f); });
  if (avformat_find_stream_info(fmt.get(), nullptr) < 0) return std::nullopt;
  Probed p;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVCodecParameters* par = fmt->streams[i]->codecpar;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && p.width == 0) {
      p.width = par->width;
      p.height = par->height;
    }
  }
  int64_t first = INT64_MAX, last = INT64_MIN;
  PacketPtr pkt = NewPacket();
  while (av_read_frame(fmt.get(), pkt.get()) >= 0) {
    if (pkt->pts != AV_NOPTS_VALUE) {
      AVRational tb = fmt->streams[pkt->stream_index]->time_base;
      int64_t start = av_rescale_q(pkt->pts, tb, kMicros);
      first = std::min(first, start);
      last = std::max(last, start + av_rescale_q(std::max<int64_t>(pkt->duration, 0), tb, kMicros));
    }
    av_packet_unref(pkt.get());
  }
  if (first == INT64_MAX) return std::nullopt;  // not one packet
  p.duration_s = static_cast<double>(last - first) / 1e6;
  return p;
}

// An in-progress playlist as a recorder left it: its segments (their objects, resolved from
// the URIs relative to `object`) and its discontinuities.
std::vector<Segment> ReadPlaylist(const std::string& dir, const std::string& object) {
  std::ifstream in(fs::path(dir) / object);
  std::vector<Segment> segments;
  Segment next;
  const fs::path base = fs::path(object).parent_path();
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#EXT-X-DISCONTINUITY", 0) == 0) {
      next.discontinuity = true;
    } else if (line.rfind("#EXTINF:", 0) == 0) {
      next.duration_s = std::atof(line.c_str() + 8);
    } else if (!line.empty() && line[0] != '#') {
      next.object = (base / line).lexically_normal().generic_string();
      std::error_code ec;
      auto size = fs::file_size(fs::path(dir) / next.object, ec);
      next.bytes = ec ? 0 : static_cast<int64_t>(size);
      segments.push_back(next);
      next = Segment{};
    }
  }
  return segments;
}

}  // namespace

Leftovers RecoverLeftovers(const std::string& dir, const std::string& folder,
                           const std::string& own_prefix, const RecordNaming& naming) {
  Leftovers out;
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / folder, ec)) {
    if (entry.is_regular_file(ec)) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string object = folder + "/" + name;
    if (name.rfind(own_prefix, 0) == 0) continue;  // this recorder's own
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      fs::remove(fs::path(dir) / object, ec);  // a playlist rewrite cut short: its last copy stays
      continue;
    }
    // RUN-SEQUENCE.EXT
    auto dash = name.rfind('-');
    auto dot = name.rfind('.');
    if (dash == std::string::npos || dot == std::string::npos || dot < dash) continue;
    auto container = ParseContainer(name.substr(dot + 1));
    int sequence = std::atoi(name.substr(dash + 1, dot - dash - 1).c_str());
    if (!container || sequence <= 0) continue;
    auto mtime = fs::last_write_time(fs::path(dir) / object, ec);
    if (ec) {
      out.unreadable.push_back(object);
      continue;
    }
    int64_t end_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::file_clock::to_sys(mtime).time_since_epoch())
                         .count();
    RecordedFile done;
    done.container = *container;
    done.sequence = sequence;
    done.end_ms = end_ms;
    if (*container == RecordContainer::kM3u8) {
      auto segments = ReadPlaylist(dir, object);
      if (segments.empty()) {
        fs::remove(fs::path(dir) / object, ec);  // nothing was recorded into it
        continue;
      }
      for (const auto& s : segments) done.duration_s += s.duration_s;
      if (auto p = ProbeMedia(dir + "/" + segments.front().object)) {
        done.width = p->width;
        done.height = p->height;
      }
      done.start_ms = end_ms - static_cast<int64_t>(done.duration_s * 1000);
      done.object = naming.file(*container, sequence, done.start_ms, done.end_ms);
      std::string text = Playlist(done.object, segments, true);
      if (!WriteAtomically(dir + "/" + done.object, text)) {
        out.unreadable.push_back(object);
        continue;
      }
      fs::remove(fs::path(dir) / object, ec);
      done.size_bytes = static_cast<int64_t>(text.size());
      for (const auto& s : segments) done.size_bytes += s.bytes;
    } else {
      auto p = ProbeMedia(dir + "/" + object);
      if (!p) {  // unreadable: left where it is
        out.unreadable.push_back(object);
        continue;
      }
      done.duration_s = p->duration_s;
      done.width = p->width;
      done.height = p->height;
      done.start_ms = end_ms - static_cast<int64_t>(done.duration_s * 1000);
      done.object = naming.file(*container, sequence, done.start_ms, done.end_ms);
      fs::create_directories(fs::path(dir + "/" + done.object).parent_path(), ec);
      fs::rename(fs::path(dir) / object, fs::path(dir) / done.object, ec);
      if (ec) {
        out.unreadable.push_back(object);
        continue;
      }
      done.size_bytes = static_cast<int64_t>(fs::file_size(fs::path(dir) / done.object, ec));
    }
    out.recovered.push_back(done);
  }
  return out;
}

}  // namespace floe::media
