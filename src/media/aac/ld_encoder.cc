// Floe's AAC core frame loop: fifo -> (LC: attack detection, window sequence) -> MDCT ->
// psychoacoustic model -> mid/side -> rate loop -> (er_)raw_data_block.
#include "media/aac/ld_encoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

#include "media/aac/asc.h"
#include "media/aac/bit_writer.h"
#include "media/aac/face.h"
#include "media/aac/ms_stereo.h"

namespace floe::media::aac {
namespace {

constexpr int kWindowShape = 0;
constexpr float kMaxSample = 4.0F;

core::Error Failed(const std::string& what, int rc = 0) {
  return {"EncoderFailed", 500, "Floe's AAC core: " + what + (rc ? ": " + AvError(rc) : ""),
          "Check the template against this build."};
}

}  // namespace

core::Result<std::unique_ptr<LdAacEncoder>> LdAacEncoder::Open(const LdAacSettings& s) {
  if (s.channels != 1 && s.channels != 2)
    return core::Error::InvalidParameter(
        "AudioParams.Channels",
        "Floe's AAC core encodes 1 or 2 channels, not " + std::to_string(s.channels));
  // FFmpeg 5.1's imdct_and_windowing_ld is written for 512-sample frames only (measured: a
  // 480-sample stream decodes without a warning to noise, SNR below 0 dB at every lag).
  if (s.frame_length != 512 && s.frame_length != 1024)
    return core::Error::InvalidParameter(
        "frame_length", "Floe's AAC core encodes frames of 512 (LD) or 1024 (LC), not " +
                            std::to_string(s.frame_length));
  auto layout = LdLayoutFor(s.sample_rate, s.frame_length);
  if (!layout) return layout.error();
  auto asc = layout->lc() ? LcConfig(s.sample_rate, s.channels)
                          : LdConfig(s.sample_rate, s.channels, s.frame_length);
  if (!asc) return asc.error();
  auto mdct = LdMdct::Create(s.frame_length);
  if (!mdct) return mdct.error();
  if (s.bit_rate <= 0) return core::Error::InvalidParameter("AudioParams.Bitrate", "must be > 0");

  std::unique_ptr<LdAacEncoder> e(new LdAacEncoder());
  e->settings_ = s;
  e->layout_ = *layout;
  e->mdct_ = std::make_unique<LdMdct>(std::move(*mdct));
  e->psy_ = std::make_unique<LdPsy>(*layout, LdFullScaleEnergy(s.frame_length));
  e->quantizer_ = std::make_unique<LdQuantizer>(*layout, s.channels, s.bit_rate, s.cutoff_hz);
  e->quantizer_->set_max_frame_bits(s.max_frame_bits > 0 ? s.max_frame_bits
                                    : layout->lc()       ? 6144 * s.channels
                                                         : 0);
  e->lookahead_ = layout->lc() ? 1 : 0;
  e->blocks_.assign(s.channels, std::vector<float>((2 + e->lookahead_) * s.frame_length, 0.0F));
  if (layout->lc()) {
    e->short_psy_ = std::make_unique<LdPsy>(
        LdLayout{s.sample_rate, kShortWindowLines, layout->short_offset, {}},
        LdFullScaleEnergy(kShortWindowLines));
    e->detector_ = std::make_unique<TransientDetector>(s.channels);
  }
  e->spectra_.assign(s.channels, std::vector<float>(s.frame_length, 0.0F));
  e->allowed_.resize(s.channels);
  e->fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, s.channels, 2 * s.frame_length));
  if (!e->fifo_) return Failed("fifo", AVERROR(ENOMEM));

  e->face_ = NewFace({.sample_rate = s.sample_rate,
                      .channels = s.channels,
                      .frame_size = s.frame_length,
                      .profile = layout->lc() ? FF_PROFILE_AAC_LOW : FF_PROFILE_AAC_LD,
                      .bit_rate = s.bit_rate,
                      // the overlap: packet k decodes input frame k - 1 (the lookahead delays
                      // when a packet comes, not what it decodes to)
                      .initial_padding = s.frame_length},
                     *asc);
  if (!e->face_) return Failed("extradata", AVERROR(ENOMEM));
  return e;
}

