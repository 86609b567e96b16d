// CountIcsBits, CountElementBits and WriteLdRawDataBlock on arbitrary channels (mono or stereo,
// any layout, window sequence and short-window grouping, max_sfb, scalefactors and lines, some
// out of range; with or without mid/side flags for a common window): they must refuse the same
// input, and otherwise the block must be exactly the counted bits plus byte alignment.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/aac/bit_writer.h"
#include "media/aac/ics_writer.h"
#include "media/aac/ld_tables.h"

namespace {

using floe::media::aac::BitWriter;
using floe::media::aac::IcsChannel;
using floe::media::aac::LdLayout;

void Check(bool ok) {
  if (!ok) abort();
}

// Reads the input a byte at a time; zeros once it runs out.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  int Next() { return at_ < size_ ? data_[at_++] : 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

IcsChannel MakeChannel(const LdLayout& layout, Bytes& in) {
  // Peaks of every book's range, the escape range, and one value too large.
  static constexpr int kPeaks[] = {0, 1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 17, 100, 8191, 8192};
  IcsChannel ch;
  const int shape = in.Next() % 5;
  ch.window_shape = shape < 4 ? shape % 2 : 2;  // 2 is invalid
  // LC frames take any window sequence (4 is invalid; LD refuses all but 0); EIGHT_SHORT's
  // groups come from the 7 grouping bits of a byte, and a bad grouping (not 8 windows) is tried
  // after the lines are laid out by a good one.
  const int sequence = in.Next() % 6;
  ch.window_sequence = sequence == 5 ? 0 : sequence;
  int bad_groups = 0;
  if (ch.window_sequence == floe::media::aac::kEightShort && layout.lc()) {
    const int grouping = in.Next();
    ch.groups = {1};
    for (int w = 1; w < 8; ++w) {
      if (grouping >> (7 - w) & 1) {
        ++ch.groups.back();
      } else {
        ch.groups.push_back(1);
      }
    }
    if (grouping & 0x80) bad_groups = 1 + (grouping & 1);
  }
  const std::vector<uint16_t> offsets = floe::media::aac::GroupedBandOffsets(layout, ch.groups);
  const int bands = ch.groups.empty() ? layout.num_swb() : layout.num_short_swb();
  ch.max_sfb = in.Next() % (bands + 2);  // bands + 1 is invalid
  ch.quant.assign(static_cast<size_t>(layout.frame_length), 0);
  ch.scalefactors.assign(offsets.size() - 1, 0);
  int sf = in.Next();
  for (size_t b = 0; b + 1 < offsets.size(); ++b) {
    const int peak = kPeaks[in.Next() % std::size(kPeaks)];
    sf += static_cast<int8_t>(in.Next()) / 2;  // deltas -64..63; may leave 0..255 too
    ch.scalefactors[b] = sf;
    // Bands at or above max_sfb stay zero unless the input asks for a stray line.
    if (peak == 0 || (static_cast<int>(b) % bands >= ch.max_sfb && in.Next() % 8 != 0)) continue;
    uint32_t state = static_cast<uint32_t>(in.Next() << 8 | in.Next()) | 1u;
    for (int k = offsets[b]; k < offsets[b + 1]; ++k) {
      state ^= state << 13, state ^= state >> 17, state ^= state << 5;
      const int a = static_cast<int>(state % static_cast<uint32_t>(peak + 1));
      ch.quant[k] = state >> 31 ? -a : a;
    }
  }
  if (bad_groups == 1) ch.groups.push_back(1);                        // nine windows
  if (bad_groups == 2 && ch.groups.size() > 1) ch.groups.pop_back();  // fewer than eight
  if (ch.groups.empty() && in.Next() % 16 == 0) ch.groups = {8};      // groups on a long window
  return ch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr int kRates[] = {48000, 44100, 32000, 24000, 22050};
  Bytes in(data, size);
  const int head = in.Next();
  // LD frames of 512 or 480, or (every third input) LC frames of 1024.
  const int frame_length = head % 3 == 0 ? 1024 : head & 0x10 ? 480 : 512;
  auto layout = floe::media::aac::LdLayoutFor(kRates[head % 5], frame_length);
  Check(layout.ok());
  std::vector<IcsChannel> channels;
  const size_t count = head & 0x20 ? 2 : 1;
  for (size_t c = 0; c < count; ++c) channels.push_back(MakeChannel(*layout, in));

  // Mid/side flags (a common window) when the input asks: one per band, or (to be refused) too
  // few; with one channel they are refused too.
  std::vector<uint8_t> ms;
  if (head & 0x40) {
    // The first channel's bands (a pair whose windows differ is refused anyway).
    const IcsChannel& first = channels.front();
    int frame_bands = layout->num_swb();
    if (first.window_sequence == floe::media::aac::kEightShort && layout->lc()) {
      int windows = 0;
      for (int len : first.groups) windows += len;
      if (windows == 8)
        frame_bands = static_cast<int>(first.groups.size()) * layout->num_short_swb();
    }
    const int bands = head & 0x80 ? in.Next() % (frame_bands + 1) : frame_bands;
    for (int b = 0; b < bands; ++b) ms.push_back(static_cast<uint8_t>(in.Next() & 1));
  }

  bool all_counted = true;
  // element_instance_tag, common_window; with LC also the element id and END.
  size_t bits = 4 + (count - 1) + (frame_length == 1024 ? 6 : 0);
  for (const IcsChannel& ch : channels) {
    auto counted = floe::media::aac::CountIcsBits(*layout, ch);
    all_counted = all_counted && counted.ok();
    if (counted.ok()) bits += static_cast<size_t>(*counted);
  }
  auto element = floe::media::aac::CountElementBits(*layout, channels, ms);
  BitWriter out;
  auto written = floe::media::aac::WriteLdRawDataBlock(*layout, channels, out, ms);
  Check(written.ok() == element.ok());
  // Without a common window the element is its channels' streams and the framing.
  if (ms.empty())
    Check(element.ok() == all_counted && (!element.ok() || static_cast<size_t>(*element) == bits));
  if (!written.ok()) {
    Check(!written.error().code.empty() && out.bits() == 0);
    return 0;
  }
  Check(out.bits() == (static_cast<size_t>(*element) + 7) / 8 * 8);
  return 0;
}
