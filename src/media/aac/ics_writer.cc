// individual_channel_stream(): a sectioning that minimises the bits (dynamic programming over
// per-band code costs), scalefactor deltas and spectral data; the SCE/CPE framing of ER AAC
// LD's er_raw_data_block() (ISO/IEC 14496-3 4.4.2: no element ids, no END) or, for 1024-line
// layouts, of AAC LC's raw_data_block(); a CPE with a common window and mid/side flags.
#include "media/aac/ics_writer.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

#include "media/aac/aac_huffman.h"

namespace floe::media::aac {
namespace {

constexpr int kMaxBands = 64;    // max_sfb has 6 bits
constexpr int kNumBooks = 12;    // 0 (ZERO_HCB) and spectral books 1..11
constexpr int kInf = 1 << 20;    // cost of a book that cannot code a band; never part of an optimum
constexpr int kSectLenBits = 5;  // long windows
constexpr int kSectLenEscape = (1 << kSectLenBits) - 1;
constexpr int kMaxValue = 8191;
constexpr int kMaxSfDelta = 60;
// global_gain 8, ics_info (ics_reserved_bit 1, window_sequence 2, window_shape 1, max_sfb 6,
// predictor_data_present 1), then pulse, tns and gain control flags 1 each.
constexpr int kIcsInfoBits = 11;
constexpr int kFixedIcsBits = 8 + kIcsInfoBits + 3;

core::Error Invalid(const std::string& field, const std::string& why) {
  return core::Error::InvalidParameter("Ics." + field, why);
}

int SectionLengthBits(int bands) {
  return kSectLenBits * (bands / kSectLenEscape + 1);
}

// What the writer writes for one channel; CountIcsBits sums the same plan.
struct IcsPlan {
  int max_sfb = 0;      // coded bands: trailing all-zero bands are dropped
  int global_gain = 0;  // the first non-zero band's scalefactor
  int num_sections = 0;
  std::array<uint8_t, kMaxBands> section_book{};
  std::array<uint8_t, kMaxBands> section_end{};
  std::array<bool, kMaxBands> band_zero{};
  int bits = 0;  // of individual_channel_stream()
};

std::span<const int> BandLines(const LdLayout& layout, const IcsChannel& ch, int band) {
  const int start = layout.swb_offset[band];
  const int end = layout.swb_offset[band + 1];
  return std::span<const int>(ch.quant).subspan(static_cast<size_t>(start),
                                                static_cast<size_t>(end - start));
}

core::Result<void> Validate(const LdLayout& layout, const IcsChannel& ch) {
  if (ch.window_shape != 0 && ch.window_shape != 1)
    return Invalid("WindowShape", "is " + std::to_string(ch.window_shape) + "; allowed: 0, 1");
  if (ch.max_sfb < 0 || ch.max_sfb > layout.num_swb())
    return Invalid("MaxSfb", "is " + std::to_string(ch.max_sfb) + "; allowed: 0.." +
                                 std::to_string(layout.num_swb()));
  if (ch.quant.size() != static_cast<size_t>(layout.frame_length))
    return Invalid("Quant", "has " + std::to_string(ch.quant.size()) + " lines; the frame has " +
                                std::to_string(layout.frame_length));
  if (ch.scalefactors.size() < static_cast<size_t>(ch.max_sfb))
    return Invalid("Scalefactors", "has " + std::to_string(ch.scalefactors.size()) +
                                       " values for max_sfb " + std::to_string(ch.max_sfb));
  const size_t coded_end = layout.swb_offset[ch.max_sfb];
  for (size_t i = 0; i < ch.quant.size(); ++i) {
    if (std::abs(ch.quant[i]) > kMaxValue)
      return Invalid("Quant", "line " + std::to_string(i) + " is " + std::to_string(ch.quant[i]) +
                                  "; allowed: -8191..8191");
    if (i >= coded_end && ch.quant[i] != 0)
      return Invalid("Quant", "line " + std::to_string(i) + " is not 0 above max_sfb " +
                                  std::to_string(ch.max_sfb) + " (line " +
                                  std::to_string(coded_end) + ")");
  }
  int last = -1;
  for (int band = 0; band < ch.max_sfb; ++band) {
    const auto q = BandLines(layout, ch, band);
    if (std::all_of(q.begin(), q.end(), [](int v) { return v == 0; })) continue;
    const int sf = ch.scalefactors[band];
    if (sf < 0 || sf > 255)
      return Invalid("Scalefactors", "band " + std::to_string(band) + " is " + std::to_string(sf) +
                                         "; allowed: 0..255");
    if (last >= 0 && std::abs(sf - last) > kMaxSfDelta)
      return Invalid("Scalefactors", "band " + std::to_string(band) + " differs by " +
                                         std::to_string(sf - last) +
                                         " from the previous coded band; allowed: -60..60");
    last = sf;
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

// shared_sfb >= 0: the max_sfb of a common window (the larger of the two channels'); the bands
// above this channel's own last coded one are then a ZERO_HCB section.
core::Result<IcsPlan> Plan(const LdLayout& layout, const IcsChannel& ch, int shared_sfb = -1) {
  if (auto ok = Validate(layout, ch); !ok) return ok.error();
  IcsPlan plan;
  for (int band = 0; band < ch.max_sfb; ++band) {
    const auto q = BandLines(layout, ch, band);
    plan.band_zero[band] = std::all_of(q.begin(), q.end(), [](int v) { return v == 0; });
    if (!plan.band_zero[band]) plan.max_sfb = band + 1;
  }
  if (shared_sfb >= 0) {
    for (int band = plan.max_sfb; band < shared_sfb; ++band) plan.band_zero[band] = true;
    plan.max_sfb = shared_sfb;
  }
  const int n = plan.max_sfb;

  // prefix[i][b]: bits of bands 0..i-1 with book b.
  std::array<std::array<int, kNumBooks>, kMaxBands + 1> prefix{};
  std::array<int, kNumBooks> cost{};
  for (int band = 0; band < n; ++band) {
    BandCosts(BandLines(layout, ch, band), cost);
    for (int b = 0; b < kNumBooks; ++b) prefix[band + 1][b] = prefix[band][b] + cost[b];
  }
  // best[i]: fewest bits for bands 0..i-1 as whole sections; the last one starts at from[i].
  // A section of book b ends where a band b cannot code begins.
  std::array<int, kMaxBands + 1> best{};
  std::array<uint8_t, kMaxBands + 1> from{}, book{};
  for (int i = 1; i <= n; ++i) {
    best[i] = kInf * kMaxBands;
    for (int b = 0; b < kNumBooks; ++b) {
      for (int j = i - 1; j >= 0 && prefix[j + 1][b] - prefix[j][b] < kInf; --j) {
        const int total = best[j] + 4 + SectionLengthBits(i - j) + prefix[i][b] - prefix[j][b];
        if (total < best[i]) {
          best[i] = total;
          from[i] = static_cast<uint8_t>(j);
          book[i] = static_cast<uint8_t>(b);
        }
      }
    }
  }
  for (int i = n; i > 0; i = from[i]) ++plan.num_sections;
  int s = plan.num_sections;
  for (int i = n; i > 0; i = from[i]) {
    --s;
    plan.section_book[s] = book[i];
    plan.section_end[s] = static_cast<uint8_t>(i);
  }

  // Scalefactor deltas of the non-zero bands (zero bands in coded sections are priced above).
  int sf_bits = 0;
  int last = -1;
  for (int band = 0; band < n; ++band) {
    if (plan.band_zero[band]) continue;
    const int sf = ch.scalefactors[band];
    if (last < 0) plan.global_gain = last = sf;
    sf_bits += ScalefactorCode(sf - last).length;
    last = sf;
  }
  // With a common window the element carries ics_info once (ElementPlan counts it).
  plan.bits = kFixedIcsBits - (shared_sfb >= 0 ? kIcsInfoBits : 0) + best[n] + sf_bits;
  return plan;
}

void WriteIcsInfo(int window_shape, int max_sfb, BitWriter& out) {
  out.Put(0, 1);  // ics_reserved_bit
  out.Put(0, 2);  // ONLY_LONG_SEQUENCE
  out.Put(static_cast<uint32_t>(window_shape), 1);
  out.Put(static_cast<uint32_t>(max_sfb), 6);
  out.Put(0, 1);  // predictor_data_present: no LTP
}

// individual_channel_stream(common_window): ics_info only without a common window.
void WriteIcs(const LdLayout& layout, const IcsChannel& ch, const IcsPlan& plan, bool common_window,
              BitWriter& out) {
  out.Put(static_cast<uint32_t>(plan.global_gain), 8);
  if (!common_window) WriteIcsInfo(ch.window_shape, plan.max_sfb, out);

  int start = 0;
  for (int s = 0; s < plan.num_sections; ++s) {
    out.Put(plan.section_book[s], 4);
    int len = plan.section_end[s] - start;
    for (; len >= kSectLenEscape; len -= kSectLenEscape) out.Put(kSectLenEscape, kSectLenBits);
    out.Put(static_cast<uint32_t>(len), kSectLenBits);
    start = plan.section_end[s];
  }

  // Scalefactors: a zero band inside a coded section repeats the previous value (delta 0).
  int last = plan.global_gain;
  start = 0;
  for (int s = 0; s < plan.num_sections; ++s) {
    const int end = plan.section_end[s];
    if (plan.section_book[s] != 0) {
      for (int band = start; band < end; ++band) {
        const int sf = plan.band_zero[band] ? last : ch.scalefactors[band];
        const HuffCode& c = ScalefactorCode(sf - last);
        out.Put(c.code, c.length);
        last = sf;
      }
    }
    start = end;
  }

  out.Put(0, 3);  // pulse_data_present, tns_data_present, gain_control_data_present

  start = 0;
  for (int s = 0; s < plan.num_sections; ++s) {
    const int b = plan.section_book[s];
    const int end = plan.section_end[s];
    if (b != 0)
      for (int band = start; band < end; ++band) WriteSpectral(b, BandLines(layout, ch, band), out);
    start = end;
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
  if (!ms.empty() && ms.size() < static_cast<size_t>(layout.num_swb()))
    return Invalid("MidSide", "has " + std::to_string(ms.size()) + " bands; the layout has " +
                                  std::to_string(layout.num_swb()));
  if (e.common_window && channels[0].window_shape != channels[1].window_shape)
    return Invalid("WindowShape", "differs between the channels of a common window");
  // Every channel is planned first so that nothing is written when one of them is refused.
  int shared_sfb = -1;
  for (size_t c = 0; c < channels.size(); ++c) {
    auto plan = Plan(layout, channels[c]);
    if (!plan) return plan.error();
    e.ics[c] = *plan;
    shared_sfb = std::max(shared_sfb, plan->max_sfb);
  }
  e.bits = 4 + (channels.size() == 2 ? 1 : 0);       // element_instance_tag, common_window
  if (layout.frame_length == 1024) e.bits += 3 + 3;  // AAC LC: id_syn_ele, then ID_END
  if (e.common_window) {
    for (int b = 0; b < shared_sfb; ++b) e.any_ms = e.any_ms || ms[b] != 0;
    e.bits += kIcsInfoBits + 2 + (e.any_ms ? shared_sfb : 0);  // ics_info, ms_mask_present, ms_used
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
  const bool lc = layout.frame_length == 1024;
  if (lc) out.Put(channels.size() == 2 ? 1 : 0, 3);                // ID_SCE or ID_CPE
  out.Put(0, 4);                                                   // element_instance_tag
  if (channels.size() == 2) out.Put(e->common_window ? 1 : 0, 1);  // common_window
  if (e->common_window) {
    const int max_sfb = e->ics[0].max_sfb;
    WriteIcsInfo(channels[0].window_shape, max_sfb, out);
    out.Put(e->any_ms ? 1 : 0, 2);  // ms_mask_present: 0 none, 1 a bit per band
    if (e->any_ms)
      for (int b = 0; b < max_sfb; ++b) out.Put(ms[b] ? 1 : 0, 1);
  }
  for (size_t c = 0; c < channels.size(); ++c)
    WriteIcs(layout, channels[c], e->ics[c], e->common_window, out);
  if (lc) out.Put(7, 3);  // ID_END
  out.AlignZero();
  return core::Ok();
}

}  // namespace floe::media::aac
