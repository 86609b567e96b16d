#include "core/ids.h"

#include <openssl/rand.h>

#include <stdexcept>

namespace floe::core {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

namespace {

std::string FromAlphabet(size_t n, const std::string& alphabet) {
  // Rejection sampling keeps the distribution uniform over the alphabet.
  const unsigned limit = 256 - (256 % alphabet.size());
  std::string out;
  while (out.size() < n) {
    for (unsigned char c : RandomBytes(n)) {
      if (c < limit && out.size() < n) out.push_back(alphabet[c % alphabet.size()]);
    }
  }
  return out;
}

constexpr char kHex[] = "0123456789abcdef";
constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

std::string NewRequestId() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  static constexpr char kUpper[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto c = static_cast<unsigned char>(b[i]);
    out.push_back(kUpper[c >> 4]);
    out.push_back(kUpper[c & 15]);
  }
  return out;
}

std::string NewResourceId() {
  std::string out;
  for (unsigned char c : RandomBytes(16)) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string NewAccountId() {
  return FromAlphabet(1, "123456789") + FromAlphabet(15, "0123456789");
}
std::string NewAccessKeyId() {
  return "LTAI" + FromAlphabet(20, kAlnum);
}
std::string NewAccessKeySecret() {
  return FromAlphabet(30, kAlnum);
}

bool IsResourceId(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace floe::core
