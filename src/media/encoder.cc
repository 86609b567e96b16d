#include "media/encoder.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <cmath>

namespace floe::media {

using core::Error;

namespace {
Error EncoderError(const std::string& what, int rc) {
  return {"EncoderFailed", 500, what + ": " + AvError(rc),
          "Check the template against this build."};
}
}  // namespace

core::Result<std::unique_ptr<Encoder>> Encoder::OpenVideo(const VideoSettings& v, int width,
                                                          int height, const LiveDefaults& d) {
  const AVCodec* codec = avcodec_find_encoder_by_name(v.encoder.c_str());
  if (!codec) return Error{"EncoderMissing", 500, v.encoder + " is not available", ""};
  auto e = std::make_unique<Encoder>();
  e->ctx_.reset(avcodec_alloc_context3(codec));
  AVCodecContext* c = e->ctx_.get();
  c->width = width;
  c->height = height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = {1, v.fps};
  c->framerate = {v.fps, 1};
  c->sample_aspect_ratio = {1, 1};
  c->gop_size = v.gop;
  c->keyint_min = v.gop;
  c->max_b_frames = 0;
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // FLV and HLS want parameter sets out of band
  c->rc_max_rate = v.bitrate;
  c->rc_buffer_size = static_cast<int>(std::lround(static_cast<double>(v.bitrate) * d.vbv_seconds));
  if (!v.narrow_band) c->bit_rate = v.bitrate;
  std::string gop = std::to_string(v.gop);
  if (v.encoder == "libx264") {
    const std::string& preset = v.narrow_band ? d.narrow_band_x264_preset : d.x264_preset;
    av_opt_set(c->priv_data, "preset", preset.c_str(), 0);
    if (d.x264_tune != "none") av_opt_set(c->priv_data, "tune", d.x264_tune.c_str(), 0);
    av_opt_set(c->priv_data, "profile", v.profile.c_str(), 0);
    std::string params = "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:open-gop=0";
    if (v.narrow_band) {
      // Quality-targeted: CRF spends few bits on easy content, maxrate caps the hard parts.
      // x264's own variance AQ measured better than AQ mode 3 here (SSIM and PSNR, on noise).
      av_opt_set(c->priv_data, "crf", std::to_string(d.narrow_band_x264_crf).c_str(), 0);
    }
    av_opt_set(c->priv_data, "x264-params", params.c_str(), 0);
  } else {
    const std::string& preset = v.narrow_band ? d.narrow_band_x265_preset : d.x265_preset;
    av_opt_set(c->priv_data, "preset", preset.c_str(), 0);
    av_opt_set(c->priv_data, "tune", "zerolatency", 0);
    av_opt_set(c->priv_data, "profile", "main", 0);
    std::string params = "keyint=" + gop + ":min-keyint=" + gop +
                         ":scenecut=0:open-gop=0:bframes=0:log-level=error:repeat-headers=0";
    params += ":vbv-maxrate=" + std::to_string(v.bitrate / 1000) +
              ":vbv-bufsize=" + std::to_string(c->rc_buffer_size / 1000);
    if (v.narrow_band) {
      av_opt_set(c->priv_data, "crf", std::to_string(d.narrow_band_x265_crf).c_str(), 0);
      params += ":aq-mode=3";
    }
    av_opt_set(c->priv_data, "x265-params", params.c_str(), 0);
  }
  int rc = avcodec_open2(c, codec, nullptr);
  if (rc < 0) return EncoderError("cannot open " + v.encoder, rc);
  return e;
}

core::Result<std::unique_ptr<Encoder>> Encoder::OpenAudio(const AudioSettings& a) {
  if (a.encoder == kFloeHeAacEncoder) {
    aac::HeAacSettings settings;
    settings.sample_rate = a.sample_rate;
    settings.channels = a.channels;
    settings.bit_rate = a.bitrate;
    settings.parametric_stereo = a.aac_profile == FF_PROFILE_AAC_HE_V2;
    auto he = aac::HeAacEncoder::Open(settings);
    if (!he) return he.error();
    auto e = std::make_unique<Encoder>();
    e->he_ = std::move(*he);
    return e;
  }
  // Floe's own AAC core (ld_encoder.h): aac_ld in frames of 512, and aac_low in frames of 1024
  // under FFmpeg's floor, at the rates its tables have.
  const bool floe_lc = a.encoder == "aac" && a.bitrate > 0 &&
                       aac::UsesFloeLcCore(a.bitrate, a.channels) &&
                       aac::LdLayoutFor(a.sample_rate, 1024).ok();
  if (a.encoder == kFloeLdAacEncoder || floe_lc) {
    aac::LdAacSettings settings;
    settings.sample_rate = a.sample_rate;
    settings.channels = a.channels;
    settings.bit_rate = a.bitrate;
    settings.frame_length = floe_lc ? 1024 : 512;
    auto core = aac::LdAacEncoder::Open(settings);
    if (!core) return core.error();
    auto e = std::make_unique<Encoder>();
    e->ld_ = std::move(*core);
    return e;
  }
  const AVCodec* codec = avcodec_find_encoder_by_name(a.encoder.c_str());
  if (!codec) return Error{"EncoderMissing", 500, a.encoder + " is not available", ""};
  auto e = std::make_unique<Encoder>();
  e->ctx_.reset(avcodec_alloc_context3(codec));
  AVCodecContext* c = e->ctx_.get();
  c->sample_rate = a.sample_rate;
  av_channel_layout_default(&c->ch_layout, a.channels);
  c->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
  c->bit_rate = a.bitrate;
  c->time_base = {1, a.sample_rate};
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (a.aac_profile >= 0) c->profile = a.aac_profile;
  int rc = avcodec_open2(c, codec, nullptr);
  if (rc < 0) return EncoderError("cannot open " + a.encoder, rc);
  // FFmpeg's native AAC encoder overspends on speech and noise: Floe holds it on the target.
  if (a.encoder == "aac" && a.bitrate > 0) {
    e->rate_ = std::make_unique<aac::RateLoop>(
        a.bitrate, static_cast<double>(c->frame_size) / a.sample_rate, a.bitrate);
  }
  return e;
}

core::Result<void> Encoder::Encode(const AVFrame* frame,
                                   const std::function<void(AVPacket*)>& sink) {
  if (he_) return he_->Encode(frame, sink);
  if (ld_) return ld_->Encode(frame, sink);
  // FFmpeg 5.1's encoder reads its bit rate at every frame, within avcodec_send_frame (no packet
  // is pending here: they are all drained below). Muxers opened later read the nominal rate.
  if (rate_) ctx_->bit_rate = rate_->bit_rate();
  int rc = avcodec_send_frame(ctx_.get(), frame);
  if (rate_) ctx_->bit_rate = rate_->nominal_bps();
  if (rc < 0 && rc != AVERROR_EOF) return EncoderError("encode", rc);
  for (;;) {
    rc = avcodec_receive_packet(ctx_.get(), packet_.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return {};
    if (rc < 0) return EncoderError("encode", rc);
    if (rate_) rate_->Account(int64_t{packet_->size} * 8);
    sink(packet_.get());
    av_packet_unref(packet_.get());
  }
}

}  // namespace floe::media
