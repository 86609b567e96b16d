#include "core/net_policy.h"

#include <arpa/inet.h>

#include <cstring>

#include "core/strings.h"

namespace floe::core {

namespace {

// Ranges that are never public unicast (IANA special-purpose registries).
const std::vector<Cidr>& NonPublic() {
  static const std::vector<Cidr> kRanges = [] {
    std::vector<Cidr> v;
    for (const char* c :
         {"0.0.0.0/8",     "10.0.0.0/8",      "100.64.0.0/10",  "127.0.0.0/8",    "169.254.0.0/16",
          "172.16.0.0/12", "192.0.0.0/24",    "192.0.2.0/24",   "192.88.99.0/24", "192.168.0.0/16",
          "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",    "240.0.0.0/4",
          "::/128",        "::1/128",         "64:ff9b::/96",   "64:ff9b:1::/48", "100::/64",
          "2001::/23",     "2001:db8::/32",   "2002::/16",      "fc00::/7",       "fe80::/10",
          "fec0::/10",     "ff00::/8"}) {
      v.push_back(*ParseCidr(c));
    }
    return v;
  }();
  return kRanges;
}

}  // namespace

bool SameAddress(const IpAddress& a, const IpAddress& b) {
  return a.v6 == b.v6 && a.bytes == b.bytes;
}

bool Contains(const std::vector<Endpoint>& endpoints, const IpAddress& a, uint16_t port) {
  for (const auto& e : endpoints) {
    if (e.port == port && SameAddress(e.address, a)) return true;
  }
  return false;
}

bool Cidr::Contains(const IpAddress& a) const {
  if (a.v6 != base.v6) return false;
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.bytes.data(), base.bytes.data(), static_cast<size_t>(full)) != 0) {
    return false;
  }
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a.bytes[static_cast<size_t>(full)] & mask) ==
         (base.bytes[static_cast<size_t>(full)] & mask);
}

std::optional<IpAddress> ParseIp(const std::string& text) {
  IpAddress a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) return a;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = v6;
    return FromSockaddr(reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
  }
  return std::nullopt;
}

Result<Cidr> ParseCidr(const std::string& text) {
  auto slash = text.find('/');
  auto ip = ParseIp(text.substr(0, slash));
  auto bad = [&] {
    return Error::InvalidParameter(
        "AllowNet", "\"" + Excerpt(text) + "\" is not a CIDR such as 127.0.0.0/8 or ::1/128.");
  };
  if (!ip) return bad();
  int max = ip->v6 ? 128 : 32;
  int prefix = max;
  if (slash != std::string::npos) {
    auto p = ParsePlainInt(text.substr(slash + 1));
    if (!p || *p > max) return bad();
    prefix = static_cast<int>(*p);
  }
  return Cidr{*ip, prefix};
}

std::optional<IpAddress> FromSockaddr(const sockaddr* sa, socklen_t len) {
  IpAddress a;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    return a;
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* b = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr.s6_addr;
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    static const uint8_t kCompat[12] = {};
    bool mapped = std::memcmp(b, kMapped, 12) == 0;
    // ::a.b.c.d (deprecated IPv4-compatible) is judged as a.b.c.d too, except :: and ::1.
    bool compat = std::memcmp(b, kCompat, 12) == 0 && (b[12] | b[13] | b[14]) != 0;
    if (mapped || compat) {
      std::memcpy(a.bytes.data(), b + 12, 4);
      return a;
    }
    a.v6 = true;
    std::memcpy(a.bytes.data(), b, 16);
    return a;
  }
  return std::nullopt;
}

bool IsPublicUnicast(const IpAddress& a) {
  for (const auto& c : NonPublic()) {
    if (c.Contains(a)) return false;
  }
  return true;
}

bool NetPolicy::Allows(const IpAddress& a, uint16_t port, Transport transport) const {
  if (transport == Transport::kDatagram && Contains(datagram_, a, port)) return true;
  for (const auto& c : allowed_) {
    if (c.Contains(a)) return true;
  }
  return IsPublicUnicast(a);
}

}  // namespace floe::core