core::Result<void> LdAacEncoder::Encode(const AVFrame* frame,
                                        const std::function<void(AVPacket*)>& sink) {
  const int n = settings_.frame_length;
  if (frame) {
    if (frame->format != AV_SAMPLE_FMT_FLTP || frame->ch_layout.nb_channels != settings_.channels)
      return Failed("input must be float planar with " + std::to_string(settings_.channels) +
                    " channels");
    if (first_pts_ == AV_NOPTS_VALUE) first_pts_ = frame->pts == AV_NOPTS_VALUE ? 0 : frame->pts;
    if (av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(frame->extended_data),
                            frame->nb_samples) < frame->nb_samples)
      return Failed("fifo", AVERROR(ENOMEM));
    while (av_audio_fifo_size(fifo_.get()) >= n) {
      if (auto ok = EncodeFrame(sink); !ok) return ok;
    }
    return core::Ok();
  }
  if (first_pts_ == AV_NOPTS_VALUE) return core::Ok();  // nothing was ever sent
  // Pad the tail to a frame; one more frame then carries the second half of its overlap (and LC
  // one more the lookahead).
  const int tail = av_audio_fifo_size(fifo_.get());
  const int frames = (tail > 0 ? 1 : 0) + (read_ > 0 || tail > 0 ? 1 + lookahead_ : 0);
  std::vector<float> zeros(n, 0.0F);
  std::vector<void*> planes(settings_.channels, zeros.data());
  for (int i = 0; i < frames; ++i) {
    const int pad = n - av_audio_fifo_size(fifo_.get());
    if (av_audio_fifo_write(fifo_.get(), planes.data(), pad) < pad)
      return Failed("fifo", AVERROR(ENOMEM));
    if (auto ok = EncodeFrame(sink); !ok) return ok;
  }
  // A later frame starts a new stream.
  first_pts_ = AV_NOPTS_VALUE;
  frames_ = read_ = 0;
  for (auto& block : blocks_) std::fill(block.begin(), block.end(), 0.0F);
  if (detector_) detector_->Reset();
  segments_ = {};
  window_sequence_ = kOnlyLong;
  return core::Ok();
}

core::Result<void> LdAacEncoder::EncodeFrame(const std::function<void(AVPacket*)>& sink) {
  const int n = settings_.frame_length;
  const int newest = (1 + lookahead_) * n;  // where the block read now goes
  std::vector<void*> planes(settings_.channels);
  for (int ch = 0; ch < settings_.channels; ++ch) {
    std::vector<float>& block = blocks_[ch];
    std::copy(block.begin() + n, block.end(), block.begin());
    planes[ch] = block.data() + newest;
  }
  av_audio_fifo_read(fifo_.get(), planes.data(), n);
  // A broken upstream frame must not reach the quantiser as NaN or infinity (undefined integer
  // conversions there); 12 dB above full scale is already far past clipping.
  for (auto& block : blocks_) {
    for (int i = newest; i < newest + n; ++i)
      block[i] = std::isfinite(block[i]) ? std::clamp(block[i], -kMaxSample, kMaxSample) : 0.0F;
  }
  ++read_;
  int window_sequence = kOnlyLong;
  std::vector<int> groups;
  if (lookahead_ > 0) {
    segments_[0] = segments_[1];
    segments_[1] = segments_[2];
    segments_[2] = detector_->Push(blocks_, newest, n);
    if (read_ <= lookahead_) return core::Ok();  // the first block is only looked ahead into
    // This frame's short windows take the second half of the previous block and the first of
    // this one; the next frame's the second half of this block and the first of the next.
    const auto any = [](const TransientDetector::Block& b, int from, int to) {
      return std::any_of(b.attack.begin() + from, b.attack.begin() + to, [](bool a) { return a; });
    };
    const int half = kSegmentsPerBlock / 2;
    const bool here = any(segments_[0], half, kSegmentsPerBlock) || any(segments_[1], 0, half);
    const bool next = any(segments_[1], half, kSegmentsPerBlock) || any(segments_[2], 0, half);
    if (settings_.block_switching)
      window_sequence = NextWindowSequence(window_sequence_, here, next);
    window_sequence_ = window_sequence;
    AnalyseLc(window_sequence, groups);
  } else {
    // The sine window (window_shape 0) separates tones far better than the low-overlap one
    // (measured on ld_encoder_test's tones: +5 to +8 dB SNR at the same rate) and left less
    // error before clicks too. Switching to the low-overlap window on attacks did not help: it
    // cannot shorten the frame before the attack without a frame of lookahead.
    for (int ch = 0; ch < settings_.channels; ++ch) {
      mdct_->Forward(blocks_[ch], kWindowShape, kWindowShape, spectra_[ch]);
      allowed_[ch] = psy_->AllowedDistortion(spectra_[ch]);
    }
  }
  // A pair's bands go mid/side where that codes cheaper (always with a common window: one
  // ics_info for both channels).
  const std::vector<uint16_t> offsets = GroupedBandOffsets(layout_, groups);
  const LdLayout bands{layout_.sample_rate, n, offsets, {}};
  std::vector<uint8_t> ms;
  if (settings_.channels == 2) ms = ChooseMidSide(bands, spectra_, allowed_);
  auto channels = quantizer_->Quantize(spectra_, allowed_, ms, window_sequence, groups);
  if (!channels) return channels.error();
  for (IcsChannel& ics : *channels) ics.window_shape = kWindowShape;
  BitWriter w;
  if (auto ok = WriteLdRawDataBlock(layout_, *channels, w, ms); !ok) return ok.error();
  const std::vector<uint8_t>& bytes = w.data();
  quantizer_->Commit(static_cast<int>(bytes.size() * 8));

  av_packet_unref(packet_.get());
  if (int rc = av_new_packet(packet_.get(), static_cast<int>(bytes.size())); rc < 0)
    return Failed("packet", rc);
  std::memcpy(packet_->data, bytes.data(), bytes.size());
  // Packet k decodes to input frame k - 1 (its second half overlaps the next packet's first).
  packet_->pts = packet_->dts = first_pts_ + (frames_ - 1) * n;
  packet_->duration = n;
  packet_->flags = AV_PKT_FLAG_KEY;
  ++frames_;
  sink(packet_.get());
  av_packet_unref(packet_.get());
  return core::Ok();
}

