#include "cli/ice_profile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/json.h"

namespace floe::cli {

using core::Error;
using core::Result;
using Json = nlohmann::ordered_json;

namespace {

Error ConfigError(const std::string& path, const std::string& why) {
  return Error{"Config.Invalid", 0, path + ": " + why, "Run floe ice configure to write it again."};
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::string IceConfigPath() {
  std::string home = Env("HOME");
  return (std::filesystem::path(home.empty() ? "." : home) / ".floe" / "config.json").string();
}

Result<IceConfig> LoadIceConfig(const std::string& path) {
  IceConfig config;
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return config;
    return ConfigError(path, "cannot be read.");
  }
  std::stringstream text;
  text << in.rdbuf();
  auto doc = core::ParseJson(text.str());
  if (!doc || !doc->is_object()) return ConfigError(path, "is not a JSON object.");
  try {
    config.current = doc->value("current", std::string("default"));
    for (const auto& p : doc->value("profiles", nlohmann::json::array())) {
      IceProfile profile;
      profile.name = p.at("name").get<std::string>();
      profile.access_key_id = p.value("access_key_id", std::string());
      profile.access_key_secret = p.value("access_key_secret", std::string());
      profile.endpoint = p.value("endpoint", std::string(kDefaultEndpoint));
      config.profiles.push_back(std::move(profile));
    }
  } catch (const nlohmann::json::exception& e) {
    return ConfigError(path, std::string("a profile is malformed (") + e.what() + ").");
  }
  return config;
}

Result<void> SaveIceConfig(const std::string& path, const IceConfig& config) {
  Json profiles = Json::array();
  for (const auto& p : config.profiles) {
    profiles.push_back(Json{{"name", p.name},
                            {"mode", "AK"},
                            {"access_key_id", p.access_key_id},
                            {"access_key_secret", p.access_key_secret},
                            {"endpoint", p.endpoint}});
  }
  std::string text = Json{{"current", config.current}, {"profiles", profiles}}.dump(2) + "\n";
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) return ConfigError(dir.string(), "cannot be created: " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  std::string tmp = path + ".tmp";
  // A file of our own, never one already there: an old tmp file would keep its mode, a
  // symlink (another user's, say) would take the credentials elsewhere. What is there is
  // removed, and O_EXCL | O_NOFOLLOW fails rather than follow one put back in between.
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ConfigError(tmp, std::string("cannot be created: ") + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ok;
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return ConfigError(path, "cannot be written.");
  }
  return {};
}

Result<IceProfile> ResolveCredentials(const std::string& path,
                                      const std::optional<std::string>& profile) {
  IceProfile chosen;
  std::string env_id = Env("ALIBABA_CLOUD_ACCESS_KEY_ID");
  std::string env_secret = Env("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  if (!profile && !env_id.empty() && !env_secret.empty()) {
    chosen.name = "environment";
    chosen.access_key_id = env_id;
    chosen.access_key_secret = env_secret;
  } else {
    auto config = LoadIceConfig(path);
    if (!config) return config.error();
    std::string name = profile.value_or(config->current);
    const IceProfile* found = nullptr;
    for (const auto& p : config->profiles) {
      if (p.name == name) found = &p;
    }
    if (!found) {
      return Error{"Config.NoCredentials", 0,
                   profile ? "There is no profile \"" + name + "\" in " + path + "."
                           : "No credentials: " + path +
                                 " has no current profile and ALIBABA_CLOUD_ACCESS_KEY_ID / "
                                 "ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set.",
                   "Run floe ice configure, or set the two variables."};
    }
    chosen = *found;
  }
  if (std::string endpoint = Env("FLOE_ENDPOINT"); !endpoint.empty()) chosen.endpoint = endpoint;
  return chosen;
}

}  // namespace floe::cli
