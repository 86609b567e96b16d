// floe_audio_encode IN OUT.m4a PROFILE KBPS RATE CHANNELS: encodes a clip the way a job's audio
// stage does (a TemplateSpec through MakeEncodeSettings, Encoder::OpenAudio, AudioConverter) and
// writes the packets to an MP4 for bench/audio/run.sh to decode and measure. IN is anything
// libavformat reads (WAV), or raw float samples as "f32le:RATE:CHANNELS:PATH".
// Prints "cpu_s=… clip_s=… packets=…": the process CPU time spent inside the encoder only.
// A profile the settings refuse prints "not available: <reason>" and exits 3; an encoder that
// fails prints "encoder error: <reason>" and exits 1.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/template_spec.h"
#include "media/convert.h"
#include "media/encode_settings.h"
#include "media/encoder.h"
#include "media/ffmpeg.h"

using namespace floe;
using namespace floe::media;

namespace {

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int Fail(const std::string& what, int rc = 0) {
  std::fprintf(stderr, "floe_audio_encode: %s%s\n", what.c_str(),
               rc < 0 ? (": " + AvError(rc)).c_str() : "");
  return 1;
}

// Opens IN: "f32le:RATE:CHANNELS:PATH" as raw float, anything else probed.
int OpenInput(const std::string& arg, InputFormatPtr& out) {
  AVDictionary* opts = nullptr;
  const AVInputFormat* fmt = nullptr;
  std::string path = arg;
  if (arg.rfind("f32le:", 0) == 0) {
    size_t a = arg.find(':', 6), b = arg.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) return AVERROR(EINVAL);
    fmt = av_find_input_format("f32le");
    av_dict_set(&opts, "sample_rate", arg.substr(6, a - 6).c_str(), 0);
    av_dict_set(&opts, "ch_layout", (arg.substr(a + 1, b - a - 1) + "C").c_str(), 0);
    path = arg.substr(b + 1);
  }
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, path.c_str(), fmt, &opts);
  av_dict_free(&opts);
  if (rc < 0) return rc;
  out.reset(raw);
  return avformat_find_stream_info(raw, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: floe_audio_encode IN OUT.m4a aac_low|aac_he|aac_he_v2|aac_ld KBPS RATE "
                 "CHANNELS\n");
    return 2;
  }
  av_log_set_level(AV_LOG_ERROR);
  core::TemplateSpec spec;
  spec.type = "audio-only";
  spec.audio.codec = "AAC";
  spec.audio.profile = argv[3];
  spec.audio.bitrate = std::atoi(argv[4]);
  spec.audio.samplerate = std::atoi(argv[5]);
  spec.audio.channels = std::atoi(argv[6]);
  auto settings = MakeEncodeSettings(spec);
  if (!settings) {
    std::printf("not available: %s\n", settings.error().message.c_str());
    return 3;
  }
  auto opened = Encoder::OpenAudio(*settings->audio);
  if (!opened) {
    std::printf("encoder error: %s\n", opened.error().message.c_str());
    return 1;
  }
  Encoder& enc = **opened;
  AVCodecContext* face = enc.context();

  InputFormatPtr in;
  if (int rc = OpenInput(argv[1], in); rc < 0)
    return Fail(std::string("cannot read ") + argv[1], rc);
  int si = av_find_best_stream(in.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (si < 0) return Fail("no audio stream", si);
  const AVCodecParameters* par = in->streams[si]->codecpar;
  CodecContextPtr dec(avcodec_alloc_context3(avcodec_find_decoder(par->codec_id)));
  if (!dec || avcodec_parameters_to_context(dec.get(), par) < 0 ||
      avcodec_open2(dec.get(), dec->codec, nullptr) < 0) {
    return Fail("cannot decode the input");
  }

  AVFormatContext* oraw = nullptr;
  int rc = avformat_alloc_output_context2(&oraw, nullptr, "mp4", argv[2]);
  if (rc < 0) return Fail("cannot create the output", rc);
  OutputFormatPtr out(oraw);
  AVStream* os = avformat_new_stream(oraw, nullptr);
  if (!os || avcodec_parameters_from_context(os->codecpar, face) < 0) return Fail("output stream");
  os->time_base = enc.time_base();
  if ((rc = avio_open(&oraw->pb, argv[2], AVIO_FLAG_WRITE)) < 0) return Fail("open output", rc);
  if ((rc = avformat_write_header(oraw, nullptr)) < 0) return Fail("write header", rc);

  double cpu = 0;
  int64_t packets = 0;
  std::string error;
  auto mux = [&](AVPacket* p) {
    ++packets;
    PacketPtr copy = RefPacket(p);
    copy->stream_index = 0;
    av_packet_rescale_ts(copy.get(), enc.time_base(), os->time_base);
    if (int w = av_interleaved_write_frame(oraw, copy.get()); w < 0 && error.empty()) {
      error = "mux: " + AvError(w);
    }
  };
  auto encode = [&](AVFrame* f) {
    double t0 = CpuSeconds();
    auto r = enc.Encode(f, mux);
    cpu += CpuSeconds() - t0;  // includes muxing the packets handed out: small next to encoding
    if (!r && error.empty()) error = r.error().message;
  };
  AudioConverter conv(face);
  PacketPtr pkt = NewPacket();
  FramePtr frame = NewFrame();
  int64_t in_samples = 0;
  auto drain_decoder = [&]() {
    while (avcodec_receive_frame(dec.get(), frame.get()) >= 0) {
      conv.Push(frame.get(), av_rescale(in_samples, 1'000'000, frame->sample_rate), encode);
      in_samples += frame->nb_samples;
      av_frame_unref(frame.get());
    }
  };
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == si) avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
    drain_decoder();
  }
  avcodec_send_packet(dec.get(), nullptr);
  drain_decoder();
  conv.Flush(encode);
  encode(nullptr);
  if (!error.empty()) {
    std::printf("encoder error: %s\n", error.c_str());
    return 1;
  }
  if ((rc = av_write_trailer(oraw)) < 0) return Fail("write trailer", rc);
  double clip_s = par->sample_rate > 0 ? static_cast<double>(in_samples) / par->sample_rate : 0;
  std::printf("cpu_s=%.4f clip_s=%.3f packets=%lld rate=%d channels=%d frame_size=%d\n", cpu,
              clip_s, static_cast<long long>(packets), face->sample_rate,
              face->ch_layout.nb_channels, face->frame_size);
  return 0;
}
