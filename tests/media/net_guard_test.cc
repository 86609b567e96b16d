// The network guard over real sockets: connect() itself refuses what the policy does not allow.
#include "media/net_guard.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace floe::media {
namespace {

class NetGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(listener_, 8), 0);
    socklen_t len = sizeof a;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  void TearDown() override {
    RemoveNetGuard();
    close(listener_);
  }

  // connect() to the loopback listener: 0, or the errno.
  int ConnectLoopback(int type = SOCK_STREAM) {
    int fd = socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    int err = rc == 0 ? 0 : errno;
    close(fd);
    return err;
  }

  int listener_ = -1;
  uint16_t port_ = 0;
};

TEST_F(NetGuardTest, ConnectIsRefusedOutsideThePolicyAndPassesWithout) {
  EXPECT_EQ(ConnectLoopback(), 0);  // no guard installed: everything passes
  InstallNetGuard({});
  uint64_t before = RefusedConnectsOnThisThread();
  EXPECT_EQ(ConnectLoopback(), EACCES);
  EXPECT_EQ(RefusedConnectsOnThisThread(), before + 1);
  core::NetPolicy widened;
  widened.Allow(*core::ParseCidr("127.0.0.0/8"));
  InstallNetGuard(widened);
  EXPECT_EQ(ConnectLoopback(), 0);
}

TEST_F(NetGuardTest, ANameServerIsReachableByDatagramsOnly) {
  core::NetPolicy p;
  p.TrustDatagrams(*core::ParseIp("127.0.0.1"), port_);
  InstallNetGuard(p);
  EXPECT_EQ(ConnectLoopback(SOCK_DGRAM), 0);
  EXPECT_EQ(ConnectLoopback(SOCK_STREAM), EACCES);
}

TEST_F(NetGuardTest, ATrustScopeWidensItsOwnThreadAlone) {
  InstallNetGuard({});
  auto endpoints = ResolveEndpoints("127.0.0.1", port_);
  ASSERT_TRUE(endpoints.ok());
  {
    TrustScope trust(*endpoints);
    EXPECT_EQ(ConnectLoopback(), 0);
    // Another thread of the process (an input, another rendition) does not gain it.
    int other = -1;
    std::thread([&] { other = ConnectLoopback(); }).join();
    EXPECT_EQ(other, EACCES);
  }
  EXPECT_EQ(ConnectLoopback(), EACCES);  // nor this one once the scope ends
  // The same port on another address is not the trusted endpoint.
  TrustScope trust(*endpoints);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port_);
  a.sin_addr.s_addr = htonl(0x7F000002);  // 127.0.0.2
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), -1);
  EXPECT_EQ(errno, EACCES);
  close(fd);
}

TEST_F(NetGuardTest, NamesAreCheckedAfterResolution) {
  InstallNetGuard({});
  auto r = ResolveAllowed("localhost", 9000);  // resolves to loopback only
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InputRefused");
  EXPECT_EQ(r.error().message, "input refused: address not allowed");
  core::NetPolicy p;
  p.Allow(*core::ParseCidr("127.0.0.0/8"));
  p.Allow(*core::ParseCidr("::1/128"));
  InstallNetGuard(p);
  auto ok = ResolveAllowed("localhost", 9000);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(*ok == "127.0.0.1" || *ok == "::1") << *ok;
  EXPECT_FALSE(ResolveAllowed("no-such-host.invalid", 9000).ok());
}

TEST_F(NetGuardTest, EndpointsResolveEveryAddressOfAName) {
  auto endpoints = ResolveEndpoints("localhost", port_);
  ASSERT_TRUE(endpoints.ok());
  EXPECT_TRUE(core::Contains(*endpoints, *core::ParseIp("127.0.0.1"), port_));
  EXPECT_FALSE(ResolveEndpoints("no-such-host.invalid", port_).ok());
}

}  // namespace
}  // namespace floe::media
