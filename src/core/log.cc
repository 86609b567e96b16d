#include "core/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>

namespace floe::core {

namespace {
constexpr char kPattern[] = "%Y-%m-%dT%H:%M:%S.%eZ level=%l prog=%n %v";
std::shared_ptr<spdlog::logger> g_access;  // set once at start-up, before any request
}  // namespace

void InitLogging(const std::string& program, const std::string& level) {
  auto logger = spdlog::stderr_logger_mt(program);
  logger->set_pattern(kPattern, spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void InitAccessLog(const std::string& target) {
  if (target == "-") {
    g_access = spdlog::default_logger();
    return;
  }
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(target);
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_pattern(kPattern, spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);  // a line per request, on disk when it is answered
  g_access = logger;
}

spdlog::logger& AccessLog() {
  return g_access ? *g_access : *spdlog::default_logger();
}

}  // namespace floe::core
