// Hashes and MACs used by request signing (OpenSSL), and encodings of their output.
#pragma once

#include <string>

namespace floe::auth {

std::string HmacSha1(const std::string& key, const std::string& data);    // raw 20 bytes
std::string HmacSha256(const std::string& key, const std::string& data);  // raw 32 bytes
std::string Sha256(const std::string& data);                              // raw 32 bytes
std::string Hex(const std::string& raw);                                  // lower-case
std::string Base64(const std::string& raw);
// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace floe::auth
