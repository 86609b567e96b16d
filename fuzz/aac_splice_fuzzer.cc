// AppendSbrFil on arbitrary packets and payloads: it must refuse exactly the packets without a
// trailing END (or payloads too big for a FIL), and its output must parse back bit for bit.
#include <bit>
#include <cstdint>
#include <cstdlib>

#include "media/aac/bit_writer.h"
#include "media/aac/splice.h"

namespace {

using floe::media::aac::BitReader;
using floe::media::aac::BitWriter;

void Check(bool ok) {
  if (!ok) abort();
}

// Where END starts in `packet` if the packet is "anything, 111, at most 7 zero bits"; else -1.
long EndAt(const uint8_t* p, size_t n) {
  if (n == 0 || p[n - 1] == 0) return -1;
  long last = static_cast<long>(n * 8) - 1 - std::countr_zero(p[n - 1]);
  if (last < 2) return -1;
  BitReader r({p, n});
  r.Skip(static_cast<size_t>(last - 2));
  return r.Get(3) == 7 ? last - 2 : -1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0 picks the split, byte 1 how many bits of the payload's last byte to leave out.
  size_t rest = size - 2;
  size_t split = data[0] % (rest + 1);
  const uint8_t* packet = data + 2;
  const uint8_t* tail = packet + split;
  size_t tail_size = rest - split;
  size_t payload_bits = tail_size * 8;
  if (tail_size > 0) payload_bits -= data[1] % 8;
  BitWriter payload;
  payload.AppendBits({tail, tail_size}, payload_bits);

  auto out = floe::media::aac::AppendSbrFil({packet, split}, payload);
  long end_at = EndAt(packet, split);
  size_t payload_bytes = (4 + payload_bits + 7) / 8;
  bool should_work = end_at >= 0 && payload_bytes <= floe::media::aac::kMaxFilPayloadBytes;
  Check(out.ok() == should_work);
  if (!out.ok()) {
    Check(!out.error().code.empty());
    return 0;
  }

  BitReader r(*out);
  BitReader original({packet, split});
  for (long i = 0; i < end_at; ++i) Check(r.Get(1) == original.Get(1));
  Check(r.Get(3) == 6);
  size_t count = r.Get(4);
  if (count == 15) count += r.Get(8) - 1;
  Check(count == payload_bytes);
  size_t fil_start = r.position();
  Check(r.Get(4) == floe::media::aac::kExtSbrData);
  BitReader expected({tail, tail_size}, payload_bits);
  for (size_t i = 0; i < payload_bits; ++i) Check(r.Get(1) == expected.Get(1));
  while (r.position() < fil_start + 8 * count) Check(r.Get(1) == 0);
  Check(r.Get(3) == 7);
  Check(r.left() < 8);
  Check(r.Get(static_cast<int>(r.left())) == 0);
  Check(!r.overrun() && r.left() == 0);
  return 0;
}
