#include "http/client_address.h"

#include <boost/asio/ip/address.hpp>

#include "core/strings.h"

namespace floe::http {

namespace {

namespace ip = boost::asio::ip;

// A parsed address; IPv4-mapped IPv6 addresses become IPv4.
std::optional<ip::address> ParseAddress(const std::string& text) {
  boost::system::error_code ec;
  ip::address a = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  if (a.is_v6()) {
    // A scope ("fe80::1%eth0") would make one host several keys.
    if (a.to_v6().scope_id() != 0) return std::nullopt;
    if (a.to_v6().is_v4_mapped()) return ip::address(ip::make_address_v4(ip::v4_mapped, a.to_v6()));
  }
  return a;
}

std::array<uint8_t, 16> BytesOf(const ip::address& a) {
  std::array<uint8_t, 16> out{};
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  } else {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  }
  return out;
}

// One X-Forwarded-For entry: "192.0.2.7", "2001:db8::1", and the forms with a port some proxies
// write ("192.0.2.7:443", "[2001:db8::1]:443").
std::optional<ip::address> ParseForwarded(std::string entry) {
  size_t b = entry.find_first_not_of(" \t");
  size_t e = entry.find_last_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  entry = entry.substr(b, e - b + 1);
  if (!entry.empty() && entry.front() == '[') {
    auto close = entry.find(']');
    if (close == std::string::npos) return std::nullopt;
    entry = entry.substr(1, close - 1);
  } else if (auto colon = entry.find(':');
             colon != std::string::npos && entry.find(':', colon + 1) == std::string::npos) {
    entry = entry.substr(0, colon);  // IPv4 with a port
  }
  return ParseAddress(entry);
}

}  // namespace

std::optional<std::string> CanonicalAddress(const std::string& text) {
  auto a = ParseAddress(text);
  if (!a) return std::nullopt;
  return a->to_string();
}

std::string ClientKey(const std::string& address) {
  auto a = ParseAddress(address);
  if (!a) return address;
  if (a->is_v4()) return a->to_string();
  auto bytes = a->to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return ip::address_v6(bytes).to_string() + "/64";
}

core::Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies out;
  for (const auto& text : cidrs) {
    auto slash = text.find('/');
    auto a = ParseAddress(text.substr(0, slash));
    Range r;
    if (a) {
      r.v6 = a->is_v6();
      r.bytes = BytesOf(*a);
      r.prefix = r.v6 ? 128 : 32;
    }
    if (a && slash != std::string::npos) {
      auto n = core::ParsePlainInt(text.substr(slash + 1));
      if (!n || *n > r.prefix) a.reset();
      if (n) r.prefix = static_cast<int>(*n);
    }
    if (!a) {
      return core::Error::InvalidParameter(
          "TrustedProxy", "\"" + core::Excerpt(text) + "\" is not a CIDR such as 10.0.0.0/8.");
    }
    out.ranges_.push_back(r);
  }
  return out;
}

bool TrustedProxies::Trusts(const std::string& address) const {
  auto a = ParseAddress(address);
  if (!a) return false;
  auto bytes = BytesOf(*a);
  for (const auto& r : ranges_) {
    if (r.v6 != a->is_v6()) continue;
    bool inside = true;
    for (int bit = 0; bit < r.prefix && inside; ++bit) {
      uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
      inside = (bytes[bit / 8] & mask) == (r.bytes[bit / 8] & mask);
    }
    if (inside) return true;
  }
  return false;
}

std::string TrustedProxies::ClientOf(const std::string& peer,
                                     const std::vector<std::string>& forwarded_for) const {
  std::string client = CanonicalAddress(peer).value_or(peer);
  if (!Trusts(client)) return client;
  std::vector<std::string> entries;
  for (const auto& value : forwarded_for) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      entries.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto a = ParseForwarded(*it);
    if (!a) break;
    client = a->to_string();
    if (!Trusts(client)) break;
  }
  return client;
}

}  // namespace floe::http
