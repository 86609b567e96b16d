// Store URLs without their secrets: what a message, a log line or the ready block may show of a
// postgres://USER:PASSWORD@HOST/DB URL or a libpq connection string.
#pragma once

#include <string>
#include <string_view>

namespace floe::store {

// `text` with every password it may hold replaced by ****: the USER:PASSWORD@ of any
// SCHEME://… URL and the value of every password key (`?password=…`, `&password=…`,
// `password=…` and `password = '…'` in a connection string, the key percent-encoded or not).
// Works on a URL alone or on a message that quotes one.
std::string MaskStoreUrl(std::string_view text);

// What may be shown of libpq's `message` about `url`: the message masked as above, or, when it
// still holds a password of `url` (libpq quotes a malformed token of the URL alone, e.g. a bad
// %-escape in the password), a fixed sentence that quotes nothing.
std::string MaskStoreMessage(std::string_view message, std::string_view url);

}  // namespace floe::store
