// individual_channel_stream(): a sectioning that minimises the bits (dynamic programming over
// per-band code costs), scalefactor deltas and spectral data; the SCE/CPE framing of ER AAC
// LD's er_raw_data_block() (ISO/IEC 14496-3 4.4.2: no element ids, no END) or, for 1024-line
// layouts, of AAC LC's raw_data_block() (long, transition or grouped short windows); a CPE with
// a common window and mid/side flags.
#include "media/aac/ics_writer.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

#include "media/aac/aac_huffman.h"

namespace floe::media::aac {
namespace {

constexpr int kMaxLongBands = 64;  // max_sfb has 6 bits
constexpr int kMaxBands = 128;     // bands of a frame: 8 groups of at most 15 short bands
constexpr int kNumBooks = 12;      // 0 (ZERO_HCB) and spectral books 1..11
constexpr int kInf = 1 << 20;  // cost of a book that cannot code a band; never part of an optimum
constexpr int kMaxValue = 8191;
constexpr int kMaxSfDelta = 60;
// ics_info: ics_reserved_bit 1, window_sequence 2, window_shape 1, then for long windows
// max_sfb 6 and predictor_data_present 1, for short ones max_sfb 4 and scale_factor_grouping 7.
constexpr int kLongIcsInfoBits = 11;
constexpr int kShortIcsInfoBits = 15;
// global_gain 8, then pulse, tns and gain control flags 1 each.
constexpr int kFixedIcsBits = 8 + 3;

core::Error Invalid(const std::string& field, const std::string& why) {
  return core::Error::InvalidParameter("Ics." + field, why);
}

// The frame's bands as the bitstream orders them: `groups` groups of `bands` bands each.
struct Grid {
  int groups = 1;
  int bands = 0;  // per group
  std::vector<uint16_t> offset;
  int sect_len_bits = 5;  // long windows; 3 for short ones
  int ics_info_bits = kLongIcsInfoBits;
  int band_index(int g, int b) const { return g * bands + b; }
  int section_length_bits(int n) const {
    const int escape = (1 << sect_len_bits) - 1;
    return sect_len_bits * (n / escape + 1);
  }
};

core::Result<Grid> GridOf(const LdLayout& layout, const IcsChannel& ch) {
  Grid grid;
  if (ch.window_sequence < kOnlyLong || ch.window_sequence > kLongStop)
    return Invalid("WindowSequence",
                   "is " + std::to_string(ch.window_sequence) + "; allowed: 0..3");
  if (ch.window_sequence != kOnlyLong && !layout.lc())
    return Invalid("WindowSequence", "is " + std::to_string(ch.window_sequence) +
                                         "; AAC-LD frames are ONLY_LONG (0)");
  if (ch.window_sequence != kEightShort) {
    if (!ch.groups.empty()) return Invalid("Groups", "are for EIGHT_SHORT frames only");
    grid.bands = layout.num_swb();
    grid.offset.assign(layout.swb_offset.begin(), layout.swb_offset.end());
    return grid;
  }
  int windows = 0;
  for (int len : ch.groups) {
    if (len < 1) return Invalid("Groups", "hold a group of " + std::to_string(len) + " windows");
    windows += len;
  }
  if (windows != kShortWindows)
    return Invalid("Groups", "cover " + std::to_string(windows) + " windows; a frame has 8");
  grid.groups = static_cast<int>(ch.groups.size());
  grid.bands = layout.num_short_swb();
  grid.offset = GroupedBandOffsets(layout, ch.groups);
  grid.sect_len_bits = 3;
  grid.ics_info_bits = kShortIcsInfoBits;
  return grid;
}

struct Section {
  uint8_t book = 0;
  uint8_t start = 0, end = 0;  // bands of its group
  uint8_t group = 0;
};

// What the writer writes for one channel; CountIcsBits sums the same plan.
struct IcsPlan {
  Grid grid;
  int max_sfb = 0;      // coded bands of every group: trailing all-zero bands are dropped
  int global_gain = 0;  // the first non-zero band's scalefactor
  int num_sections = 0;
  std::array<Section, kMaxBands> sections{};
  std::array<bool, kMaxBands> band_zero{};  // by band_index
  int bits = 0;                             // of individual_channel_stream()
};

std::span<const int> BandLines(const Grid& grid, const IcsChannel& ch, int index) {
  const int start = grid.offset[index];
  const int end = grid.offset[index + 1];
  return std::span<const int>(ch.quant).subspan(static_cast<size_t>(start),
                                                static_cast<size_t>(end - start));
}

bool AllZero(std::span<const int> q) {
  return std::all_of(q.begin(), q.end(), [](int v) { return v == 0; });
}

core::Result<void> Validate(const LdLayout& layout, const Grid& grid, const IcsChannel& ch) {
  if (ch.window_shape != 0 && ch.window_shape != 1)
    return Invalid("WindowShape", "is " + std::to_string(ch.window_shape) + "; allowed: 0, 1");
  if (ch.max_sfb < 0 || ch.max_sfb > grid.bands)
    return Invalid("MaxSfb", "is " + std::to_string(ch.max_sfb) + "; allowed: 0.." +
                                 std::to_string(grid.bands));
  if (ch.quant.size() != static_cast<size_t>(layout.frame_length))
    return Invalid("Quant", "has " + std::to_string(ch.quant.size()) + " lines; the frame has " +
                                std::to_string(layout.frame_length));
  const size_t needed = ch.max_sfb == 0 ? 0 : grid.band_index(grid.groups - 1, ch.max_sfb);
  if (ch.scalefactors.size() < needed)
    return Invalid("Scalefactors", "has " + std::to_string(ch.scalefactors.size()) +
                                       " values for max_sfb " + std::to_string(ch.max_sfb) +
                                       "; needed: " + std::to_string(needed));
  for (size_t i = 0; i < ch.quant.size(); ++i) {
    if (std::abs(ch.quant[i]) > kMaxValue)
      return Invalid("Quant", "line " + std::to_string(i) + " is " + std::to_string(ch.quant[i]) +
                                  "; allowed: -8191..8191");
  }
  int last = -1;
  for (int g = 0; g < grid.groups; ++g) {
    for (int band = 0; band < grid.bands; ++band) {
      const int index = grid.band_index(g, band);
      const auto q = BandLines(grid, ch, index);
      if (AllZero(q)) continue;
      if (band >= ch.max_sfb)
        return Invalid("Quant", "line " + std::to_string(grid.offset[index]) +
                                    " is not 0 above max_sfb " + std::to_string(ch.max_sfb) +
                                    " (group " + std::to_string(g) + ")");
      const int sf = ch.scalefactors[index];
      if (sf < 0 || sf > 255)
        return Invalid("Scalefactors", "band " + std::to_string(index) + " is " +
                                           std::to_string(sf) + "; allowed: 0..255");
      if (last >= 0 && std::abs(sf - last) > kMaxSfDelta)
        return Invalid("Scalefactors", "band " + std::to_string(index) + " differs by " +
                                           std::to_string(sf - last) +
                                           " from the previous coded band; allowed: -60..60");
      last = sf;
    }
  }
  return core::Ok();
}

// cost[b]: bits of the band's lines with book b. An all-zero band costs nothing with book 0 and,
// inside a section of another book, its lines plus a 1-bit scalefactor delta of 0.
void BandCosts(std::span<const int> q, std::array<int, kNumBooks>& cost) {
  int peak = 0;
  for (int v : q) peak = std::max(peak, std::abs(v));
  cost[0] = peak == 0 ? 0 : kInf;
  for (int b = 1; b < kNumBooks; ++b) {
    if (peak > Book(b).lav && b != 11) {
      cost[b] = kInf;
      continue;
    }
    cost[b] = SpectralBits(b, q) + (peak == 0 ? 1 : 0);
  }
}

// Sections of group g's bands 0..n-1 with the fewest bits (dynamic programming over per-band
// code costs): appended to plan.sections; returns their bits (books, lengths and lines).
int PlanGroupSections(const IcsChannel& ch, int g, int n, IcsPlan& plan) {
  const Grid& grid = plan.grid;
  // prefix[i][b]: bits of bands 0..i-1 with book b.
  std::array<std::array<int, kNumBooks>, kMaxLongBands + 1> prefix{};
  std::array<int, kNumBooks> cost{};
  for (int band = 0; band < n; ++band) {
    BandCosts(BandLines(grid, ch, grid.band_index(g, band)), cost);
    for (int b = 0; b < kNumBooks; ++b) prefix[band + 1][b] = prefix[band][b] + cost[b];
  }
  // best[i]: fewest bits for bands 0..i-1 as whole sections; the last one starts at from[i].
  // A section of book b ends where a band b cannot code begins.
  std::array<int, kMaxLongBands + 1> best{};
  std::array<uint8_t, kMaxLongBands + 1> from{}, book{};
  for (int i = 1; i <= n; ++i) {
    best[i] = kInf * kMaxLongBands;
    for (int b = 0; b < kNumBooks; ++b) {
      for (int j = i - 1; j >= 0 && prefix[j + 1][b] - prefix[j][b] < kInf; --j) {
        const int total =
            best[j] + 4 + grid.section_length_bits(i - j) + prefix[i][b] - prefix[j][b];
        if (total < best[i]) {
          best[i] = total;
          from[i] = static_cast<uint8_t>(j);
          book[i] = static_cast<uint8_t>(b);
        }
      }
    }
  }
  int count = 0;
  for (int i = n; i > 0; i = from[i]) ++count;
  int s = plan.num_sections + count;
  for (int i = n; i > 0; i = from[i]) {
    plan.sections[--s] = {book[i], from[i], static_cast<uint8_t>(i), static_cast<uint8_t>(g)};
  }
  plan.num_sections += count;
  return best[n];
}

// shared_sfb >= 0: the max_sfb of a common window (the larger of the two channels'); the bands
// above this channel's own last coded one are then a ZERO_HCB section.
core::Result<IcsPlan> Plan(const LdLayout& layout, const IcsChannel& ch, int shared_sfb = -1) {
  IcsPlan plan;
  auto grid = GridOf(layout, ch);
  if (!grid) return grid.error();
  plan.grid = std::move(*grid);
  if (auto ok = Validate(layout, plan.grid, ch); !ok) return ok.error();
  const Grid& gr = plan.grid;
  for (int g = 0; g < gr.groups; ++g) {
    for (int band = 0; band < ch.max_sfb; ++band) {
      const int index = gr.band_index(g, band);
      plan.band_zero[index] = AllZero(BandLines(gr, ch, index));
      if (!plan.band_zero[index]) plan.max_sfb = std::max(plan.max_sfb, band + 1);
    }
  }
  if (shared_sfb >= 0) {
    for (int g = 0; g < gr.groups; ++g) {
      for (int band = plan.max_sfb; band < shared_sfb; ++band)
        plan.band_zero[gr.band_index(g, band)] = true;
    }
    plan.max_sfb = shared_sfb;
  }
  int section_bits = 0;
  for (int g = 0; g < gr.groups; ++g) section_bits += PlanGroupSections(ch, g, plan.max_sfb, plan);

  // Scalefactor deltas of the non-zero bands (zero bands in coded sections are priced above).
  int sf_bits = 0;
  int last = -1;
  for (int g = 0; g < gr.groups; ++g) {
    for (int band = 0; band < plan.max_sfb; ++band) {
      const int index = gr.band_index(g, band);
      if (plan.band_zero[index]) continue;
      const int sf = ch.scalefactors[index];
      if (last < 0) plan.global_gain = last = sf;
      sf_bits += ScalefactorCode(sf - last).length;
      last = sf;
    }
  }
  // With a common window the element carries ics_info once (ElementPlan counts it).
  plan.bits = kFixedIcsBits + (shared_sfb >= 0 ? 0 : gr.ics_info_bits) + section_bits + sf_bits;
  return plan;
}

void WriteIcsInfo(const IcsChannel& ch, int max_sfb, BitWriter& out) {
  out.Put(0, 1);  // ics_reserved_bit
  out.Put(static_cast<uint32_t>(ch.window_sequence), 2);
  out.Put(static_cast<uint32_t>(ch.window_shape), 1);
  if (ch.window_sequence == kEightShort) {
    out.Put(static_cast<uint32_t>(max_sfb), 4);
    // scale_factor_grouping: bit 6 - (w - 1) is 1 when window w joins window w - 1's group.
    uint32_t grouping = 0;
    int w = 0;
    for (int len : ch.groups) {
      for (int i = 0; i < len; ++i, ++w) {
        if (w > 0) grouping = (grouping << 1) | (i > 0 ? 1U : 0U);
      }
    }
    out.Put(grouping, 7);
    return;
  }
  out.Put(static_cast<uint32_t>(max_sfb), 6);
  out.Put(0, 1);  // predictor_data_present: no LTP
}

// individual_channel_stream(common_window): ics_info only without a common window.
void WriteIcs(const IcsChannel& ch, const IcsPlan& plan, bool common_window, BitWriter& out) {
  const Grid& grid = plan.grid;
  out.Put(static_cast<uint32_t>(plan.global_gain), 8);
  if (!common_window) WriteIcsInfo(ch, plan.max_sfb, out);

  const int escape = (1 << grid.sect_len_bits) - 1;
  for (int s = 0; s < plan.num_sections; ++s) {
    const Section& sec = plan.sections[s];
    out.Put(sec.book, 4);
    int len = sec.end - sec.start;
    for (; len >= escape; len -= escape) out.Put(static_cast<uint32_t>(escape), grid.sect_len_bits);
    out.Put(static_cast<uint32_t>(len), grid.sect_len_bits);
  }

  // Scalefactors: a zero band inside a coded section repeats the previous value (delta 0).
  int last = plan.global_gain;
  for (int s = 0; s < plan.num_sections; ++s) {
    const Section& sec = plan.sections[s];
    if (sec.book == 0) continue;
    for (int band = sec.start; band < sec.end; ++band) {
      const int index = grid.band_index(sec.group, band);
      const int sf = plan.band_zero[index] ? last : ch.scalefactors[index];
      const HuffCode& c = ScalefactorCode(sf - last);
      out.Put(c.code, c.length);
      last = sf;
    }
  }

  out.Put(0, 3);  // pulse_data_present, tns_data_present, gain_control_data_present

  for (int s = 0; s < plan.num_sections; ++s) {
    const Section& sec = plan.sections[s];
    if (sec.book == 0) continue;
    for (int band = sec.start; band < sec.end; ++band)
      WriteSpectral(sec.book, BandLines(grid, ch, grid.band_index(sec.group, band)), out);
  }
}

}  // namespace

core::Result<int> CountIcsBits(const LdLayout& layout, const IcsChannel& ch) {
  auto plan = Plan(layout, ch);
  if (!plan) return plan.error();
  return plan->bits;
}

int BandBits(std::span<const int> q) {
  int peak = 0;
  for (int v : q) peak = std::max(peak, std::abs(v));
  if (peak == 0) return 0;
  int fewest = -1;
  for (int b = 1; b < kNumBooks; ++b) {
    if (peak > Book(b).lav && b != 11) continue;
    const int bits = SpectralBits(b, q);
    if (bits >= 0 && (fewest < 0 || bits < fewest)) fewest = bits;
  }
  return fewest;
}

namespace {

// The element of the raw data block: what CountElementBits counts and WriteLdRawDataBlock writes.
struct ElementPlan {
  std::array<IcsPlan, 2> ics;
  bool common_window = false;
  bool any_ms = false;  // ms_mask_present 1 (a bit per band) rather than 0
  int bits = 0;         // before the byte alignment
};

core::Result<ElementPlan> PlanElement(const LdLayout& layout, std::span<const IcsChannel> channels,
                                      std::span<const uint8_t> ms) {
  if (channels.size() != 1 && channels.size() != 2)
    return Invalid("Channels", "is " + std::to_string(channels.size()) + "; allowed: 1, 2");
  ElementPlan e;
  e.common_window = channels.size() == 2 && !ms.empty();
  if (!ms.empty() && channels.size() != 2)
    return Invalid("MidSide", "needs two channels, not " + std::to_string(channels.size()));
  if (e.common_window && (channels[0].window_shape != channels[1].window_shape ||
                          channels[0].window_sequence != channels[1].window_sequence ||
                          channels[0].groups != channels[1].groups))
    return Invalid("WindowShape",
                   "window shape, sequence or grouping differs between the channels of a common "
                   "window");
  // Every channel is planned first so that nothing is written when one of them is refused.
  int shared_sfb = -1;
  for (size_t c = 0; c < channels.size(); ++c) {
    auto plan = Plan(layout, channels[c]);
    if (!plan) return plan.error();
    e.ics[c] = *plan;
    shared_sfb = std::max(shared_sfb, plan->max_sfb);
  }
  e.bits = 4 + (channels.size() == 2 ? 1 : 0);  // element_instance_tag, common_window
  if (layout.lc()) e.bits += 3 + 3;             // AAC LC: id_syn_ele, then ID_END
  if (e.common_window) {
    const Grid& grid = e.ics[0].grid;
    if (ms.size() < grid.offset.size() - 1)
      return Invalid("MidSide", "has " + std::to_string(ms.size()) + " bands; the frame has " +
                                    std::to_string(grid.offset.size() - 1));
    for (int g = 0; g < grid.groups; ++g) {
      for (int b = 0; b < shared_sfb; ++b) e.any_ms = e.any_ms || ms[grid.band_index(g, b)] != 0;
    }
    // ics_info, ms_mask_present, ms_used
    e.bits += grid.ics_info_bits + 2 + (e.any_ms ? grid.groups * shared_sfb : 0);
    for (size_t c = 0; c < 2; ++c) {
      auto plan = Plan(layout, channels[c], shared_sfb);
      if (!plan) return plan.error();
      e.ics[c] = *plan;
    }
  }
  for (size_t c = 0; c < channels.size(); ++c) e.bits += e.ics[c].bits;
  return e;
}

}  // namespace

core::Result<int> CountElementBits(const LdLayout& layout, std::span<const IcsChannel> channels,
                                   std::span<const uint8_t> ms) {
  auto e = PlanElement(layout, channels, ms);
  if (!e) return e.error();
  return e->bits;
}

core::Result<void> WriteLdRawDataBlock(const LdLayout& layout, std::span<const IcsChannel> channels,
                                       BitWriter& out, std::span<const uint8_t> ms) {
  auto e = PlanElement(layout, channels, ms);
  if (!e) return e.error();
  const bool lc = layout.lc();
  if (lc) out.Put(channels.size() == 2 ? 1 : 0, 3);                // ID_SCE or ID_CPE
  out.Put(0, 4);                                                   // element_instance_tag
  if (channels.size() == 2) out.Put(e->common_window ? 1 : 0, 1);  // common_window
  if (e->common_window) {
    const int max_sfb = e->ics[0].max_sfb;
    const Grid& grid = e->ics[0].grid;
    WriteIcsInfo(channels[0], max_sfb, out);
    out.Put(e->any_ms ? 1 : 0, 2);  // ms_mask_present: 0 none, 1 a bit per band
    if (e->any_ms) {
      for (int g = 0; g < grid.groups; ++g) {
        for (int b = 0; b < max_sfb; ++b) out.Put(ms[grid.band_index(g, b)] ? 1 : 0, 1);
      }
    }
  }
  for (size_t c = 0; c < channels.size(); ++c)
    WriteIcs(channels[c], e->ics[c], e->common_window, out);
  if (lc) out.Put(7, 3);  // ID_END
  out.AlignZero();
  return core::Ok();
}

}  // namespace floe::media::aac
