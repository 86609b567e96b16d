// SqliteStore: LiveCenter domains and buckets.
#include "store/sqlite/sqlite_store.h"

namespace floe::store::sqlite {

Result<bool> SqliteStore::AddDomain(const Domain& d) {
  return WriteChanged([&](Db& db) {
    db.Prepare(
          "INSERT INTO domains(name, account_id, push_base, create_time) VALUES (?,?,?,?) "
          "ON CONFLICT(name) DO NOTHING")
        .Bind(1, d.name)
        .Bind(2, d.account_id)
        .Bind(3, d.push_base)
        .Bind(4, d.create_time_ms)
        .Step();
  });
}

Result<std::optional<Domain>> SqliteStore::GetDomain(const std::string& name) {
  return Read<std::optional<Domain>>([&](Db& db) -> std::optional<Domain> {
    auto s =
        db.Prepare("SELECT name, account_id, push_base, create_time FROM domains WHERE name = ?");
    s.Bind(1, name);
    if (!s.Step()) return std::nullopt;
    return Domain{s.Text(0), s.Text(1), s.Text(2), s.Int(3)};
  });
}

Result<std::vector<Domain>> SqliteStore::ListDomains(const std::optional<std::string>& account_id) {
  return Read<std::vector<Domain>>([&](Db& db) {
    auto s = db.Prepare(
        "SELECT name, account_id, push_base, create_time FROM domains "
        "WHERE ?1 IS NULL OR account_id = ?1 ORDER BY name");
    if (account_id) s.Bind(1, *account_id);
    std::vector<Domain> out;
    while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Int(3)});
    return out;
  });
}

Result<bool> SqliteStore::DeleteDomain(const std::string& name) {
  return WriteChanged(
      [&](Db& db) { db.Prepare("DELETE FROM domains WHERE name = ?").Bind(1, name).Step(); });
}

namespace {

constexpr char kBucketColumns[] =
    "SELECT name, account_id, endpoint, dir, create_time FROM buckets ";

Bucket BucketAt(Stmt& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)};
}

}  // namespace

Result<bool> SqliteStore::AddBucket(const Bucket& b) {
  return WriteChanged([&](Db& db) {
    db.Prepare(
          "INSERT INTO buckets(name, account_id, endpoint, dir, create_time) VALUES (?,?,?,?,?) "
          "ON CONFLICT(name) DO NOTHING")
        .Bind(1, b.name)
        .Bind(2, b.account_id)
        .Bind(3, b.endpoint)
        .Bind(4, b.dir)
        .Bind(5, b.create_time_ms)
        .Step();
  });
}

Result<std::optional<Bucket>> SqliteStore::GetBucket(const std::string& name) {
  return Read<std::optional<Bucket>>([&](Db& db) -> std::optional<Bucket> {
    auto s = db.Prepare(std::string(kBucketColumns) + "WHERE name = ?");
    s.Bind(1, name);
    if (!s.Step()) return std::nullopt;
    return BucketAt(s);
  });
}

Result<std::vector<Bucket>> SqliteStore::ListBuckets(const std::optional<std::string>& account_id) {
  return Read<std::vector<Bucket>>([&](Db& db) {
    auto s = db.Prepare(std::string(kBucketColumns) +
                        "WHERE ?1 IS NULL OR account_id = ?1 ORDER BY name");
    if (account_id) s.Bind(1, *account_id);
    std::vector<Bucket> out;
    while (s.Step()) out.push_back(BucketAt(s));
    return out;
  });
}

Result<bool> SqliteStore::DeleteBucket(const std::string& name) {
  return WriteChanged(
      [&](Db& db) { db.Prepare("DELETE FROM buckets WHERE name = ?").Bind(1, name).Step(); });
}

}  // namespace floe::store::sqlite
