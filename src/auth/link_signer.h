// Links that carry their own authority, for clients that cannot sign requests (a <video>
// element, a player, curl): EXPIRES/SIG path segments, SIG = hex(HMAC-SHA256(key, each field
// as "LENGTH:FIELD\n", then EXPIRES)), EXPIRES in Unix seconds. Preview links (ice/preview.h) and
// bucket file links (ice/buckets.h) use it, each with its own derived key.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace floe::auth {

class LinkSigner {
 public:
  using Clock = std::function<int64_t()>;  // Unix ms
  explicit LinkSigner(std::string key, Clock clock = nullptr);

  // When a link issued now for ttl_s seconds expires (Unix seconds).
  int64_t ExpiresIn(int64_t ttl_s) const;
  std::string Sign(const std::vector<std::string>& fields, int64_t expires_s) const;
  // True when `expires` (decimal Unix seconds, as the link carries it) is not past and `sig`
  // signs the fields with it.
  bool Verify(const std::vector<std::string>& fields, const std::string& expires,
              const std::string& sig) const;

 private:
  std::string key_;
  Clock clock_;
};

}  // namespace floe::auth
