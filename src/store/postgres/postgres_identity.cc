// PostgresStore: accounts, AccessKeys, RAM users and policies, nonces.
#include <algorithm>
#include <optional>
#include <set>

#include "core/time.h"
#include "store/postgres/postgres_store.h"

namespace floe::store::postgres {

namespace {

// Every node's identity cache forgets what it read once this transaction commits
// (postgres_presence.cc, WatchIdentity).
void Changed(Conn& c) {
  c.Simple("NOTIFY floe_identity");
}

}  // namespace

namespace {

constexpr char kAccountColumns[] = "account_id, name, ice_enabled, create_time";
constexpr char kKeyColumns[] =
    "access_key_id, secret, account_id, user_name, active, create_time, sealed";

std::optional<Account> AccountAt(const Rows& r) {
  if (r.empty()) return std::nullopt;
  return Account{r.Text(0, 0), r.Text(0, 1), r.Int(0, 2) != 0, r.Int(0, 3)};
}

void InsertKey(Conn& c, const AccessKey& k) {
  c.Exec(std::string("INSERT INTO access_keys(") + kKeyColumns +
             ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
         Params()
             .Add(k.access_key_id)
             .Add(k.secret)
             .Add(k.account_id)
             .Add(k.user_name)
             .Add(k.active)
             .Add(k.create_time_ms)
             .Add(k.sealed));
}

}  // namespace

Result<void> PostgresStore::CreateAccount(const Account& a,
                                          const std::optional<AccessKey>& first_key) {
  return Tx<void>([&](Conn& c) -> Result<void> {
    c.Exec(std::string("INSERT INTO accounts(") + kAccountColumns + ") VALUES ($1, $2, $3, $4)",
           Params().Add(a.account_id).Add(a.name).Add(a.ice_enabled).Add(a.create_time_ms));
    if (first_key) InsertKey(c, *first_key);
    return {};
  });
}

Result<std::optional<Account>> PostgresStore::GetAccount(const std::string& account_id) {
  return Tx<std::optional<Account>>(
      [&](Conn& c) -> Result<std::optional<Account>> {
        return AccountAt(c.Exec(
            std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE account_id = $1",
            Params().Add(account_id)));
      },
      true);
}

Result<std::optional<Account>> PostgresStore::GetRootAccount() {
  return Tx<std::optional<Account>>(
      [&](Conn& c) -> Result<std::optional<Account>> {
        return AccountAt(c.Exec(std::string("SELECT ") + kAccountColumns +
                                " FROM accounts ORDER BY create_time, seq LIMIT 1"));
      },
      true);
}

Result<bool> PostgresStore::SetIceEnabled(const std::string& account_id, bool enabled) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    Changed(c);
    return c.Exec("UPDATE accounts SET ice_enabled = $1 WHERE account_id = $2",
                  Params().Add(enabled).Add(account_id))
               .affected() > 0;
  });
}

Result<void> PostgresStore::CreateAccessKey(const AccessKey& k) {
  return Tx<void>([&](Conn& c) -> Result<void> {
    InsertKey(c, k);
    return {};
  });
}

Result<std::optional<AccessKey>> PostgresStore::GetAccessKey(const std::string& access_key_id) {
  return Tx<std::optional<AccessKey>>(
      [&](Conn& c) -> Result<std::optional<AccessKey>> {
        auto r = c.Exec(
            std::string("SELECT ") + kKeyColumns + " FROM access_keys WHERE access_key_id = $1",
            Params().Add(access_key_id));
        if (r.empty()) return std::optional<AccessKey>();
        return std::optional<AccessKey>(AccessKey{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2),
                                                  r.Text(0, 3), r.Int(0, 4) != 0, r.Int(0, 5),
                                                  r.Int(0, 6) != 0});
      },
      true);
}

Result<bool> PostgresStore::SetAccessKeyActive(const std::string& access_key_id, bool active) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    Changed(c);
    return c.Exec("UPDATE access_keys SET active = $1 WHERE access_key_id = $2",
                  Params().Add(active).Add(access_key_id))
               .affected() > 0;
  });
}

Result<bool> PostgresStore::DeleteAccessKey(const std::string& access_key_id) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    Changed(c);
    return c.Exec("DELETE FROM access_keys WHERE access_key_id = $1", Params().Add(access_key_id))
               .affected() > 0;
  });
}

Result<int> PostgresStore::SealPlaintextSecrets(
    const std::function<std::string(const std::string&)>& seal) {
  return Tx<int>([&](Conn& c) -> Result<int> {
    Changed(c);
    auto r = c.Exec("SELECT access_key_id, secret FROM access_keys WHERE sealed = 0 FOR UPDATE");
    for (int i = 0; i < r.size(); ++i) {
      c.Exec("UPDATE access_keys SET secret = $1, sealed = 1 WHERE access_key_id = $2",
             Params().Add(seal(r.Text(i, 1))).Add(r.Text(i, 0)));
    }
    return r.size();
  });
}

Result<bool> PostgresStore::CreateRamUser(const RamUser& u) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec(
                "INSERT INTO ram_users(account_id, user_name, create_time) VALUES ($1, $2, $3) "
                "ON CONFLICT (account_id, user_name) DO NOTHING",
                Params().Add(u.account_id).Add(u.user_name).Add(u.create_time_ms))
               .affected() > 0;
  });
}

Result<std::optional<RamUser>> PostgresStore::GetRamUser(const std::string& account_id,
                                                         const std::string& user_name) {
  return Tx<std::optional<RamUser>>(
      [&](Conn& c) -> Result<std::optional<RamUser>> {
        auto r = c.Exec(
            "SELECT account_id, user_name, create_time FROM ram_users "
            "WHERE account_id = $1 AND user_name = $2",
            Params().Add(account_id).Add(user_name));
        if (r.empty()) return std::optional<RamUser>();
        return std::optional<RamUser>(RamUser{r.Text(0, 0), r.Text(0, 1), r.Int(0, 2)});
      },
      true);
}

