// Floe's input stage on untrusted stream bytes: the first byte picks FLV or MPEG-TS, the rest is
// opened as that container (Demuxer::OpenBytes: the probing and stream choice of a live input),
// read to the end and decoded, as the pipeline's demux and decode stages do.
#include <cstdint>

#include "media/demux.h"

namespace {

floe::media::CodecContextPtr Decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) return nullptr;
  floe::media::CodecContextPtr dec(avcodec_alloc_context3(codec));
  if (avcodec_parameters_to_context(dec.get(), st->codecpar) < 0) return nullptr;
  dec->thread_count = 1;
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return nullptr;
  return dec;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  av_log_set_level(AV_LOG_QUIET);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto d = floe::media::Demuxer::OpenBytes(data + 1, size - 1, data[0] & 1 ? "mpegts" : "flv");
  if (!d) return 0;
  AVFormatContext* fmt = (*d)->format();
  floe::media::CodecContextPtr video, audio;
  if ((*d)->video_stream() >= 0) video = Decoder(fmt->streams[(*d)->video_stream()]);
  if ((*d)->audio_stream() >= 0) audio = Decoder(fmt->streams[(*d)->audio_stream()]);
  auto pkt = floe::media::NewPacket();
  auto frame = floe::media::NewFrame();
  for (int n = 0; n < 2000 && (*d)->Read(pkt.get()) >= 0; ++n) {
    AVCodecContext* dec = pkt->stream_index == (*d)->video_stream()   ? video.get()
                          : pkt->stream_index == (*d)->audio_stream() ? audio.get()
                                                                      : nullptr;
    if (dec && avcodec_send_packet(dec, pkt.get()) >= 0) {
      while (avcodec_receive_frame(dec, frame.get()) >= 0) av_frame_unref(frame.get());
    }
    av_packet_unref(pkt.get());
  }
  return 0;
}
