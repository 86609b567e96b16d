// The input stage: opens a live URL under the URL policy (protocol whitelist), with connect and
// read deadlines enforced through libavformat's interrupt callback, and reads packets.
#pragma once

#include <atomic>
#include <string>

#include "core/result.h"
#include "media/ffmpeg.h"

namespace floe::media {

struct InputOptions {
  int connect_timeout_ms = 10'000;  // opening and probing the input
  int read_timeout_ms = 5'000;      // no packet for this long: the input is lost
};

class Demuxer {
 public:
  // `stop` aborts a blocking open or read at once.
  static core::Result<std::unique_ptr<Demuxer>> Open(const std::string& url,
                                                     const InputOptions& options,
                                                     const std::atomic<bool>* stop);
  // The same input stage over bytes in memory, in a given container ("flv", "mpegts"): no
  // network, no protocol at all. For the fuzzer of untrusted stream bytes (fuzz/).
  static core::Result<std::unique_ptr<Demuxer>> OpenBytes(const uint8_t* data, size_t size,
                                                          const std::string& format);
  ~Demuxer();

  // av_read_frame under the read deadline: 0, AVERROR_EOF, AVERROR_EXIT (stopped or timed out)
  // or another error.
  int Read(AVPacket* packet);
  bool TimedOut() const { return timed_out_; }

  AVFormatContext* format() { return fmt_.get(); }
  int video_stream() const { return video_; }
  int audio_stream() const { return audio_; }
  int64_t bytes_read() const;

 private:
  Demuxer() = default;
  static int Interrupt(void* self);
  // Finds the streams and checks there is something to transcode, once the context is open.
  core::Result<void> Probe();

  struct Bytes {
    const uint8_t* data = nullptr;
    size_t size = 0, pos = 0;
  };
  struct IoFree {
    void operator()(AVIOContext* io) const;
  };

  // Declared before fmt_, so freed after the format context that reads from it.
  Bytes bytes_;
  std::unique_ptr<AVIOContext, IoFree> io_;
  InputFormatPtr fmt_;
  int video_ = -1, audio_ = -1;
  const std::atomic<bool>* stop_ = nullptr;
  std::atomic<int64_t> deadline_ms_{0};
  int read_timeout_ms_ = 5'000;
  bool timed_out_ = false;
};

}  // namespace floe::media
