// Who a request comes from, for the per-client limits and the access log: the peer's address,
// or, behind a proxy the operator trusts (--trusted-proxy), the client that X-Forwarded-For names.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace floe::http {

// An address in its canonical text ("2001:db8::1", "192.0.2.7"; an IPv4-mapped IPv6 address as
// its IPv4 address), or nullopt when `text` is not an address.
std::optional<std::string> CanonicalAddress(const std::string& text);

// What per-client limits count by: an IPv4 address itself (/32), an IPv6 address's /64
// ("2001:db8:1:2::/64"): one host gets a whole /64, so counting its addresses one by one would
// give it millions of budgets. Text that is not an address comes back as it is.
std::string ClientKey(const std::string& address);

class TrustedProxies {
 public:
  // CIDRs such as "10.0.0.0/8", "fd00::/8" or one address ("192.0.2.7"); InvalidParameter
  // (TrustedProxy) for the first that is not one.
  static core::Result<TrustedProxies> Parse(const std::vector<std::string>& cidrs);

  bool empty() const { return ranges_.empty(); }
  bool Trusts(const std::string& address) const;

  // The client of a request from `peer` (an address, no port): the peer itself unless it is
  // trusted, otherwise the right-most address of X-Forwarded-For (`forwarded_for`: every such
  // header's value, in order) that is not a trusted proxy. The walk stops at an entry that is
  // not an address (spoofed text): the last address reached is the client. Never trusted: the
  // header of a peer outside these ranges, which anyone can write.
  std::string ClientOf(const std::string& peer,
                       const std::vector<std::string>& forwarded_for) const;

 private:
  struct Range {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;
  };
  std::vector<Range> ranges_;
};

}  // namespace floe::http
