// The output stage: muxes a rendition's packets as FLV to an RTMP URL (and, optionally, as a
// rolling HLS playlist in a directory) from the same encoders.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/ffmpeg.h"

namespace floe::media {

struct MuxStream {
  const AVCodecParameters* params;  // from the encoder, or the input stream when copying
  AVRational time_base;             // of the packets that will be written
};

class Muxer {
 public:
  // Opens the RTMP output (URL policy applies) and, when hls_dir is set, an HLS output with
  // 2 s segments. `abort` interrupts a blocked connect or write.
  static core::Result<std::unique_ptr<Muxer>> Open(const std::string& url,
                                                   const std::string& hls_dir,
                                                   const std::vector<MuxStream>& streams,
                                                   const std::atomic<bool>* abort);
  ~Muxer();

  // Writes one packet (timestamps in that stream's time_base) to every output.
  core::Result<void> Write(int stream, const AVPacket* packet);
  // Writes trailers; the RTMP output is closed.
  void Finish();

 private:
  Muxer() = default;
  static int Interrupt(void* self);
  core::Result<void> OpenOne(AVFormatContext* fmt, const std::string& url,
                             const std::vector<MuxStream>& streams, AVDictionary** options);

  std::vector<OutputFormatPtr> outputs_;
  size_t started_ = 0;  // outputs whose header is written (only they get a trailer)
  std::vector<AVRational> src_tb_;
  const std::atomic<bool>* abort_ = nullptr;
  bool finished_ = false;
};

}  // namespace floe::media
