// Who made a request, once its signature has been verified.
#pragma once

#include <string>

namespace floe::auth {

struct Principal {
  std::string account_id;
  std::string user_name;  // empty for the account's root AccessKey
  std::string access_key_id;
  bool IsRoot() const { return user_name.empty(); }
};

}  // namespace floe::auth
