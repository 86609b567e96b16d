#include "media/net_guard.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

namespace floe::media {

namespace {

std::mutex g_mu;                         // guards g_policies for writers
std::atomic<core::NetPolicy*> g_active;  // read by connect() without a lock
// Every policy installed so far: one being replaced may still be read by a connect() in
// flight, so none is freed while the process lives (a job process installs a handful).
std::vector<std::unique_ptr<core::NetPolicy>> g_policies;
thread_local uint64_t t_refused = 0;
thread_local const std::vector<core::Endpoint>* t_trusted = nullptr;  // TrustScope

using ConnectFn = int (*)(int, const sockaddr*, socklen_t);

ConnectFn RealConnect() {
  static ConnectFn real = reinterpret_cast<ConnectFn>(dlsym(RTLD_NEXT, "connect"));
  return real;
}

uint16_t PortOf(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
  if (sa->sa_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
  }
  return 0;
}

void TrustNameServers(core::NetPolicy& policy) {
  std::ifstream in("/etc/resolv.conf");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (words >> key >> value && key == "nameserver") {
      if (auto ip = core::ParseIp(value.substr(0, value.find('%')))) policy.TrustDatagrams(*ip, 53);
    }
  }
}

}  // namespace

void InstallNetGuard(core::NetPolicy policy) {
  std::lock_guard lock(g_mu);
  TrustNameServers(policy);
  g_policies.push_back(std::make_unique<core::NetPolicy>(std::move(policy)));
  g_active = g_policies.back().get();  // one atomic swap: no moment without a policy
}

void RemoveNetGuard() {
  std::lock_guard lock(g_mu);
  g_active = nullptr;
}

uint64_t RefusedConnectsOnThisThread() {
  return t_refused;
}

core::Result<std::string> ResolveAllowed(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) {
    return core::Error{"InputUnavailable", 503, "input unreachable", ""};
  }
  std::string first;
  bool refused = false;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    auto ip = core::FromSockaddr(ai->ai_addr, ai->ai_addrlen);
    if (!ip) continue;
    core::NetPolicy* p = g_active.load();
    if (p && !p->Allows(*ip, port)) {
      refused = true;
      continue;
    }
    if (first.empty()) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* src = ai->ai_family == AF_INET
                            ? static_cast<const void*>(
                                  &reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr)
                            : static_cast<const void*>(
                                  &reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr);
      inet_ntop(ai->ai_family, src, text, sizeof text);
      first = text;
    }
  }
  freeaddrinfo(res);
  // One refused address refuses the name: which one a resolver answers with is the attacker's.
  if (refused) {
    ++t_refused;
    return core::Error{"InputRefused", 403, "input refused: address not allowed", ""};
  }
  if (first.empty()) return core::Error{"InputUnavailable", 503, "input unreachable", ""};
  return first;
}

TrustScope::TrustScope(const std::vector<core::Endpoint>& endpoints) {
  t_trusted = &endpoints;
}

TrustScope::~TrustScope() {
  t_trusted = nullptr;
}

core::Result<std::vector<core::Endpoint>> ResolveEndpoints(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) {
    return core::Error{"OutputUnavailable", 503, "cannot resolve the push base " + host, ""};
  }
  std::vector<core::Endpoint> endpoints;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    if (auto ip = core::FromSockaddr(ai->ai_addr, ai->ai_addrlen)) {
      endpoints.push_back({*ip, port});
    }
  }
  freeaddrinfo(res);
  return endpoints;
}

}  // namespace floe::media

// The interposer: the executable's connect() comes before the C library's for every shared
// library (CMake exports it with --export-dynamic-symbol).
extern "C" int connect(int fd, const sockaddr* addr, socklen_t len) {
  using namespace floe;
  core::NetPolicy* policy = media::g_active.load();
  if (policy && addr) {
    if (auto ip = core::FromSockaddr(addr, len)) {
      uint16_t port = media::PortOf(addr);
      int type = 0;
      socklen_t type_len = sizeof type;
      // Unknown type: judged as a stream (the stricter rule).
      bool datagram =
          getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_DGRAM;
      bool trusted = media::t_trusted && core::Contains(*media::t_trusted, *ip, port);
      if (!trusted &&
          !policy->Allows(*ip, port,
                          datagram ? core::Transport::kDatagram : core::Transport::kStream)) {
        ++media::t_refused;
        errno = EACCES;
        return -1;
      }
    }
  }
  return media::RealConnect()(fd, addr, len);
}
