// Structured logging: one event per line, key=value fields, on stderr (spdlog).
#pragma once

#include <spdlog/spdlog.h>

namespace floe::core {

// Sets the process-wide logger: name shows which program wrote the line (serve, admin, ...).
void InitLogging(const std::string& program, const std::string& level);

}  // namespace floe::core
