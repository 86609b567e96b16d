#include "auth/link_signer.h"

#include "auth/crypto.h"
#include "core/time.h"

namespace floe::auth {

LinkSigner::LinkSigner(std::string key, Clock clock)
    : key_(std::move(key)),
      clock_(clock ? std::move(clock) : Clock([] { return core::NowMillis(); })) {}

int64_t LinkSigner::ExpiresIn(int64_t ttl_s) const {
  return clock_() / 1000 + ttl_s;
}

std::string LinkSigner::Sign(const std::vector<std::string>& fields, int64_t expires_s) const {
  std::string data;  // each field length-prefixed: no two lists of fields sign alike
  for (const auto& f : fields) data += std::to_string(f.size()) + ":" + f + "\n";
  return Hex(HmacSha256(key_, data + std::to_string(expires_s)));
}

bool LinkSigner::Verify(const std::vector<std::string>& fields, const std::string& expires,
                        const std::string& sig) const {
  if (expires.empty() || expires.size() > 12 || expires[0] == '0' ||
      expires.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  int64_t expires_s = std::stoll(expires);
  if (expires_s < clock_() / 1000) return false;
  return ConstantTimeEquals(Sign(fields, expires_s), sig);
}

}  // namespace floe::auth
