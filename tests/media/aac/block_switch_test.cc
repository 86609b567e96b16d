// Block switching's parts: the attack detector on a steady tone, a burst after quiet and a
// burst inside loud noise; the window sequences a run of attacks produces (only the standard's
// transitions); and the window groups of a short frame.
#include "media/aac/block_switch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "media/aac/ics_writer.h"

namespace floe::media::aac {
namespace {

using Planar = std::vector<std::vector<float>>;

// Attack flags of every 128-sample segment of `x`, pushed a block of 1024 at a time.
std::vector<bool> Attacks(const Planar& x) {
  TransientDetector d(static_cast<int>(x.size()));
  std::vector<bool> out;
  for (size_t at = 0; at + 1024 <= x[0].size(); at += 1024) {
    const TransientDetector::Block b = d.Push(x, static_cast<int>(at), 1024);
    out.insert(out.end(), b.attack.begin(), b.attack.end());
  }
  return out;
}

TEST(BlockSwitchTest, ASteadyToneHasNoAttackAfterItsOnset) {
  Planar x(2, std::vector<float>(24 * 1024));
  for (int i = 0; i < static_cast<int>(x[0].size()); ++i)
    x[0][i] = x[1][i] =
        0.5F * static_cast<float>(std::sin(2 * std::numbers::pi * 1000 * i / 24000));
  const std::vector<bool> a = Attacks(x);
  EXPECT_TRUE(a[0]);  // the tone starts out of silence
  for (size_t s = 1; s < a.size(); ++s) EXPECT_FALSE(a[s]) << "segment " << s;
}

TEST(BlockSwitchTest, ABurstIsAnAttackInItsSegmentAndOnlyThere) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> uni(-1.0F, 1.0F);
  // Quiet noise (-50 dB) everywhere, a loud burst from sample 5000 (segment 39) on.
  Planar x(1, std::vector<float>(8 * 1024));
  for (float& v : x[0]) v = 0.003F * uni(rng);
  for (int i = 5000; i < 5600; ++i) x[0][i] = 0.5F * uni(rng);
  const std::vector<bool> a = Attacks(x);
  for (size_t s = 1; s < a.size(); ++s) EXPECT_EQ(a[s], s == 5000 / 128) << "segment " << s;
  // The same burst inside noise as loud as itself is no attack.
  for (float& v : x[0]) v = 0.5F * uni(rng);
  const std::vector<bool> loud = Attacks(x);
  for (size_t s = 1; s < loud.size(); ++s) EXPECT_FALSE(loud[s]) << "segment " << s;
}

TEST(BlockSwitchTest, SilenceAndNearSilenceAreNoAttack) {
  Planar x(1, std::vector<float>(4 * 1024, 0.0F));
  x[0][2000] = 1e-5F;  // a click 100 dB down
  for (bool a : Attacks(x)) EXPECT_FALSE(a);
}

TEST(BlockSwitchTest, SequencesTakeOnlyTheStandardsTransitions) {
  // attack_here and attack_next per frame, as the encoder passes them.
  const bool attacks[] = {false, false, true, false, false, true, true, true, false, false};
  int previous = kOnlyLong;
  std::vector<int> got;
  for (size_t f = 0; f < std::size(attacks); ++f) {
    const bool next = f + 1 < std::size(attacks) && attacks[f + 1];
    previous = NextWindowSequence(previous, attacks[f], next);
    got.push_back(previous);
  }
  const std::vector<int> want = {kOnlyLong,   kLongStart,  kEightShort, kLongStop, kLongStart,
                                 kEightShort, kEightShort, kEightShort, kLongStop, kOnlyLong};
  EXPECT_EQ(got, want);
  // A frame after EIGHT_SHORT with an attack only in the next frame stays short (a LONG_START
  // cannot follow a short window).
  EXPECT_EQ(NextWindowSequence(kEightShort, false, true), kEightShort);
  EXPECT_EQ(NextWindowSequence(kLongStop, false, true), kLongStart);
  EXPECT_EQ(NextWindowSequence(kLongStart, false, false), kEightShort);
}

TEST(BlockSwitchTest, GroupsStartAtAttacks) {
  const auto groups = [](std::initializer_list<int> at) {
    std::array<bool, kSegmentsPerBlock> a{};
    for (int w : at) a[w] = true;
    return ShortWindowGroups(a);
  };
  EXPECT_EQ(groups({}), std::vector<int>({8}));
  EXPECT_EQ(groups({0}), std::vector<int>({8}));
  EXPECT_EQ(groups({3}), std::vector<int>({3, 5}));
  EXPECT_EQ(groups({2, 6}), std::vector<int>({2, 4, 2}));
  EXPECT_EQ(groups({1, 2, 3, 4, 5, 6, 7}), std::vector<int>(8, 1));
}

}  // namespace
}  // namespace floe::media::aac