void LdAacEncoder::AnalyseLc(int window_sequence, std::vector<int>& groups) {
  if (window_sequence != kEightShort) {
    for (int ch = 0; ch < settings_.channels; ++ch) {
      mdct_->ForwardLc(blocks_[ch], window_sequence, spectra_[ch]);
      allowed_[ch] = psy_->AllowedDistortion(spectra_[ch]);
    }
    return;
  }
  // The windows' attacks: window w's new part is segment 4 + w of the previous block (w < 4),
  // then segment w - 4 of this one.
  std::array<bool, kSegmentsPerBlock> attack{};
  constexpr int kHalf = kSegmentsPerBlock / 2;
  for (int w = 0; w < kSegmentsPerBlock; ++w)
    attack[w] = w < kHalf ? segments_[0].attack[kHalf + w] : segments_[1].attack[w - kHalf];
  groups = ShortWindowGroups(attack);
  const std::vector<uint16_t> offsets = GroupedBandOffsets(layout_, groups);
  const int short_bands = layout_.num_short_swb();
  window_lines_.resize(static_cast<size_t>(settings_.frame_length));
  for (int ch = 0; ch < settings_.channels; ++ch) {
    mdct_->ForwardLc(blocks_[ch], kEightShort, window_lines_);
    // Each window's allowed noise; a group's band may carry its quietest window's per window.
    std::vector<std::vector<double>> window_allowed;
    for (int w = 0; w < kSegmentsPerBlock; ++w) {
      window_allowed.push_back(short_psy_->AllowedDistortion(
          std::span<const float>(window_lines_).subspan(w * kShortWindowLines, kShortWindowLines)));
    }
    std::vector<float>& out = spectra_[ch];
    std::vector<double>& allowed = allowed_[ch];
    allowed.assign(offsets.size() - 1, 0.0);
    int first = 0, at = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
      for (int b = 0; b < short_bands; ++b) {
        double least = window_allowed[first][b];
        for (int w = first; w < first + groups[g]; ++w) {
          least = std::min(least, window_allowed[w][b]);
          for (int k = layout_.short_offset[b]; k < layout_.short_offset[b + 1]; ++k)
            out[at++] = window_lines_[w * kShortWindowLines + k];
        }
        allowed[g * short_bands + b] = least * groups[g];
      }
      first += groups[g];
    }
  }
}

}  // namespace floe::media::aac
