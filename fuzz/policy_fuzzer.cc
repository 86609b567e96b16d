// RAM policy documents: parsing, then evaluation against the ARNs Floe builds; the wildcard
// matcher on a pattern and a text split out of the input.
#include <cstdint>
#include <string>

#include "auth/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto policy = floe::auth::ParsePolicy(in);
  if (policy) {
    for (const char* arn : {"acs:ice:local:1000000000000001:template/*",
                            "acs:ice:local:1000000000000001:template/0123456789abcdef",
                            "acs:ice:local:1000000000000001:job/x"}) {
      (void)floe::auth::Evaluate({*policy}, "ice:UpdateLiveTranscodeTemplate", arn);
    }
  }
  size_t split = in.find('\0');
  if (split != std::string::npos) {
    (void)floe::auth::WildcardMatch(in.substr(0, split), in.substr(split + 1), true);
  }
  return 0;
}
