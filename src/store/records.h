// The values the store keeps: plain structs, no behaviour, shared by every Store implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace floe::store {

struct Account {
  std::string account_id;
  std::string name;
  bool ice_enabled = false;
  int64_t create_time_ms = 0;
};

struct AccessKey {
  std::string access_key_id;
  std::string secret;  // sealed (AES-256-GCM, see auth/secret_box.h) when `sealed`
  std::string account_id;
  std::string user_name;  // empty: the account's root key
  bool active = true;
  int64_t create_time_ms = 0;
  bool sealed = true;  // false only for keys written before secrets were sealed (schema < 3)
};

struct RamUser {
  std::string account_id;
  std::string user_name;
  int64_t create_time_ms = 0;
};

struct TemplateRecord {
  std::string template_id;
  std::string account_id;  // empty for system templates
  std::string name;
  std::string type;         // normal | narrow-band | audio-only | origin
  std::string category;     // system | customized
  std::string video_codec;  // copy of VideoParams.Codec, for filtering
  std::string config_json;  // canonical TemplateConfig JSON
  int64_t create_time_ms = 0;
};

struct TemplateQuery {
  std::string account_id;
  std::optional<std::string> type;
  std::optional<std::string> video_codec;
  std::optional<std::string> category;
  std::optional<std::string> keyword;  // TemplateId exactly, or a substring of the name
  bool ascending = false;              // by CreateTime
  int page_no = 1;
  int page_size = 10;
};

struct TemplatePage {
  int64_t total_count = 0;
  std::vector<TemplateRecord> items;
};

}  // namespace floe::store
