// Structured logging: one event per line, key=value fields, on stderr (spdlog). The access log
// (one line per API request) has a logger of its own, so that it can go to its own file.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace floe::core {

// Sets the process-wide logger: name shows which program wrote the line (serve, admin, ...).
void InitLogging(const std::string& program, const std::string& level);

// Where AccessLog() writes: "-" the standard error stream (with the other logs), otherwise a
// file appended to (created 0600). Throws spdlog::spdlog_ex if the file cannot be opened.
void InitAccessLog(const std::string& target);
// The access logger; the default logger until InitAccessLog.
spdlog::logger& AccessLog();

}  // namespace floe::core
