// The Huffman codebooks of AAC spectral data (books 1..11) and of scalefactor deltas
// (ISO/IEC 14496-3 Annex 4.A), with the bit counting and writing a quantiser's rate loop needs.
#pragma once

#include <cstdint>
#include <span>

#include "media/aac/bit_writer.h"
#include "media/aac/sbr_tables.h"  // HuffCode: one code word, `length` bits

namespace floe::media::aac {

// A spectral codebook. codes[i] codes the tuple whose values, offset by lav for signed books,
// are the base-(2*lav+1) (signed) or base-(lav+1) (unsigned; book 11: base 17) digits of i,
// first value most significant. Unsigned books send a sign bit per non-zero value after the
// code word; book 11 codes |q| >= 16 as 16 plus an escape sequence.
struct SpectralBook {
  int dim = 4;
  bool is_signed = true;
  int lav = 1;
  std::span<const HuffCode> codes;
};

const SpectralBook& Book(int book);          // book 1..11 (11: lav 16 with escape)
const HuffCode& ScalefactorCode(int delta);  // delta -60..60

// Bits to code `q` (a band's quantised lines, length a multiple of the book's dim) with `book`
// (sign bits and escape sequences included); -1 when a value exceeds the book's range.
int SpectralBits(int book, std::span<const int> q);
// Writes `q` with `book`; the caller checked the range (SpectralBits(book, q) >= 0).
void WriteSpectral(int book, std::span<const int> q, BitWriter& out);

}  // namespace floe::media::aac
