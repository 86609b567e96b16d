// Which network addresses a job may reach. By default only public unicast addresses: never
// loopback, private (RFC 1918, ULA), link-local (169.254.169.254 included), CGNAT, multicast,
// reserved or unspecified ones, in IPv4 and IPv6 (mapped forms included). The operator widens it
// with CIDRs (--allow-net). The name servers are reachable over UDP on port 53; a LiveCenter push
// base is trusted only by the one muxer connection it belongs to (media/net_guard.h), never here.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace floe::core {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes
};

struct Cidr {
  IpAddress base;
  int prefix = 0;
  bool Contains(const IpAddress& a) const;
};

// "127.0.0.0/8", "::1/128", "10.1.2.3" (a single host); InvalidParameter otherwise.
Result<Cidr> ParseCidr(const std::string& text);
// nullopt for anything but AF_INET/AF_INET6; an IPv4-mapped IPv6 address comes back as IPv4.
std::optional<IpAddress> FromSockaddr(const sockaddr* sa, socklen_t len);
std::optional<IpAddress> ParseIp(const std::string& text);
bool IsPublicUnicast(const IpAddress& a);

struct Endpoint {
  IpAddress address;
  uint16_t port = 0;
};
bool SameAddress(const IpAddress& a, const IpAddress& b);
bool Contains(const std::vector<Endpoint>& endpoints, const IpAddress& a, uint16_t port);

enum class Transport { kStream, kDatagram };

class NetPolicy {
 public:
  void Allow(const Cidr& cidr) { allowed_.push_back(cidr); }
  // a:port is reachable by datagrams (a name server), not by TCP.
  void TrustDatagrams(const IpAddress& a, uint16_t port) { datagram_.push_back({a, port}); }
  // Whether a connection to a:port may be made.
  bool Allows(const IpAddress& a, uint16_t port, Transport transport = Transport::kStream) const;

 private:
  std::vector<Cidr> allowed_;
  std::vector<Endpoint> datagram_;
};

}  // namespace floe::core
