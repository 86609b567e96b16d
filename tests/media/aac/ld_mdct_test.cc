// LdMdct: its windows are the ones FFmpeg's LD synthesis overlaps with, and analysis followed by a
// synthesis built as the decoder's (av_tx inverse MDCT scaled 1/(32768 N), window, overlap-add)
// gives the input back one frame late (TDAC).
#include "media/aac/ld_mdct.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace floe::media::aac {
namespace {

TEST(LdMdctTest, WindowsArePowerComplementaryAndSymmetric) {
  for (int n : {512, 480, 1024}) {
    for (int shape : {0, 1}) {
      std::vector<float> w = LdWindow(n, shape);
      ASSERT_EQ(w.size(), 2u * n);
      for (int i = 0; i < n; ++i) {
        EXPECT_NEAR(w[i] * w[i] + w[i + n] * w[i + n], 1.0, 1e-6) << n << " " << shape << " " << i;
        EXPECT_FLOAT_EQ(w[i], w[2 * n - 1 - i]);
      }
    }
    // The low-overlap window: 3N/8 zeros, an N/4 rise, 3N/8 ones (FFmpeg: 192/128/192 at 512).
    std::vector<float> ld = LdWindow(n, 1);
    EXPECT_EQ(ld[3 * n / 8 - 1], 0.0F);
    EXPECT_GT(ld[3 * n / 8], 0.0F);
    EXPECT_LT(ld[3 * n / 8 + n / 4 - 1], 1.0F);
    EXPECT_EQ(ld[3 * n / 8 + n / 4], 1.0F);
  }
}

// The decoder's synthesis of one channel: inverse MDCT of each frame's lines, windowed, overlapped
// with the previous frame's second half, both sides of the overlap with the previous frame's
// window (FFmpeg: use_kb_window[1]). av_tx's inverse runs opposite in sign to its forward
// transform, hence the negative scale.
class Synthesis {
 public:
  explicit Synthesis(int n)
      : n_(n),
        windows_{LdWindow(n, 0), LdWindow(n, 1)},
        saved_(n),
        full_(static_cast<float*>(av_malloc(sizeof(float) * 2 * n))),
        in_(static_cast<float*>(av_malloc(sizeof(float) * n))) {
    const float scale = static_cast<float>(-1.0 / (32768.0 * n));
    EXPECT_EQ(av_tx_init(&tx_, &fn_, AV_TX_FLOAT_MDCT, 1, n, &scale, AV_TX_FULL_IMDCT), 0);
  }
  ~Synthesis() {
    av_tx_uninit(&tx_);
    av_free(full_);
    av_free(in_);
  }
  Synthesis(const Synthesis&) = delete;
  Synthesis& operator=(const Synthesis&) = delete;
  void Frame(const std::vector<float>& spectrum, int prev_shape, int shape,
             std::vector<float>& out) {
    std::copy(spectrum.begin(), spectrum.end(), in_);  // av_tx wants av_malloc's alignment
    fn_(tx_, full_, in_, sizeof(float));
    for (int i = 0; i < n_; ++i) out.push_back(saved_[i] + full_[i] * windows_[prev_shape][i]);
    for (int i = 0; i < n_; ++i) saved_[i] = full_[n_ + i] * windows_[shape][n_ + i];
  }

 private:
  int n_;
  std::vector<float> windows_[2], saved_;
  float* full_;
  float* in_;
  AVTXContext* tx_ = nullptr;
  av_tx_fn fn_ = nullptr;
};

TEST(LdMdctTest, AnalysisThenDecoderSynthesisReconstructsTheInputOneFrameLate) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uni(-0.5F, 0.5F);
  const std::vector<std::vector<int>> sequences = {
      std::vector<int>(12, 0), std::vector<int>(12, 1), {0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0}};
  for (int n : {512, 480, 1024}) {
    for (const auto& shapes : sequences) {
      auto mdct = LdMdct::Create(n);
      ASSERT_TRUE(mdct.ok());
      const int frames = static_cast<int>(shapes.size());
      std::vector<float> in((frames + 1) * n, 0.0F);  // one frame of history before the input
      for (int i = n; i < (frames + 1) * n; ++i) in[i] = uni(rng);
      Synthesis syn(n);
      std::vector<float> spectrum(n), out;
      for (int f = 0; f < frames; ++f) {
        const int prev = f > 0 ? shapes[f - 1] : 0;
        mdct->Forward({in.data() + f * n, static_cast<size_t>(2 * n)}, prev, shapes[f], spectrum);
        syn.Frame(spectrum, prev, shapes[f], out);
      }
      // Output frame f is input frame f - 1: out[i] = in[n + i - n] (the history frame is zero).
      double err = 0;
      for (int i = n; i < frames * n; ++i)
        err = std::max(err, static_cast<double>(std::fabs(out[i] - in[i])));
      EXPECT_LT(err, 1e-4) << "N " << n << " shapes from " << shapes[0] << shapes[2];
    }
  }
}

TEST(LdMdctTest, FullScaleSineEnergyMatchesTheModelsReference) {
  const int n = 512;
  auto mdct = LdMdct::Create(n);
  ASSERT_TRUE(mdct.ok());
  double sum = 0;
  const int frames = 40;
  std::vector<float> x((frames + 1) * n), spectrum(n);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(std::sin(2 * std::numbers::pi * 1000.7 * i / 44100));
  for (int f = 0; f < frames; ++f) {
    mdct->Forward({x.data() + f * n, static_cast<size_t>(2 * n)}, 1, 1, spectrum);
    for (float v : spectrum) sum += static_cast<double>(v) * v;
  }
  const double db = 10 * std::log10(sum / frames / LdFullScaleEnergy(n));
  EXPECT_NEAR(db, 0.0, 0.5);
}

TEST(LdMdctTest, RefusesOtherFrameLengths) {
  EXPECT_FALSE(LdMdct::Create(2048).ok());
  EXPECT_FALSE(LdMdct::Create(0).ok());
}

}  // namespace
}  // namespace floe::media::aac
