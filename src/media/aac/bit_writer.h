// MSB-first bit writer and reader for AAC bitstream elements (ISO/IEC 14496-3 writes every
// field most significant bit first). The writer grows as needed; the reader never reads past
// its end (a read beyond it yields zeros and marks the reader overrun).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace floe::media::aac {

class BitWriter {
 public:
  // Appends the low `bits` bits of value (0..32), most significant first.
  void Put(uint32_t value, int bits);
  void PutBit(bool bit) { Put(bit ? 1 : 0, 1); }
  // Appends every bit of `other`, bit-exact (it need not end on a byte).
  void Append(const BitWriter& other);
  // Appends the first `bits` bits of `data`.
  void AppendBits(std::span<const uint8_t> data, size_t bits);
  // Zero bits up to the next byte boundary.
  void AlignZero();
  size_t bits() const { return bits_; }
  // The bytes written so far; a last partial byte has its unused low bits zero.
  const std::vector<uint8_t>& data() const { return data_; }

 private:
  std::vector<uint8_t> data_;
  size_t bits_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data, size_t bits = SIZE_MAX)
      : data_(data), end_(bits < data.size() * 8 ? bits : data.size() * 8) {}
  // The next `bits` bits (0..32) as a number; zeros past the end (and overrun() becomes true).
  uint32_t Get(int bits);
  bool GetBit() { return Get(1) != 0; }
  void Skip(size_t bits);
  size_t position() const { return pos_; }
  size_t left() const { return pos_ < end_ ? end_ - pos_ : 0; }
  bool overrun() const { return overrun_; }

 private:
  std::span<const uint8_t> data_;
  size_t end_;
  size_t pos_ = 0;
  bool overrun_ = false;
};

}  // namespace floe::media::aac
