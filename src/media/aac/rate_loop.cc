#include "media/aac/rate_loop.h"

#include <algorithm>
#include <cmath>

namespace floe::media::aac {

namespace {
constexpr double kMinRateScale = 0.25;
constexpr double kMaxRateScale = 2.0;
constexpr double kCreditSeconds = 1.0;
// The debt stops growing here (seconds of the target's bits).
constexpr double kMostDebtSeconds = 6.0;
// The debt term: one halving (or doubling) per half second of bits over (or under) the target.
constexpr double kHalvingSeconds = 0.5;
// The integral term: a debt of half a second moves the base one halving in this many seconds.
constexpr double kIntegralSeconds = 2.0;
// The base stays where the rate scale does (no wind-up past its bounds).
constexpr double kLowestBase = -2.0;
constexpr double kHighestBase = 1.0;
// A frame under this share of the target is a silence: it does not raise the base.
constexpr double kSilentShare = 0.25;
}  // namespace

RateLoop::RateLoop(int64_t target_bps, double frame_seconds, int64_t nominal_bps)
    : target_(static_cast<double>(target_bps) * frame_seconds),
      second_(static_cast<double>(target_bps)),
      frame_seconds_(frame_seconds),
      nominal_(nominal_bps) {}

double RateLoop::rate_scale() const {
  const double halvings = base_ - debt_ / (kHalvingSeconds * second_);
  return std::clamp(std::exp2(halvings), kMinRateScale, kMaxRateScale);
}

int64_t RateLoop::bit_rate() const {
  return std::llround(rate_scale() * static_cast<double>(nominal_));
}

void RateLoop::Account(int64_t bits) {
  const double spent = static_cast<double>(bits);
  debt_ =
      std::clamp(debt_ + spent - target_, -kCreditSeconds * second_, kMostDebtSeconds * second_);
  const double step = -debt_ / (kHalvingSeconds * second_) * frame_seconds_ / kIntegralSeconds;
  if (step < 0 || spent >= kSilentShare * target_)
    base_ = std::clamp(base_ + step, kLowestBase, kHighestBase);
}

}  // namespace floe::media::aac
