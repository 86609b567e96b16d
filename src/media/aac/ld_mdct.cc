// LD windows and forward MDCT (see ld_mdct.h).
#include "media/aac/ld_mdct.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "media/aac/ics_writer.h"
#include "media/aac/ld_tables.h"

namespace floe::media::aac {

std::vector<float> LdWindow(int n, int window_shape) {
  std::vector<float> w(2 * n);
  if (window_shape == 0) {
    for (int i = 0; i < 2 * n; ++i)
      w[i] = static_cast<float>(std::sin(std::numbers::pi * (i + 0.5) / (2.0 * n)));
    return w;
  }
  // FFmpeg copies 3N/8 samples of each frame unwindowed and cross-fades N/4 in between with a
  // sine of N/4 (its ff_sine_128 at N = 512).
  const int zeros = 3 * n / 8, overlap = n / 4;
  for (int i = 0; i < n; ++i) {
    double v = 0;
    if (i >= zeros + overlap) {
      v = 1;
    } else if (i >= zeros) {
      v = std::sin(std::numbers::pi * (i - zeros + 0.5) / (2.0 * overlap));
    }
    w[i] = static_cast<float>(v);
    w[2 * n - 1 - i] = static_cast<float>(v);
  }
  return w;
}

double LdFullScaleEnergy(int n) {
  // The window's squares sum to N over 2N samples, a unit sine's mean square is 1/2, and the
  // unnormalised MDCT gains N/2 in energy: (N / 2) * (N / 2) * scale^2.
  return kLdMdctScale * kLdMdctScale * n * n / 4.0;
}

core::Result<LdMdct> LdMdct::Create(int frame_length) {
  if (frame_length != 512 && frame_length != 480 && frame_length != 1024)
    return core::Error::InvalidParameter(
        "frame_length", "Floe's AAC core frames are 512 or 480 (LD) or 1024 (LC) samples, not " +
                            std::to_string(frame_length));
  LdMdct m;
  m.n_ = frame_length;
  const float scale = static_cast<float>(kLdMdctScale);
  AVTXContext* tx = nullptr;
  if (int rc = av_tx_init(&tx, &m.fn_, AV_TX_FLOAT_MDCT, 0, frame_length, &scale, 0); rc < 0)
    return core::Error{"EncoderFailed", 500,
                       "av_tx MDCT of " + std::to_string(frame_length) + " failed to initialise",
                       "Check the linked libavutil."};
  m.tx_.reset(tx);
  m.windows_[0] = LdWindow(frame_length, 0);
  m.windows_[1] = LdWindow(frame_length, 1);
  if (frame_length == 1024) {
    // Short windows: a 256-sample MDCT with the same gain (FFmpeg's decoder divides its short
    // IMDCT by 32768 * 128 as it divides the long one by 32768 * 1024).
    tx = nullptr;
    if (int rc = av_tx_init(&tx, &m.short_fn_, AV_TX_FLOAT_MDCT, 0, kShortWindowLines, &scale, 0);
        rc < 0)
      return core::Error{"EncoderFailed", 500, "av_tx MDCT of 128 failed to initialise",
                         "Check the linked libavutil."};
    m.short_tx_.reset(tx);
    m.short_window_ = LdWindow(kShortWindowLines, 0);
    // LONG_START: the long sine's rise, 448 ones, the short sine's fall, 448 zeros; LONG_STOP
    // its mirror image.
    constexpr int kFlat = (1024 - kShortWindowLines) / 2;
    m.start_window_.assign(2 * frame_length, 0.0F);
    std::copy_n(m.windows_[0].begin(), frame_length, m.start_window_.begin());
    std::fill_n(m.start_window_.begin() + frame_length, kFlat, 1.0F);
    std::copy_n(m.short_window_.begin() + kShortWindowLines, kShortWindowLines,
                m.start_window_.begin() + frame_length + kFlat);
    m.stop_window_.assign(m.start_window_.rbegin(), m.start_window_.rend());
  }
  m.in_.reset(static_cast<float*>(av_malloc(sizeof(float) * 2 * frame_length)));
  m.out_.reset(static_cast<float*>(av_malloc(sizeof(float) * frame_length)));
  if (!m.in_ || !m.out_)
    return core::Error{"EncoderFailed", 500, "out of memory for the LD MDCT", "Retry later."};
  return m;
}

void LdMdct::ForwardLc(std::span<const float> block, int window_sequence,
                       std::span<float> spectrum) {
  if (window_sequence != kEightShort) {
    const std::vector<float>& w = window_sequence == kLongStart  ? start_window_
                                  : window_sequence == kLongStop ? stop_window_
                                                                 : windows_[0];
    for (int i = 0; i < 2 * n_; ++i) in_[i] = block[i] * w[i];
    fn_(tx_.get(), out_.get(), in_.get(), sizeof(float));
    std::copy(out_.get(), out_.get() + n_, spectrum.begin());
    return;
  }
  constexpr int kFirst = (1024 - kShortWindowLines) / 2;  // 448
  for (int w = 0; w < kShortWindows; ++w) {
    const float* x = block.data() + kFirst + w * kShortWindowLines;
    for (int i = 0; i < 2 * kShortWindowLines; ++i) in_[i] = x[i] * short_window_[i];
    short_fn_(short_tx_.get(), out_.get(), in_.get(), sizeof(float));
    std::copy(out_.get(), out_.get() + kShortWindowLines, spectrum.begin() + w * kShortWindowLines);
  }
}

void LdMdct::Forward(std::span<const float> block, int prev_shape, int shape,
                     std::span<float> spectrum) {
  const std::vector<float>& left = windows_[prev_shape == 0 ? 0 : 1];
  const std::vector<float>& right = windows_[shape == 0 ? 0 : 1];
  for (int i = 0; i < n_; ++i) in_[i] = block[i] * left[i];
  for (int i = n_; i < 2 * n_; ++i) in_[i] = block[i] * right[i];
  fn_(tx_.get(), out_.get(), in_.get(), sizeof(float));
  std::copy(out_.get(), out_.get() + n_, spectrum.begin());
}

}  // namespace floe::media::aac
