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
#include "core/time.h"

namespace floe::cli {

namespace fs = std::filesystem;

void EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create data dir " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
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

}  // namespace

std::string BootstrapRootAccount(store::Store& store, const std::string& dir) {
  std::string path = (fs::path(dir) / "credentials.json").string();
  auto root = store.GetRootAccount();
  if (!root) throw std::runtime_error(root.error().message);
  if (root->has_value()) {
    if (!fs::exists(path)) {
      spdlog::warn(
          "event=credentials_missing path={} note=\"root account exists; its key file was "
          "removed\"",
          path);
    }
    return path;
  }
  int64_t now = core::NowMillis();
  store::Account account{core::NewAccountId(), "root", true, now};
  store::AccessKey key{
      core::NewAccessKeyId(), core::NewAccessKeySecret(), account.account_id, "", true, now};
  // The file first: a crash before the store commit leaves no account, and the next start
  // simply makes a new one and overwrites the file.
  nlohmann::ordered_json creds{{"AccountId", account.account_id},
                               {"AccessKeyId", key.access_key_id},
                               {"AccessKeySecret", key.secret}};
  WriteSecretFile(path, creds.dump(2) + "\n");
  if (auto r = store.CreateAccount(account); !r) throw std::runtime_error(r.error().message);
  if (auto r = store.CreateAccessKey(key); !r) throw std::runtime_error(r.error().message);
  spdlog::info("event=root_account_created account_id={} access_key_id={} credentials={}",
               account.account_id, key.access_key_id, path);
  return path;
}

}  // namespace floe::cli
