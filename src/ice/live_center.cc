#include "ice/live_center.h"

#include "core/strings.h"

namespace floe::ice {

using core::Error;

namespace {

Error Invalid(const std::string& field, const std::string& why) {
  Error e = Error::InvalidParameter(field, why);
  e.recommend =
      "Use a DomainName the operator mapped (floe serve --live-center), or TranscodeOutput "
      "Type rtmp with an OutputUrl.";
  return e;
}

// "rtmp://HOST:PORT" with nothing after the port (a trailing "/" is tolerated).
bool IsPushBase(const std::string& base) {
  const std::string scheme = "rtmp://";
  if (base.rfind(scheme, 0) != 0) return false;
  std::string rest = base.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) return false;
  for (size_t i = colon + 1; i < rest.size(); ++i) {
    if (rest[i] < '0' || rest[i] > '9') return false;
  }
  return rest.find('/') == std::string::npos;
}

}  // namespace

core::Result<void> LiveCenter::AddMapping(const std::string& mapping) {
  auto eq = mapping.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Error{"InvalidConfig", 400,
                 "live center \"" + mapping + "\": expected DOMAIN=rtmp://HOST:PORT", ""};
  }
  std::string base = mapping.substr(eq + 1);
  if (!IsPushBase(base)) {
    return Error{"InvalidConfig", 400,
                 "live center \"" + mapping + "\": the push base must be rtmp://HOST:PORT", ""};
  }
  Add(mapping.substr(0, eq), base);
  return {};
}

void LiveCenter::Add(const std::string& domain, const std::string& push_base) {
  std::string base = push_base;
  if (!base.empty() && base.back() == '/') base.pop_back();
  bases_[domain] = base;
}

std::optional<std::string> LiveCenter::PushBase(const std::string& domain) const {
  auto it = bases_.find(domain);
  if (it == bases_.end()) return std::nullopt;
  return it->second;
}

core::Result<std::string> LiveCenter::OutputUrl(const std::string& domain,
                                                const std::string& input_url,
                                                const std::string& template_id) const {
  auto base = PushBase(domain);
  if (!base) {
    return Invalid("TranscodeOutput.DomainName",
                   "the DomainName \"" + core::Excerpt(domain) +
                       "\" is not mapped to a push address on this Floe.");
  }
  // The last two path segments of the input are {app}/{stream}; a query string is dropped.
  auto scheme = input_url.find("://");
  auto path_at = scheme == std::string::npos ? std::string::npos : input_url.find('/', scheme + 3);
  std::string path = path_at == std::string::npos ? "" : input_url.substr(path_at + 1);
  path = path.substr(0, path.find('?'));
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) {
    return Invalid(
        "StreamInput.InputUrl",
        "a LiveCenter output needs an input URL of the form scheme://host/{app}/{stream}.");
  }
  std::string stream = path.substr(slash + 1);
  auto app_start = path.rfind('/', slash - 1);
  std::string app = path.substr(app_start == std::string::npos ? 0 : app_start + 1,
                                slash - (app_start == std::string::npos ? 0 : app_start + 1));
  if (stream.size() > 5 && stream.substr(stream.size() - 5) == ".m3u8") {
    stream.resize(stream.size() - 5);
  }
  return *base + "/" + app + "/" + stream + "_" + template_id;
}

}  // namespace floe::ice
