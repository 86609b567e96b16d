// FFmpeg's own AAC decoder run over an encoder's packets, shared by the AAC encoder tests: opened
// from the stream's extradata (an AudioSpecificConfig), packets decoded into planar float, and
// the decoder's warnings and errors collected (log_capture.h).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "media/aac/log_capture.h"
#include "media/ffmpeg.h"

namespace floe::media::aac::test_helpers {

// An unopened AAC decoder context carrying `extradata`. container_rate: what a demuxer sets
// before opening the decoder; 0 leaves it unset.
inline CodecContextPtr NewAacDecoder(const std::vector<uint8_t>& extradata,
                                     int container_rate = 0) {
  CodecContextPtr dec(avcodec_alloc_context3(avcodec_find_decoder(AV_CODEC_ID_AAC)));
  dec->sample_rate = container_rate;
  dec->extradata =
      static_cast<uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  std::memcpy(dec->extradata, extradata.data(), extradata.size());
  dec->extradata_size = static_cast<int>(extradata.size());
  return dec;
}

struct AacDecoded {
  std::vector<std::vector<float>> pcm;             // planar, every decoded frame
  int profile = 0, sample_rate = 0, channels = 0;  // the decoder's, after the last packet
  int frames = 0;
  int odd_frames = 0;  // frames not of AacDecodeOptions::frame_size samples (when that is set)
  int frame_size = 0;  // the last frame's sample count
  std::vector<std::string> log;
};

struct AacDecodeOptions {
  int container_rate = 0;  // as NewAacDecoder's
  int frame_size = 0;      // the expected samples per frame; 0 counts no odd_frames
  bool log_open = false;   // collect the log from before avcodec_open2, not only from after it
};

inline AacDecoded DecodeAac(const std::vector<uint8_t>& extradata,
                            const std::vector<std::vector<uint8_t>>& packets,
                            const AacDecodeOptions& o = {}) {
  AacDecoded out;
  CodecContextPtr dec = NewAacDecoder(extradata, o.container_rate);
  std::optional<LogCapture> log;
  if (o.log_open) log.emplace();
  EXPECT_EQ(avcodec_open2(dec.get(), avcodec_find_decoder(AV_CODEC_ID_AAC), nullptr), 0);
  if (!log) log.emplace();
  PacketPtr pkt = NewPacket();
  FramePtr frame = NewFrame();
  for (const auto& data : packets) {
    EXPECT_EQ(av_new_packet(pkt.get(), static_cast<int>(data.size())), 0);
    std::memcpy(pkt->data, data.data(), data.size());
    EXPECT_EQ(avcodec_send_packet(dec.get(), pkt.get()), 0);
    av_packet_unref(pkt.get());
    while (avcodec_receive_frame(dec.get(), frame.get()) == 0) {
      out.pcm.resize(static_cast<size_t>(frame->ch_layout.nb_channels));
      for (int ch = 0; ch < frame->ch_layout.nb_channels; ++ch) {
        auto* s = reinterpret_cast<const float*>(frame->data[ch]);
        out.pcm[ch].insert(out.pcm[ch].end(), s, s + frame->nb_samples);
      }
      out.frame_size = frame->nb_samples;
      ++out.frames;
      if (o.frame_size && frame->nb_samples != o.frame_size) ++out.odd_frames;
      av_frame_unref(frame.get());
    }
  }
  out.profile = dec->profile;
  out.sample_rate = dec->sample_rate;
  out.channels = dec->ch_layout.nb_channels;
  out.log = log->lines;
  return out;
}

// Feeds the planar float `in` to `enc` (an HeAacEncoder or LdAacEncoder) in frames of `chunk`
// samples, the frame at offset `at` stamped first_pts + at, then flushes it.
template <class Encoder>
void EncodePlanar(Encoder& enc, const std::vector<std::vector<float>>& in, int sample_rate,
                  int channels, int chunk, int64_t first_pts,
                  const std::function<void(AVPacket*)>& sink) {
  const int n = static_cast<int>(in[0].size());
  for (int at = 0; at < n; at += chunk) {
    FramePtr f = NewFrame();
    f->format = AV_SAMPLE_FMT_FLTP;
    f->nb_samples = std::min(chunk, n - at);
    f->sample_rate = sample_rate;
    av_channel_layout_default(&f->ch_layout, channels);
    EXPECT_EQ(av_frame_get_buffer(f.get(), 0), 0);
    for (int ch = 0; ch < channels; ++ch)
      std::memcpy(f->data[ch], in[ch].data() + at, sizeof(float) * f->nb_samples);
    f->pts = first_pts + at;
    auto ok = enc.Encode(f.get(), sink);
    EXPECT_TRUE(ok.ok()) << ok.error().message;
  }
  auto ok = enc.Encode(nullptr, sink);
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

}  // namespace floe::media::aac::test_helpers
