#include "cli/bootstrap.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/ids.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_url.h"

namespace floe::cli {

namespace fs = std::filesystem;

bool IsPostgresUrl(const std::string& store_url) {
  return store_url.rfind("postgres://", 0) == 0 || store_url.rfind("postgresql://", 0) == 0;
}

std::unique_ptr<store::Store> OpenStore(const std::string& store_url, const std::string& dir) {
  if (store_url.empty()) return std::make_unique<store::sqlite::SqliteStore>(StorePath(dir));
  if (IsPostgresUrl(store_url)) return std::make_unique<store::postgres::PostgresStore>(store_url);
  throw std::runtime_error(
      "--store must be postgres://USER@HOST:PORT/DB (or absent: SQLite in "
      "the data directory)");
}

std::string DescribeStore(const std::string& store_url, const std::string& dir) {
  if (!IsPostgresUrl(store_url)) return "SQLite, " + StorePath(dir);
  return "PostgreSQL, " + store::MaskStoreUrl(store_url);  // user:****@, ?password=****
}

void EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create data dir " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
}

std::string StorePath(const std::string& dir) {
  return (fs::path(dir) / "floe.db").string();
}
std::string MasterKeyPath(const std::string& dir) {
  return (fs::path(dir) / "master.key").string();
}

namespace {

// Writes the file atomically (temp file, fsync, rename) with mode 0600 from its creation on.
void WriteSecretFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  }
}

template <class T>
T OrThrow(core::Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

}  // namespace

std::string BootstrapRootAccount(store::Store& store, auth::Identity& identity,
                                 const std::string& dir) {
  std::string path = (fs::path(dir) / "credentials.json").string();
  if (int n = OrThrow(identity.SealLegacySecrets()); n > 0) {
    spdlog::info("event=secrets_sealed count={}", n);
  }
  if (auto root = OrThrow(store.GetRootAccount())) {
    if (!fs::exists(path)) {
      spdlog::warn(
          "event=credentials_missing path={} note=\"the root account exists; create a key "
          "with floe admin key create\"",
          path);
    }
    return path;
  }
  // The account and its key commit in one transaction, after the file holding the key is on
  // disk: a crash leaves either nothing (the next start begins again) or both.
  auth::NewKey key = auth::Identity::GenerateKey();
  std::string account_id = core::NewAccountId();
  nlohmann::ordered_json creds{{"AccountId", account_id},
                               {"AccessKeyId", key.access_key_id},
                               {"AccessKeySecret", key.secret}};
  WriteSecretFile(path, creds.dump(2) + "\n");
  OrThrow(identity.CreateAccount("root", /*ice_enabled=*/true, key, account_id));
  spdlog::info("event=root_account_created account_id={} access_key_id={} credentials={}",
               account_id, key.access_key_id, path);
  return path;
}

}  // namespace floe::cli
