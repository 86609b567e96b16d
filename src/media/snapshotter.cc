#include "media/snapshotter.h"

#include <filesystem>
#include <fstream>

namespace floe::media {

using core::Error;
using core::Result;
namespace fs = std::filesystem;

namespace {

Error SnapshotFailed(const std::string& why) {
  return Error{"SnapshotFailed", 500, why, ""};
}

}  // namespace

Snapshotter::Snapshotter(SnapshotConfig config) : config_(std::move(config)) {}
Snapshotter::~Snapshotter() = default;

Result<void> Snapshotter::Push(const AVFrame* picture, int64_t t_us, int64_t now_ms) {
  if (shots_ > 0 && t_us - last_us_ < int64_t{config_.interval_s} * 1'000'000) return {};
  auto jpeg = Encode(picture);
  if (!jpeg) return jpeg.error();
  sequence_ = shots_ == 0 ? config_.first_sequence : sequence_ + 1;
  ++shots_;
  last_us_ = t_us;
  auto shoot = [&](const std::string& object, bool overwrite) -> Result<void> {
    auto size = Write(object, *jpeg);
    if (!size) return size.error();
    if (config_.on_shot) {
      config_.on_shot(SnapshotShot{object, overwrite, sequence_, now_ms, *size, picture->width,
                                   picture->height});
    }
    return {};
  };
  if (config_.sequence_object) {
    if (auto r = shoot(config_.sequence_object(sequence_, now_ms), false); !r) return r;
  }
  if (config_.overwrite_object) {
    if (auto r = shoot(config_.overwrite_object(), true); !r) return r;
  }
  return {};
}

Result<std::string> Snapshotter::Encode(const AVFrame* picture) {
  const int w = picture->width, h = picture->height;
  if (w <= 0 || h <= 0) return SnapshotFailed("a picture without a size");
  // The encoder follows the input's size: opened again when it changes.
  if (!enc_ || enc_->width != w || enc_->height != h) {
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec) return SnapshotFailed("this FFmpeg has no mjpeg encoder");
    CodecContextPtr c(avcodec_alloc_context3(codec));
    c->width = w;
    c->height = h;
    c->pix_fmt = AV_PIX_FMT_YUVJ420P;
    c->time_base = AVRational{1, 25};
    c->flags |= AV_CODEC_FLAG_QSCALE;
    c->global_quality = FF_QP2LAMBDA * config_.qscale;
    if (int rc = avcodec_open2(c.get(), codec, nullptr); rc < 0) {
      return SnapshotFailed("cannot open the JPEG encoder: " + AvError(rc));
    }
    enc_ = std::move(c);
    yuvj_ = NewFrame();
    yuvj_->format = AV_PIX_FMT_YUVJ420P;
    yuvj_->width = w;
    yuvj_->height = h;
    if (av_frame_get_buffer(yuvj_.get(), 0) < 0) return SnapshotFailed("out of memory");
  }
  sws_.reset(sws_getCachedContext(sws_.release(), w, h, static_cast<AVPixelFormat>(picture->format),
                                  w, h, AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, nullptr, nullptr,
                                  nullptr));
  if (!sws_) return SnapshotFailed("cannot convert the picture for JPEG");
  if (av_frame_make_writable(yuvj_.get()) < 0) return SnapshotFailed("out of memory");
  sws_scale(sws_.get(), picture->data, picture->linesize, 0, h, yuvj_->data, yuvj_->linesize);
  yuvj_->pts = sequence_;
  yuvj_->quality = enc_->global_quality;
  if (int rc = avcodec_send_frame(enc_.get(), yuvj_.get()); rc < 0) {
    return SnapshotFailed("cannot encode the picture: " + AvError(rc));
  }
  int rc = avcodec_receive_packet(enc_.get(), packet_.get());
  if (rc < 0) return SnapshotFailed("the JPEG encoder gave nothing: " + AvError(rc));
  std::string jpeg(reinterpret_cast<const char*>(packet_->data), packet_->size);
  av_packet_unref(packet_.get());
  return jpeg;
}

Result<int64_t> Snapshotter::Write(const std::string& object, const std::string& jpeg) {
  const fs::path path = fs::path(config_.dir) / object;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(jpeg.data(), static_cast<std::streamsize>(jpeg.size()));
    if (!out.flush()) return SnapshotFailed("cannot write " + object);
  }
  fs::rename(tmp, path, ec);
  if (ec) return SnapshotFailed("cannot name " + object + ": " + ec.message());
  return static_cast<int64_t>(jpeg.size());
}

}  // namespace floe::media
