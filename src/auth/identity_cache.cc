#include "auth/identity_cache.h"

#include "core/time.h"

namespace floe::auth {

IdentityCache::IdentityCache(store::Store& store, Clock clock)
    : store_(store), clock_(clock ? std::move(clock) : Clock(core::NowMillis)) {
  store_.WatchIdentity([this](bool watching) { Changed(watching); });
}

IdentityCache::~IdentityCache() {
  store_.WatchIdentity(nullptr);
}

void IdentityCache::Changed(bool watching) {
  std::lock_guard lock(mu_);
  ++generation_;
  watching_ = watching;
  keys_.clear();
  accounts_.clear();
  policies_.clear();
}

bool IdentityCache::caching() const {
  std::lock_guard lock(mu_);
  return watching_;
}

size_t IdentityCache::size() const {
  std::lock_guard lock(mu_);
  return keys_.size() + accounts_.size() + policies_.size();
}

template <class T, class Fetch>
core::Result<T> IdentityCache::Through(std::map<std::string, Entry<T>>& map, const std::string& key,
                                       Fetch fetch, bool (*keep)(const T&)) {
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    if (!watching_) return fetch();
    auto it = map.find(key);
    if (it != map.end() && clock_() - it->second.fetched_ms < kMaxAgeMs) return it->second.value;
    generation = generation_;
  }
  const int64_t fetched = clock_();
  core::Result<T> r = fetch();
  if (r && keep(*r)) {
    std::lock_guard lock(mu_);
    if (watching_ && generation == generation_) map[key] = Entry<T>{*r, fetched};
  }
  return r;
}

core::Result<std::optional<store::AccessKey>> IdentityCache::GetAccessKey(
    const std::string& access_key_id) {
  return Through<std::optional<store::AccessKey>>(
      keys_, access_key_id, [&] { return store_.GetAccessKey(access_key_id); },
      [](const std::optional<store::AccessKey>& k) { return k.has_value(); });
}

core::Result<std::optional<store::Account>> IdentityCache::GetAccount(
    const std::string& account_id) {
  return Through<std::optional<store::Account>>(
      accounts_, account_id, [&] { return store_.GetAccount(account_id); },
      [](const std::optional<store::Account>& a) { return a.has_value(); });
}

core::Result<std::vector<std::string>> IdentityCache::ListPolicies(const std::string& account_id,
                                                                   const std::string& user_name) {
  return Through<std::vector<std::string>>(
      policies_, account_id + "\n" + user_name,
      [&] { return store_.ListPolicies(account_id, user_name); },
      [](const std::vector<std::string>&) { return true; });
}

}  // namespace floe::auth
