#include "media/aac/bit_writer.h"

namespace floe::media::aac {

void BitWriter::Put(uint32_t value, int bits) {
  for (int i = bits - 1; i >= 0; --i) {
    if (bits_ % 8 == 0) data_.push_back(0);
    if ((value >> i) & 1U) data_.back() |= static_cast<uint8_t>(0x80U >> (bits_ % 8));
    ++bits_;
  }
}

void BitWriter::Append(const BitWriter& other) {
  AppendBits(other.data_, other.bits_);
}

void BitWriter::AppendBits(std::span<const uint8_t> data, size_t bits) {
  if (bits > data.size() * 8) bits = data.size() * 8;
  size_t whole = bits / 8;
  if (bits_ % 8 == 0) {  // byte-aligned: copy whole bytes at once
    data_.insert(data_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(whole));
    bits_ += whole * 8;
  } else {
    for (size_t i = 0; i < whole; ++i) Put(data[i], 8);
  }
  if (size_t rest = bits % 8)
    Put(static_cast<uint32_t>(data[whole] >> (8 - rest)), static_cast<int>(rest));
}

void BitWriter::AlignZero() {
  if (bits_ % 8) Put(0, static_cast<int>(8 - bits_ % 8));
}

uint32_t BitReader::Get(int bits) {
  uint32_t v = 0;
  for (int i = 0; i < bits; ++i) {
    uint32_t bit = 0;
    if (pos_ < end_) {
      bit = (data_[pos_ / 8] >> (7 - pos_ % 8)) & 1U;
      ++pos_;
    } else {
      overrun_ = true;
    }
    v = (v << 1) | bit;
  }
  return v;
}

void BitReader::Skip(size_t bits) {
  if (bits > left()) {
    overrun_ = true;
    pos_ = end_;
    return;
  }
  pos_ += bits;
}

}  // namespace floe::media::aac
