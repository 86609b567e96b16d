// floe_latency_probe URL SECONDS [pts]: subscribes to a live stream, stamps the arrival of every
// video packet (steady clock, shared by all processes of this machine), decodes it, reads the frame
// counter that bench/media/latency.sh burns into the top of each picture (16 blocks across,
// white = 1, least significant bit on the left) and prints "counter arrival_ms" per frame.
// Two probes, one on a transcoder's input and one on its output, pair frames by counter: the
// difference of arrival times is the latency the transcoder adds, whatever it does to PTS.
// With "pts" it decodes nothing and prints "pts_ms arrival_ms" per video packet instead: a
// stream that falls behind real time shows as arrival − pts growing (bench/jobs/capacity.js).
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "core/time.h"
#include "media/ffmpeg.h"

using namespace floe::media;

namespace {

constexpr int kBits = 16;

int ReadCounter(const AVFrame* f) {
  int value = 0;
  int y = f->height / 16;  // the strip covers the top eighth of the picture
  for (int bit = 0; bit < kBits; ++bit) {
    int x = (2 * bit + 1) * f->width / (2 * kBits);
    if (f->data[0][y * f->linesize[0] + x] > 128) value |= 1 << bit;
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && std::string(argv[3]) == "pts")) {
    std::fprintf(stderr, "usage: floe_latency_probe rtmp://HOST:PORT/APP/STREAM SECONDS [pts]\n");
    return 2;
  }
  bool pts_only = argc == 4;
  av_log_set_level(AV_LOG_ERROR);
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "rtmp_live", "live", 0);
  AVFormatContext* raw = avformat_alloc_context();
  raw->flags |= AVFMT_FLAG_NOBUFFER;  // stamp packets as they arrive, not after probing
  raw->probesize = 32 * 1024;
  raw->max_analyze_duration = 0;
  if (avformat_open_input(&raw, argv[1], nullptr, &opts) < 0) {
    av_dict_free(&opts);
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  av_dict_free(&opts);
  InputFormatPtr in(raw);
  if (avformat_find_stream_info(in.get(), nullptr) < 0) return 1;
  int vs = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (vs < 0) return 1;
  const AVCodec* codec = avcodec_find_decoder(in->streams[vs]->codecpar->codec_id);
  CodecContextPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), in->streams[vs]->codecpar);
  dec->thread_count = 1;  // decode order = arrival order; no frame held back
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return 1;

  std::map<int64_t, int64_t> arrival;  // packet pts → arrival ms
  int64_t end = floe::core::SteadyMillis() + 1000LL * std::atoi(argv[2]);
  PacketPtr pkt = NewPacket();
  FramePtr frame = NewFrame();
  while (floe::core::SteadyMillis() < end && av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == vs && pts_only) {
      int64_t pts_ms = av_rescale_q(pkt->pts, in->streams[vs]->time_base, {1, 1000});
      std::printf("%lld %lld\n", static_cast<long long>(pts_ms),
                  static_cast<long long>(floe::core::SteadyMillis()));
    } else if (pkt->stream_index == vs) {
      arrival[pkt->pts] = floe::core::SteadyMillis();
      if (avcodec_send_packet(dec.get(), pkt.get()) >= 0) {
        while (avcodec_receive_frame(dec.get(), frame.get()) >= 0) {
          auto it = arrival.find(frame->pts);
          if (it != arrival.end()) {
            std::printf("%d %lld\n", ReadCounter(frame.get()), static_cast<long long>(it->second));
            arrival.erase(arrival.begin(), std::next(it));
          }
          av_frame_unref(frame.get());
        }
      }
    }
    av_packet_unref(pkt.get());
  }
  std::fflush(stdout);
  return 0;
}
