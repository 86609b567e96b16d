// Random identifiers: request ids (UUID), resource ids (32 hex), account ids and AccessKeys.
#pragma once

#include <string>

namespace floe::core {

std::string NewRequestId();         // upper-case UUID v4, e.g. "3B0E1A58-..."
std::string NewResourceId();        // 32 lower-case hex characters (TemplateId, JobId)
std::string NewAccountId();         // 16 decimal digits, not starting with 0
std::string NewAccessKeyId();       // "LTAI" + 20 alphanumerics
std::string NewAccessKeySecret();   // 30 alphanumerics
std::string RandomBytes(size_t n);  // cryptographically secure (OpenSSL RAND_bytes)
bool IsResourceId(const std::string& s);

}  // namespace floe::core