Result<void> PostgresStore::AttachPolicy(const std::string& account_id,
                                         const std::string& user_name,
                                         const std::string& document) {
  return Tx<void>([&](Conn& c) -> Result<void> {
    c.Exec(
        "INSERT INTO ram_policies(account_id, user_name, document, create_time) "
        "VALUES ($1, $2, $3, $4)",
        Params().Add(account_id).Add(user_name).Add(document).Add(core::NowMillis()));
    Changed(c);
    return {};
  });
}

Result<std::vector<std::string>> PostgresStore::ListPolicies(const std::string& account_id,
                                                             const std::string& user_name) {
  return Tx<std::vector<std::string>>(
      [&](Conn& c) -> Result<std::vector<std::string>> {
        auto r = c.Exec(
            "SELECT document FROM ram_policies WHERE account_id = $1 AND user_name = $2 "
            "ORDER BY policy_id",
            Params().Add(account_id).Add(user_name));
        std::vector<std::string> docs;
        for (int i = 0; i < r.size(); ++i) docs.push_back(r.Text(i, 0));
        return docs;
      },
      true);
}

struct PostgresStore::NonceUse {
  std::string key;
  int64_t now_ms, expires_ms;
  std::optional<Result<bool>> result;  // set under nonce_mu_ by the batch's committer
  // Woken when its result is set, or when it is first in line to commit the next batch: one
  // wake-up per request, not one per waiting request for each batch.
  std::condition_variable wake;
};

// Every signed request writes its nonce, and on a busy node each of those commits was a WAL
// flush of its own. Here the first caller commits the batch it finds (its own and whoever waits);
// those that arrive meanwhile wait for that commit and go together in the next one. Each gets its
// answer only after the commit that holds its row: acknowledged means durable, as before.
Result<bool> PostgresStore::UseNonce(const std::string& nonce_key, int64_t now_ms,
                                     int64_t expires_ms) {
  NonceUse mine{nonce_key, now_ms, expires_ms, std::nullopt, {}};
  std::unique_lock lock(nonce_mu_);
  nonce_queue_.push_back(&mine);
  while (!mine.result) {
    if (nonce_committing_) {
      mine.wake.wait(lock);
      continue;
    }
    std::vector<NonceUse*> batch;
    batch.swap(nonce_queue_);
    nonce_committing_ = true;
    lock.unlock();
    CommitNonces(batch);  // answers and wakes the batch
    lock.lock();
    nonce_committing_ = false;
    // Whoever came meanwhile: the first of them commits the next batch.
    if (!nonce_queue_.empty()) nonce_queue_.front()->wake.notify_one();
  }
  return *mine.result;
}

void PostgresStore::CommitNonces(const std::vector<NonceUse*>& batch) {
  // Expired nonces are dropped now and then (by whichever node gets here first), so the table
  // holds about one window's worth for the whole cluster.
  const int64_t now_ms = batch.front()->now_ms;
  int64_t due = next_nonce_purge_ms_.load();
  if (now_ms >= due && next_nonce_purge_ms_.compare_exchange_strong(due, now_ms + 10'000)) {
    // Best effort: a failed purge leaves rows that the next one drops.
    (void)Autocommit<void>([&](Conn& c) -> Result<void> {
      c.Exec("DELETE FROM nonces WHERE expires_at < $1", Params().Add(now_ms));
      return {};
    });
  }
  // The batch's distinct keys, sorted (two nodes inserting overlapping batches take the rows in
  // one order: no deadlock); a key used twice within the batch is a replay from its second use.
  std::vector<size_t> order(batch.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return batch[a]->key < batch[b]->key; });
  std::vector<std::string> keys;
  std::vector<int64_t> expires;
  for (size_t i : order) {
    if (!keys.empty() && keys.back() == batch[i]->key) continue;
    keys.push_back(batch[i]->key);
    expires.push_back(batch[i]->expires_ms);
  }
  // One statement for the batch: its own transaction, one round trip and one WAL flush. A key
  // inserted (or an expired row of it taken over) comes back; one in use by another request,
  // on this node or another, does not.
  auto r = Autocommit<std::vector<std::string>>([&](Conn& c) -> Result<std::vector<std::string>> {
    auto rows = c.Exec(
        "INSERT INTO nonces(nonce_key, expires_at) "
        "SELECT k, e FROM unnest($1::text[], $2::bigint[]) AS u(k, e) "
        "ON CONFLICT (nonce_key) DO UPDATE SET expires_at = EXCLUDED.expires_at "
        "WHERE nonces.expires_at < $3 RETURNING nonce_key",
        Params().Add(keys).Add(expires).Add(now_ms));
    std::vector<std::string> fresh;
    for (int i = 0; i < rows.size(); ++i) fresh.push_back(rows.Text(i, 0));
    return fresh;
  });
  ++nonce_commits_;
  std::set<std::string> fresh;
  if (r) fresh.insert(r->begin(), r->end());
  std::lock_guard lock(nonce_mu_);
  for (NonceUse* u : batch) {
    if (!r) {
      u->result = Result<bool>(r.error());
      continue;
    }
    // erase: the first use of a key in the batch is fresh, any later one a replay.
    u->result = Result<bool>(fresh.erase(u->key) > 0);
  }
  for (NonceUse* u : batch) u->wake.notify_one();
}

}  // namespace floe::store::postgres
