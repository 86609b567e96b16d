#include "core/time.h"

#include <chrono>
#include <ctime>

namespace floe::core {

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SteadyMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string FormatUtc(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<int64_t> ParseUtcMillis(const std::string& s) {
  // YYYY-MM-DDThh:mm:ssZ, or with milliseconds YYYY-MM-DDThh:mm:ss.mmmZ (JavaScript's
  // toISOString()).
  bool with_ms = s.size() == 24;
  if ((s.size() != 20 && !with_ms) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s.back() != 'Z' || (with_ms && s[19] != '.')) {
    return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
      se = num(17, 2), ms = with_ms ? num(20, 3) : 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
      se > 60 || ms < 0) {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto days = sys_days{ymd}.time_since_epoch().count();
  return (static_cast<int64_t>(days) * 86400 + h * 3600 + mi * 60 + se) * 1000 + ms;
}

std::optional<int64_t> ParseUtc(const std::string& s) {
  auto ms = ParseUtcMillis(s);
  if (!ms) return std::nullopt;
  return *ms / 1000;
}

}  // namespace floe::core
