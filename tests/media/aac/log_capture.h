// FFmpeg's warnings and errors collected while a LogCapture lives: the AAC decoder reports a bad
// SBR payload only in its log (e.g. "Expected to read %d SBR bytes actually read %d").
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/log.h>
}

namespace floe::media::aac {

class LogCapture {
 public:
  LogCapture() {
    lines_ = &lines;
    level_ = av_log_get_level();
    av_log_set_level(AV_LOG_WARNING);
    av_log_set_callback(&LogCapture::Callback);
  }
  ~LogCapture() {
    av_log_set_callback(av_log_default_callback);
    av_log_set_level(level_);
    lines_ = nullptr;
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::vector<std::string> lines;

 private:
  static void Callback(void*, int level, const char* fmt, va_list args) {
    if (level > AV_LOG_WARNING || !lines_) return;
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, args);
    lines_->push_back(buf);
  }
  static inline std::vector<std::string>* lines_ = nullptr;
  int level_ = 0;
};

}  // namespace floe::media::aac
