// Credentials of `floe ice`: profiles in ~/.floe/config.json (written by `floe ice configure`,
// mode 0600, shaped like the cloud CLI's ~/.aliyun/config.json), or the environment variables
// ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and FLOE_ENDPOINT.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace floe::cli {

inline constexpr char kDefaultEndpoint[] = "http://127.0.0.1:8080";

struct IceProfile {
  std::string name = "default";
  std::string access_key_id;
  std::string access_key_secret;
  std::string endpoint = kDefaultEndpoint;
};

struct IceConfig {
  std::string current = "default";
  std::vector<IceProfile> profiles;
};

// $HOME/.floe/config.json.
std::string IceConfigPath();
// The file's profiles; an absent file is an empty config, an unreadable or malformed one an error.
core::Result<IceConfig> LoadIceConfig(const std::string& path);
// Writes the file (and its directory, 0700) atomically with mode 0600.
core::Result<void> SaveIceConfig(const std::string& path, const IceConfig& config);

// Who to call as: the named profile when one is given; otherwise the environment's key pair
// when both variables are set; otherwise the config's current profile. FLOE_ENDPOINT, when
// set, overrides the endpoint in every case.
core::Result<IceProfile> ResolveCredentials(const std::string& path,
                                            const std::optional<std::string>& profile);

}  // namespace floe::cli
