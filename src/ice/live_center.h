// LiveCenter, Floe's rule: the operator maps each DomainName to a push base (rtmp://HOST:PORT);
// a job reading rtmp://…/{app}/{stream} with template T pushes to {base}/{app}/{stream}_{T}.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/result.h"

namespace floe::ice {

class LiveCenter {
 public:
  // "DOMAIN=rtmp://HOST:PORT" (as --live-center and the config file give it).
  core::Result<void> AddMapping(const std::string& mapping);
  void Add(const std::string& domain, const std::string& push_base);
  std::optional<std::string> PushBase(const std::string& domain) const;
  // The output URL of a job, or InvalidParameter (unmapped domain, input without app/stream).
  core::Result<std::string> OutputUrl(const std::string& domain, const std::string& input_url,
                                      const std::string& template_id) const;
  bool empty() const { return bases_.empty(); }

 private:
  std::map<std::string, std::string> bases_;
};

}  // namespace floe::ice
