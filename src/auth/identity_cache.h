// What every signed request reads about its caller (the AccessKey, the account, the RAM user's
// policies), kept per node so that a request on a PostgreSQL store does not read it each time.
// Only a store that tells of every change (Store::WatchIdentity: PostgreSQL's LISTEN/NOTIFY) is
// cached: each change, and each moment the store cannot tell (its listener's connection broke),
// forgets everything, and while it cannot tell nothing is cached. Entries also age out after
// kMaxAgeMs. Only what exists is kept: a key created on another node is read on first use.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace floe::auth {

class IdentityCache {
 public:
  static constexpr int64_t kMaxAgeMs = 30'000;
  using Clock = std::function<int64_t()>;
  // Asks the store to tell of changes; until it says it can (never, on SQLite) every read goes
  // to the store.
  explicit IdentityCache(store::Store& store, Clock clock = nullptr);
  ~IdentityCache();
  IdentityCache(const IdentityCache&) = delete;
  IdentityCache& operator=(const IdentityCache&) = delete;

  core::Result<std::optional<store::AccessKey>> GetAccessKey(const std::string& access_key_id);
  core::Result<std::optional<store::Account>> GetAccount(const std::string& account_id);
  core::Result<std::vector<std::string>> ListPolicies(const std::string& account_id,
                                                      const std::string& user_name);

  // The store's word: something changed (forget all); watching: whether it can tell of the
  // next change (false: cache nothing until it can again).
  void Changed(bool watching);
  bool caching() const;
  size_t size() const;

 private:
  template <class T>
  struct Entry {
    T value;
    int64_t fetched_ms;
  };
  template <class T, class Fetch>
  core::Result<T> Through(std::map<std::string, Entry<T>>& map, const std::string& key, Fetch fetch,
                          bool (*keep)(const T&));

  store::Store& store_;
  Clock clock_;
  mutable std::mutex mu_;
  bool watching_ = false;
  uint64_t generation_ = 0;  // raised by every change: a read begun before one is not kept
  std::map<std::string, Entry<std::optional<store::AccessKey>>> keys_;
  std::map<std::string, Entry<std::optional<store::Account>>> accounts_;
  std::map<std::string, Entry<std::vector<std::string>>> policies_;
};

}  // namespace floe::auth
