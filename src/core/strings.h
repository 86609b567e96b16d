// String helpers shared by the wire format and request signing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace floe::core {

// RFC 3986 percent-encoding as the SDKs do it: unreserved A-Z a-z 0-9 - _ . ~ kept, the rest
// %XX with upper-case hex (space is %20, '*' is %2A).
std::string PercentEncode(const std::string& s);
// Decodes %XX and (for form/query bodies) '+' as space. Returns false on a malformed escape.
bool PercentDecode(const std::string& s, std::string& out, bool plus_is_space = true);

// A plain base-10 integer as the API accepts it: digits only (no sign, spaces, exponent or
// fraction). Values beyond 10^12 saturate there, so range checks fail instead of overflowing.
std::optional<long long> ParsePlainInt(const std::string& s);

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);
// Code points of a string that IsValidUtf8 accepted.
size_t Utf8Length(std::string_view s);

// User text as it may appear in an error message or a log line: at most `max` bytes, control
// characters, quotes, backslashes and bytes outside ASCII shown as '?', "..." when cut.
std::string Excerpt(std::string_view s, size_t max = 64);

}  // namespace floe::core
