#include "media/aac/splice.h"

#include <bit>
#include <string>

namespace floe::media::aac {
namespace {

using core::Error;

constexpr uint32_t kIdFil = 6;
constexpr uint32_t kIdEnd = 7;

Error SpliceError(const std::string& why) {
  return Error{"EncoderFailed", 500, "cannot add SBR to the AAC packet: " + why, ""};
}

}  // namespace

core::Result<std::vector<uint8_t>> AppendSbrFil(std::span<const uint8_t> raw_packet,
                                                const BitWriter& sbr_extension_data) {
  // The encoder pads with zeros after END, so END's last `1` is the packet's last set bit.
  size_t last_byte = raw_packet.size();
  while (last_byte > 0 && raw_packet[last_byte - 1] == 0) --last_byte;
  if (last_byte == 0) return SpliceError("the packet has no END element (no bit is set)");
  if (last_byte != raw_packet.size())
    return SpliceError("the packet ends in zero bytes, not in END and byte padding");
  uint8_t byte = raw_packet[last_byte - 1];
  int trailing_zeros = std::countr_zero(byte);
  size_t last_set = last_byte * 8 - 1 - static_cast<size_t>(trailing_zeros);
  BitReader end_reader(raw_packet);
  if (last_set < 2) return SpliceError("the last element is not END");
  end_reader.Skip(last_set - 2);
  if (end_reader.Get(3) != kIdEnd) return SpliceError("the last element is not END");
  size_t end_at = last_set - 2;

  size_t payload_bits = 4 + sbr_extension_data.bits();
  size_t payload_bytes = (payload_bits + 7) / 8;
  if (payload_bytes > kMaxFilPayloadBytes)
    return SpliceError("the SBR payload needs " + std::to_string(payload_bytes) +
                       " bytes, a FIL element holds at most " +
                       std::to_string(kMaxFilPayloadBytes));

  BitWriter out;
  out.AppendBits(raw_packet, end_at);
  out.Put(kIdFil, 3);
  if (payload_bytes >= 15) {
    // count 15 says an esc_count follows, and the decoder reads 15 + esc_count − 1 bytes.
    out.Put(15, 4);
    out.Put(static_cast<uint32_t>(payload_bytes - 14), 8);
  } else {
    out.Put(static_cast<uint32_t>(payload_bytes), 4);
  }
  out.Put(kExtSbrData, 4);
  out.Append(sbr_extension_data);
  // fill_bits: the decoder skips whatever of the byte count sbr_extension_data left unread.
  out.Put(0, static_cast<int>(payload_bytes * 8 - payload_bits));
  out.Put(kIdEnd, 3);
  out.AlignZero();
  return out.data();
}

}  // namespace floe::media::aac
