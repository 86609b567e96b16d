// LiveCenter, Floe's rule: a DomainName belongs to one account and maps to a push base
// (rtmp://HOST:PORT); a job of that account reading rtmp://…/{app}/{stream} with template T
// pushes to {base}/{app}/{stream}_{T}. Domains live in the store (`floe admin domain …`);
// `floe serve --live-center DOMAIN=URL` is a shortcut that gives the root account DOMAIN.
// A push base serves one account: the names pushed there follow ICE's rule, which has no room
// for the domain, so two accounts on one push base could publish over each other's streams.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace floe::ice {

struct LiveCenterOutput {
  std::string domain;
  std::string url;
};

class LiveCenter {
 public:
  explicit LiveCenter(store::Store& store) : store_(store) {}

  // "DOMAIN=rtmp://HOST:PORT" (as --live-center and the config file give it): the domain
  // becomes `account_id`'s (its push base updated if it already was); InvalidConfig when the
  // text is malformed or another account owns the domain.
  core::Result<void> AddMapping(const std::string& mapping, const std::string& account_id);

  // Where a LiveCenter job of `account_id` pushes. Without a domain, the account's only one.
  // InvalidParam.TranscodeOutput.DomainName for a domain the account does not own (unmapped or
  // another account's: the same answer), MissingParameter when none is named and the account
  // has zero or several, InvalidParam.StreamInput.InputUrl for an input without app/stream.
  core::Result<LiveCenterOutput> Resolve(const std::string& account_id,
                                         const std::optional<std::string>& domain,
                                         const std::string& input_url,
                                         const std::string& template_id) const;

  // A domain name as the store keeps it (lower case), or InvalidParameter(field).
  static core::Result<std::string> NormalizeDomain(const std::string& name,
                                                   const std::string& field);
  static bool IsPushBase(const std::string& base);
  // PushBaseInUse when another account has a domain on the same push base (host compared
  // case-insensitively, the port as a number); the same account may map several domains there.
  core::Result<void> CheckPushBaseFree(const std::string& base,
                                       const std::string& account_id) const;
  // {base}/{app}/{stream}_{template_id}.
  static core::Result<std::string> PushUrl(const std::string& base, const std::string& input_url,
                                           const std::string& template_id);

 private:
  store::Store& store_;
};

}  // namespace floe::ice
