#include "http/client_address.h"

#include <gtest/gtest.h>

namespace floe::http {
namespace {

TEST(ClientKeyTest, AnIpv6ClientCountsByItsSlash64AndAnIpv4OneByItsAddress) {
  EXPECT_EQ(ClientKey("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(ClientKey("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  // Every address of one /64 is one client; the next /64 is another.
  EXPECT_EQ(ClientKey("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientKey("2001:0db8:0001:0002:0:0:0:9"), "2001:db8:1:2::/64");
  EXPECT_NE(ClientKey("2001:db8:1:3::1"), ClientKey("2001:db8:1:2::1"));
  // An IPv4 client on a dual-stack socket is its IPv4 address.
  EXPECT_EQ(ClientKey("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(ClientKey("not an address"), "not an address");
}

TEST(TrustedProxiesTest, ParsesCidrsAndSingleAddressesAndRefusesTheRest) {
  auto ok = TrustedProxies::Parse({"10.0.0.0/8", "fd00::/8", "192.0.2.7", "::1"});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->Trusts("10.200.3.4"));
  EXPECT_TRUE(ok->Trusts("::ffff:10.1.1.1"));
  EXPECT_TRUE(ok->Trusts("fd12::5"));
  EXPECT_TRUE(ok->Trusts("192.0.2.7"));
  EXPECT_TRUE(ok->Trusts("::1"));
  EXPECT_FALSE(ok->Trusts("11.0.0.1"));
  EXPECT_FALSE(ok->Trusts("192.0.2.8"));
  EXPECT_FALSE(ok->Trusts("fe00::1"));
  EXPECT_FALSE(ok->Trusts("garbage"));
  for (const char* bad : {"10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/-1", "example.com",
                          "10.0.0.0/8/8", ""}) {
    auto r = TrustedProxies::Parse({bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "InvalidParam.TrustedProxy") << bad;
  }
  EXPECT_TRUE(TrustedProxies::Parse({}).ok());
  EXPECT_TRUE(TrustedProxies::Parse({})->empty());
}

TEST(TrustedProxiesTest, TheHeaderOfAPeerThatIsNotTrustedIsIgnored) {
  auto proxies = *TrustedProxies::Parse({"10.0.0.0/8"});
  EXPECT_EQ(proxies.ClientOf("198.51.100.1", {"203.0.113.9"}), "198.51.100.1");
  EXPECT_EQ(proxies.ClientOf("::ffff:198.51.100.1", {"203.0.113.9"}), "198.51.100.1");
  TrustedProxies none;
  EXPECT_EQ(none.ClientOf("10.0.0.1", {"203.0.113.9"}), "10.0.0.1");
}

TEST(TrustedProxiesTest, BehindATrustedProxyTheClientIsTheRightMostUntrustedAddress) {
  auto proxies = *TrustedProxies::Parse({"10.0.0.0/8", "fd00::/8"});
  // The proxy appended what it saw; what the client wrote before it is not believed.
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"1.1.1.1, 203.0.113.9"}), "203.0.113.9");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"1.1.1.1", "203.0.113.9"}), "203.0.113.9");
  // Two trusted hops: the one before them is the client.
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"1.1.1.1, 203.0.113.9, 10.0.0.2"}), "203.0.113.9");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"2001:DB8::1,fd00::2"}), "2001:db8::1");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"[2001:db8::1]:443"}), "2001:db8::1");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {" 203.0.113.9:5000 "}), "203.0.113.9");
  // No header: the proxy itself; only proxies in it: the left-most.
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {}), "10.0.0.1");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"10.0.0.3, 10.0.0.2"}), "10.0.0.3");
  // Spoofed text stops the walk at the last address reached: a trusted hop, never the text.
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"203.0.113.9, <script>, 10.0.0.2"}), "10.0.0.2");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"unknown"}), "10.0.0.1");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {""}), "10.0.0.1");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"203.0.113.9,"}), "10.0.0.1");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {"fe80::1%eth0"}), "10.0.0.1");
  EXPECT_EQ(proxies.ClientOf("10.0.0.1", {std::string(10'000, '1')}), "10.0.0.1");
}

}  // namespace
}  // namespace floe::http
