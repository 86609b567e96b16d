// Wall-clock time in the API's formats: UTC "YYYY-MM-DDThh:mm:ssZ".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace floe::core {

int64_t NowMillis();
int64_t SteadyMillis();                       // monotonic, for deadlines
std::string FormatUtc(int64_t unix_seconds);  // "2026-11-24T22:18:25Z"
// Parses exactly "YYYY-MM-DDThh:mm:ssZ" or "YYYY-MM-DDThh:mm:ss.mmmZ" (JavaScript's
// toISOString(); fields range-checked) into seconds; nullopt otherwise.
std::optional<int64_t> ParseUtc(const std::string& s);
// The same, in milliseconds.
std::optional<int64_t> ParseUtcMillis(const std::string& s);

}  // namespace floe::core
