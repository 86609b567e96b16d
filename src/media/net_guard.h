// The network guard of a media process: once installed, every connect() the process makes
// (libavformat's TCP for RTMP and HTTP, each redirect, each playlist segment and key, after DNS
// has resolved the name) is checked against a NetPolicy and fails with EACCES when not allowed.
// Floe defines connect() itself and passes allowed calls on to the C library. Not installed (the
// API server, tests that do not ask for it), it passes everything through.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/net_policy.h"
#include "core/result.h"

namespace floe::media {

// Installs the policy for the rest of the process, replacing an earlier one at once (safe while
// media threads connect: each connect() sees the old policy or the new one). The name servers of
// /etc/resolv.conf stay reachable over UDP on port 53 so that names still resolve.
void InstallNetGuard(core::NetPolicy policy);
// Removes it again (tests).
void RemoveNetGuard();
// How many connects this thread had refused so far.
uint64_t RefusedConnectsOnThisThread();

// Resolves host and checks every address it has; the first allowed one as text ("203.0.113.7"
// or "2001:db8::1"), for protocols that do not connect() (SRT over UDP) and are pinned to it.
// "InputRefused" when an address is not allowed, "InputUnavailable" when the name does not
// resolve.
core::Result<std::string> ResolveAllowed(const std::string& host, uint16_t port);

// Every address host resolves to now, at `port`: a LiveCenter push base, which the operator
// configured. OutputUnavailable when the name does not resolve.
core::Result<std::vector<core::Endpoint>> ResolveEndpoints(const std::string& host, uint16_t port);

// While alive, the connects of this thread may also reach `endpoints` (a rendition's own push
// base, around its muxer's connect): no other thread of the process, not the input nor another
// rendition, gains them. Scopes do not nest.
class TrustScope {
 public:
  explicit TrustScope(const std::vector<core::Endpoint>& endpoints);
  ~TrustScope();
  TrustScope(const TrustScope&) = delete;
  TrustScope& operator=(const TrustScope&) = delete;
};

}  // namespace floe::media
