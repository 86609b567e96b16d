#include "ice/live_center.h"

#include <cctype>

#include "core/strings.h"
#include "core/time.h"

namespace floe::ice {

using core::Error;

namespace {

Error Invalid(const std::string& field, const std::string& why) {
  Error e = Error::InvalidParameter(field, why);
  e.recommend =
      "Use a DomainName the operator gave this account (floe admin domain add), or "
      "TranscodeOutput Type rtmp with an OutputUrl.";
  return e;
}

Error BadConfig(const std::string& mapping, const std::string& why) {
  return Error{"InvalidConfig", 400, "live center \"" + core::Excerpt(mapping, 200) + "\": " + why,
               ""};
}

// "rtmp://Host:01935/" → "rtmp://host:1935", for comparing push bases (IsPushBase holds).
std::string Canonical(std::string base) {
  if (base.back() == '/') base.pop_back();
  auto colon = base.rfind(':');
  std::string host = base.substr(0, colon);
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto port = core::ParsePlainInt(base.substr(colon + 1));
  return host + ":" + (port ? std::to_string(*port) : base.substr(colon + 1));
}

}  // namespace

core::Result<void> LiveCenter::CheckPushBaseFree(const std::string& base,
                                                 const std::string& account_id) const {
  auto all = store_.ListDomains(std::nullopt);
  if (!all) return all.error();
  for (const auto& d : *all) {
    if (d.account_id != account_id && Canonical(d.push_base) == Canonical(base)) {
      return Error{"PushBaseInUse", 409,
                   "the push base " + core::Excerpt(base, 200) + " serves account " + d.account_id +
                       " (domain " + d.name + "); the stream names pushed there would collide",
                   "Give each account a push base of its own (another origin, or another port "
                   "of the origin)."};
    }
  }
  return {};
}

// "rtmp://HOST:PORT" with nothing after the port (a trailing "/" is tolerated).
bool LiveCenter::IsPushBase(const std::string& base) {
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

core::Result<std::string> LiveCenter::NormalizeDomain(const std::string& name,
                                                      const std::string& field) {
  if (name.empty() || name.size() > 253) {
    return Error::InvalidParameter(field, "a domain name has 1-253 characters.");
  }
  std::string out;
  for (unsigned char c : name) {
    char l = static_cast<char>(std::tolower(c));
    if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '.')) {
      return Error::InvalidParameter(
          field,
          "\"" + core::Excerpt(name) + "\" is not a domain name (letters, digits, - and .).");
    }
    out.push_back(l);
  }
  return out;
}

core::Result<void> LiveCenter::AddMapping(const std::string& mapping,
                                          const std::string& account_id) {
  auto eq = mapping.find('=');
  if (eq == std::string::npos || eq == 0)
    return BadConfig(mapping, "expected DOMAIN=rtmp://HOST:PORT");
  std::string base = mapping.substr(eq + 1);
  if (!IsPushBase(base)) return BadConfig(mapping, "the push base must be rtmp://HOST:PORT");
  if (base.back() == '/') base.pop_back();
  auto name = NormalizeDomain(mapping.substr(0, eq), "DomainName");
  if (!name) return BadConfig(mapping, name.error().message);
  auto existing = store_.GetDomain(*name);
  if (!existing) return existing.error();
  if (existing->has_value()) {
    if ((*existing)->account_id != account_id) {
      return BadConfig(mapping, "the domain belongs to account " + (*existing)->account_id);
    }
    if ((*existing)->push_base == base) return {};
  }
  if (auto free = CheckPushBaseFree(base, account_id); !free) {
    return BadConfig(mapping, free.error().message);
  }
  if (existing->has_value()) {
    if (auto r = store_.DeleteDomain(*name); !r) return r.error();
  }
  auto added = store_.AddDomain({*name, account_id, base, core::NowMillis()});
  if (!added) return added.error();
  if (!*added) return BadConfig(mapping, "the domain was added meanwhile by another command");
  return {};
}

core::Result<LiveCenterOutput> LiveCenter::Resolve(const std::string& account_id,
                                                   const std::optional<std::string>& domain,
                                                   const std::string& input_url,
                                                   const std::string& template_id) const {
  const std::string field = "TranscodeOutput.DomainName";
  std::optional<store::Domain> found;
  if (domain) {
    auto name = NormalizeDomain(*domain, field);
    if (!name) return name.error();
    auto d = store_.GetDomain(*name);
    if (!d) return d.error();
    // Another account's domain is answered as an unmapped one: nothing tells them apart.
    if (!d->has_value() || (*d)->account_id != account_id) {
      return Invalid(field, "the DomainName \"" + core::Excerpt(*domain) +
                                "\" is not mapped to a push address for this account.");
    }
    found = std::move(**d);
  } else {
    auto all = store_.ListDomains(account_id);
    if (!all) return all.error();
    if (all->size() != 1) {
      Error e = Error::MissingParameter(field);
      e.message += all->empty() ? " This account has no LiveCenter domain."
                                : " This account has " + std::to_string(all->size()) +
                                      " LiveCenter domains: name one.";
      return e;
    }
    found = std::move(all->front());
  }
  auto url = PushUrl(found->push_base, input_url, template_id);
  if (!url) return url.error();
  return LiveCenterOutput{found->name, *url};
}

core::Result<std::string> LiveCenter::PushUrl(const std::string& base, const std::string& input_url,
                                              const std::string& template_id) {
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
  return base + "/" + app + "/" + stream + "_" + template_id;
}

}  // namespace floe::ice
