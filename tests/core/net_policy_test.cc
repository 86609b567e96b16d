#include "core/net_policy.h"

#include <gtest/gtest.h>

namespace floe::core {
namespace {

bool Public(const std::string& ip) {
  auto a = ParseIp(ip);
  EXPECT_TRUE(a.has_value()) << ip;
  return a && IsPublicUnicast(*a);
}

TEST(NetPolicy, OnlyPublicUnicastByDefault) {
  for (const char* ok :
       {"8.8.8.8", "1.1.1.1", "203.0.114.1", "2606:4700:4700::1111", "2a00:1450:4001::200e"}) {
    EXPECT_TRUE(Public(ok)) << ok;
  }
  for (const char* bad : {"127.0.0.1",
                          "127.255.255.254",
                          "10.1.2.3",
                          "172.16.0.1",
                          "172.31.255.255",
                          "192.168.1.1",
                          "169.254.169.254",
                          "100.64.0.1",
                          "100.127.255.255",
                          "0.0.0.0",
                          "0.1.2.3",
                          "224.0.0.1",
                          "239.255.255.250",
                          "255.255.255.255",
                          "192.0.2.1",
                          "::",
                          "::1",
                          "fe80::1",
                          "fc00::1",
                          "fd12:3456::1",
                          "ff02::1",
                          "::ffff:127.0.0.1",
                          "::ffff:169.254.169.254",
                          "::ffff:10.0.0.1",
                          "::127.0.0.1",
                          "64:ff9b::a9fe:a9fe",
                          "2001:db8::1"}) {
    EXPECT_FALSE(Public(bad)) << bad;
  }
}

TEST(NetPolicy, CidrsWidenAndNameServersAreDatagramsToOnePortOnly) {
  NetPolicy p;
  auto loopback = *ParseIp("127.0.0.1");
  EXPECT_FALSE(p.Allows(loopback, 53, Transport::kDatagram));
  p.TrustDatagrams(loopback, 53);
  EXPECT_TRUE(p.Allows(loopback, 53, Transport::kDatagram));
  EXPECT_FALSE(p.Allows(loopback, 53));  // not over TCP
  EXPECT_FALSE(p.Allows(loopback, 54, Transport::kDatagram));
  p.Allow(*ParseCidr("127.0.0.0/8"));
  EXPECT_TRUE(p.Allows(*ParseIp("127.9.9.9"), 6379));
  EXPECT_FALSE(p.Allows(*ParseIp("10.0.0.1"), 80));
  p.Allow(*ParseCidr("10.1.0.0/17"));
  EXPECT_TRUE(p.Allows(*ParseIp("10.1.127.255"), 80));
  EXPECT_FALSE(p.Allows(*ParseIp("10.1.128.0"), 80));
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it is.
  EXPECT_TRUE(p.Allows(*ParseIp("::ffff:127.0.0.1"), 80));
}

TEST(NetPolicy, EndpointListsMatchAddressAndPort) {
  std::vector<Endpoint> list{{*ParseIp("127.0.0.3"), 1935}};
  EXPECT_TRUE(Contains(list, *ParseIp("127.0.0.3"), 1935));
  EXPECT_TRUE(Contains(list, *ParseIp("::ffff:127.0.0.3"), 1935));
  EXPECT_FALSE(Contains(list, *ParseIp("127.0.0.3"), 1936));
  EXPECT_FALSE(Contains(list, *ParseIp("127.0.0.4"), 1935));
}

TEST(NetPolicy, ParseCidr) {
  EXPECT_TRUE(ParseCidr("127.0.0.0/8").ok());
  EXPECT_TRUE(ParseCidr("::1/128").ok());
  EXPECT_TRUE(ParseCidr("192.0.2.7").ok());
  EXPECT_EQ(ParseCidr("192.0.2.7").value().prefix, 32);
  for (const char* bad :
       {"", "/8", "127.0.0.0/33", "::/129", "localhost", "1.2.3/8", "1.2.3.4/-1", "1.2.3.4/x"}) {
    EXPECT_FALSE(ParseCidr(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace floe::core
