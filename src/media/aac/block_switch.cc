// Attack detection, window sequence and grouping (see block_switch.h).
#include "media/aac/block_switch.h"

#include <algorithm>

#include "media/aac/ics_writer.h"

namespace floe::media::aac {
namespace {

constexpr int kSegment = 128;
// The smoothed mean follows each segment by a quarter: an attack lifts it at once, so its own
// decay does not count as another.
constexpr double kMeanFollow = 0.25;

}  // namespace

TransientDetector::TransientDetector(int channels) : last_(static_cast<size_t>(channels), 0.0F) {}

void TransientDetector::Reset() {
  std::fill(last_.begin(), last_.end(), 0.0F);
  mean_ = 0;
}

TransientDetector::Block TransientDetector::Push(std::span<const std::vector<float>> channels,
                                                 int offset, int count) {
  Block out;
  const int segments = std::min(kSegmentsPerBlock, count / kSegment);
  for (size_t ch = 0; ch < channels.size() && ch < last_.size(); ++ch) {
    const float* x = channels[ch].data() + offset;
    float prev = last_[ch];
    for (int s = 0; s < segments; ++s) {
      double e = 0;
      for (int i = s * kSegment; i < (s + 1) * kSegment; ++i) {
        const double y = static_cast<double>(x[i]) - prev;  // first difference: a high-pass
        e += y * y;
        prev = x[i];
      }
      out.energy[s] += e;
    }
    last_[ch] = prev;
  }
  for (int s = 0; s < segments; ++s) {
    const double e = out.energy[s];
    out.attack[s] = e > kAttackRatio * mean_ && e > kAttackFloor * kSegment;
    mean_ += kMeanFollow * (e - mean_);
    if (out.attack[s]) mean_ = e;
  }
  return out;
}

int NextWindowSequence(int previous, bool attack_here, bool attack_next) {
  switch (previous) {
    case kLongStart:
      return kEightShort;
    case kEightShort:
      return attack_here || attack_next ? kEightShort : kLongStop;
    default:
      return attack_next ? kLongStart : kOnlyLong;
  }
}

std::vector<int> ShortWindowGroups(std::span<const bool, kSegmentsPerBlock> attack) {
  std::vector<int> groups{1};
  for (int w = 1; w < kSegmentsPerBlock; ++w) {
    if (attack[w]) {
      groups.push_back(1);
    } else {
      ++groups.back();
    }
  }
  return groups;
}

}  // namespace floe::media::aac
