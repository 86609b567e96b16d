// SqliteStore: accounts, AccessKeys, RAM users and policies, nonces.
#include "store/sqlite/sqlite_store.h"

#include "core/time.h"
#include "store/sqlite/query.h"

namespace floe::store::sqlite {

using core::Error;

namespace {

Account AccountFromRow(const Stmt& s) {
  return {s.Text(0), s.Text(1), s.Int(2) != 0, s.Int(3)};
}

}  // namespace

Result<void> SqliteStore::CreateAccount(const Account& a,
                                        const std::optional<AccessKey>& first_key) {
  return Write([&](Db& db) -> Result<void> {
    db.Prepare("INSERT INTO accounts(account_id, name, ice_enabled, create_time) VALUES (?,?,?,?)")
        .Bind(1, a.account_id)
        .Bind(2, a.name)
        .Bind(3, int64_t{a.ice_enabled ? 1 : 0})
        .Bind(4, a.create_time_ms)
        .Step();
    if (first_key) InsertAccessKey(db, *first_key);
    return {};
  });
}

Result<std::optional<Account>> SqliteStore::GetAccount(const std::string& account_id) {
  return Read<std::optional<Account>>([&](Db& db) -> std::optional<Account> {
    auto s = db.Prepare(
        "SELECT account_id, name, ice_enabled, create_time FROM accounts WHERE account_id = ?");
    s.Bind(1, account_id);
    if (!s.Step()) return std::nullopt;
    return AccountFromRow(s);
  });
}

Result<std::optional<Account>> SqliteStore::GetRootAccount() {
  return Read<std::optional<Account>>([&](Db& db) -> std::optional<Account> {
    auto s = db.Prepare(
        "SELECT account_id, name, ice_enabled, create_time FROM accounts "
        "ORDER BY create_time, rowid LIMIT 1");
    if (!s.Step()) return std::nullopt;
    return AccountFromRow(s);
  });
}

void SqliteStore::InsertAccessKey(Db& db, const AccessKey& k) {
  db.Prepare(
        "INSERT INTO access_keys(access_key_id, secret, account_id, user_name, active, "
        "create_time, sealed) VALUES (?,?,?,?,?,?,?)")
      .Bind(1, k.access_key_id)
      .Bind(2, k.secret)
      .Bind(3, k.account_id)
      .Bind(4, k.user_name)
      .Bind(5, int64_t{k.active ? 1 : 0})
      .Bind(6, k.create_time_ms)
      .Bind(7, int64_t{k.sealed ? 1 : 0})
      .Step();
}

Result<void> SqliteStore::CreateAccessKey(const AccessKey& k) {
  return Write([&](Db& db) -> Result<void> {
    InsertAccessKey(db, k);
    return {};
  });
}

Result<std::optional<AccessKey>> SqliteStore::GetAccessKey(const std::string& access_key_id) {
  return Read<std::optional<AccessKey>>([&](Db& db) -> std::optional<AccessKey> {
    auto s = db.Prepare(
        "SELECT access_key_id, secret, account_id, user_name, active, create_time, sealed "
        "FROM access_keys WHERE access_key_id = ?");
    s.Bind(1, access_key_id);
    if (!s.Step()) return std::nullopt;
    return AccessKey{s.Text(0),     s.Text(1), s.Text(2),    s.Text(3),
                     s.Int(4) != 0, s.Int(5),  s.Int(6) != 0};
  });
}

Result<bool> SqliteStore::SetIceEnabled(const std::string& account_id, bool enabled) {
  return WriteChanged([&](Db& db) {
    db.Prepare("UPDATE accounts SET ice_enabled = ? WHERE account_id = ?")
        .Bind(1, int64_t{enabled ? 1 : 0})
        .Bind(2, account_id)
        .Step();
  });
}

Result<bool> SqliteStore::SetAccessKeyActive(const std::string& access_key_id, bool active) {
  return WriteChanged([&](Db& db) {
    db.Prepare("UPDATE access_keys SET active = ? WHERE access_key_id = ?")
        .Bind(1, int64_t{active ? 1 : 0})
        .Bind(2, access_key_id)
        .Step();
  });
}

Result<bool> SqliteStore::DeleteAccessKey(const std::string& access_key_id) {
  return WriteChanged([&](Db& db) {
    db.Prepare("DELETE FROM access_keys WHERE access_key_id = ?").Bind(1, access_key_id).Step();
  });
}

Result<int> SqliteStore::SealPlaintextSecrets(
    const std::function<std::string(const std::string&)>& seal) {
  int count = 0;
  auto r = Write([&](Db& db) -> Result<void> {
    std::vector<std::pair<std::string, std::string>> plain;
    {
      auto s = db.Prepare("SELECT access_key_id, secret FROM access_keys WHERE sealed = 0");
      while (s.Step()) plain.emplace_back(s.Text(0), s.Text(1));
    }
    for (const auto& [id, secret] : plain) {
      db.Prepare("UPDATE access_keys SET secret = ?, sealed = 1 WHERE access_key_id = ?")
          .Bind(1, seal(secret))
          .Bind(2, id)
          .Step();
    }
    count = static_cast<int>(plain.size());
    return {};
  });
  if (!r) return r.error();
  return count;
}

Result<bool> SqliteStore::CreateRamUser(const RamUser& u) {
  return WriteChanged([&](Db& db) {
    db.Prepare(
          "INSERT INTO ram_users(account_id, user_name, create_time) VALUES (?,?,?) "
          "ON CONFLICT(account_id, user_name) DO NOTHING")
        .Bind(1, u.account_id)
        .Bind(2, u.user_name)
        .Bind(3, u.create_time_ms)
        .Step();
  });
}

Result<std::optional<RamUser>> SqliteStore::GetRamUser(const std::string& account_id,
                                                       const std::string& user_name) {
  return Read<std::optional<RamUser>>([&](Db& db) -> std::optional<RamUser> {
    auto s = db.Prepare(
        "SELECT account_id, user_name, create_time FROM ram_users "
        "WHERE account_id = ? AND user_name = ?");
    s.Bind(1, account_id).Bind(2, user_name);
    if (!s.Step()) return std::nullopt;
    return RamUser{s.Text(0), s.Text(1), s.Int(2)};
  });
}

Result<void> SqliteStore::AttachPolicy(const std::string& account_id, const std::string& user_name,
                                       const std::string& document) {
  return Write([&](Db& db) -> Result<void> {
    db.Prepare(
          "INSERT INTO ram_policies(account_id, user_name, document, create_time) "
          "VALUES (?,?,?,?)")
        .Bind(1, account_id)
        .Bind(2, user_name)
        .Bind(3, document)
        .Bind(4, core::NowMillis())
        .Step();
    return {};
  });
}

Result<std::vector<std::string>> SqliteStore::ListPolicies(const std::string& account_id,
                                                           const std::string& user_name) {
  return Read<std::vector<std::string>>([&](Db& db) {
    auto s = db.Prepare(
        "SELECT document FROM ram_policies WHERE account_id = ? AND user_name = ? "
        "ORDER BY policy_id");
    s.Bind(1, account_id).Bind(2, user_name);
    std::vector<std::string> docs;
    while (s.Step()) docs.push_back(s.Text(0));
    return docs;
  });
}

Result<bool> SqliteStore::UseNonce(const std::string& nonce_key, int64_t now_ms,
                                   int64_t expires_ms) {
  bool fresh = false;
  auto r = Write([&](Db& db) -> Result<void> {
    // Expired nonces are dropped now and then, so the table holds about one window's worth.
    if (now_ms >= next_nonce_purge_ms_) {
      db.Prepare("DELETE FROM nonces WHERE expires_at < ?").Bind(1, now_ms).Step();
      next_nonce_purge_ms_ = now_ms + 10'000;
    }
    db.Prepare(
          "INSERT INTO nonces(nonce_key, expires_at) VALUES (?1, ?2) ON CONFLICT(nonce_key) "
          "DO UPDATE SET expires_at = ?2 WHERE nonces.expires_at < ?3")
        .Bind(1, nonce_key)
        .Bind(2, expires_ms)
        .Bind(3, now_ms)
        .Step();
    fresh = sqlite3_changes(db.handle()) > 0;
    return {};
  });
  if (!r) return r.error();
  return fresh;
}

}  // namespace floe::store::sqlite
