#include "media/aac/face.h"

#include <cstring>

namespace floe::media::aac {

CodecContextPtr NewFace(const FaceParams& p, const std::vector<uint8_t>& asc) {
  CodecContextPtr face(avcodec_alloc_context3(nullptr));
  AVCodecContext* f = face.get();
  if (!f) return nullptr;
  f->codec_type = AVMEDIA_TYPE_AUDIO;
  f->codec_id = AV_CODEC_ID_AAC;
  f->sample_fmt = AV_SAMPLE_FMT_FLTP;
  f->sample_rate = p.sample_rate;
  av_channel_layout_default(&f->ch_layout, p.channels);
  f->frame_size = p.frame_size;
  f->profile = p.profile;
  f->bit_rate = p.bit_rate;
  f->time_base = {1, p.sample_rate};
  f->initial_padding = p.initial_padding;
  f->extradata = static_cast<uint8_t*>(av_mallocz(asc.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!f->extradata) return nullptr;
  std::memcpy(f->extradata, asc.data(), asc.size());
  f->extradata_size = static_cast<int>(asc.size());
  return face;
}

}  // namespace floe::media::aac
