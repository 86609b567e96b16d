// The output stage: muxes a rendition's packets as FLV to an RTMP URL (and, optionally, as a
// rolling HLS playlist in a directory) from the same encoders. When the RTMP side drops, HLS
// goes on, and the RTMP side is reconnected (restarting at a video keyframe) without touching
// the input or the encoders.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "core/net_policy.h"
#include "core/result.h"
#include "media/ffmpeg.h"
#include "media/flv_writer.h"

namespace floe::media {

struct MuxStream {
  const AVCodecParameters* params;  // from the encoder, or the input stream when copying
  AVRational time_base;             // of the packets that will be written
};

// A fence on every RTMP output of this process (floe run-job, under its node's leases): from
// `steady_ms` (core::SteadyMillis) on, no output connects, writes another packet or a trailer,
// and a blocked connect or write gives up, even before the process exits. 0 (the default): none.
void FenceOutputsAt(int64_t steady_ms);
bool OutputsFenced();

class Muxer {
 public:
  // Opens the RTMP output (URL policy applies) and, when hls_dir is set, an HLS output with
  // 2 s segments; an empty url: HLS only. `abort` interrupts a blocked connect or write.
  // H.265 goes out through Floe's own FLV writer, in the chosen convention. hls_optional: an
  // HLS write that fails ends HLS (logged) instead of failing the output (a job's preview).
  // `trusted`: endpoints this output's own connects may reach besides the network policy (its
  // LiveCenter push base); nothing else in the process gains them.
  static core::Result<std::unique_ptr<Muxer>> Open(
      const std::string& url, const std::string& hls_dir, const std::vector<MuxStream>& streams,
      const std::atomic<bool>* abort, HevcFlvMode hevc_mode = HevcFlvMode::kEnhanced,
      bool hls_optional = false, std::vector<core::Endpoint> trusted = {});
  ~Muxer();

  // Writes one packet (timestamps in that stream's time_base) to every output that is up.
  // A failing RTMP output is marked down (see Reconnect); an HLS failure is an error (unless
  // hls_optional).
  core::Result<void> Write(int stream, const AVPacket* packet);
  bool rtmp_up() const { return rtmp_ != nullptr || flv_ != nullptr; }
  bool has_rtmp() const { return !url_.empty(); }
  // Tries once to reopen a dropped RTMP output. True when it is up again.
  bool Reconnect();
  int reconnects() const { return reconnects_; }
  // Why this output writes no HLS although asked to (hls_optional and a stream HLS cannot
  // carry, e.g. AAC-LD); empty otherwise.
  const std::string& hls_unavailable() const { return hls_unavailable_; }
  // Why the RTMP output went down last.
  const std::string& last_error() const { return last_error_; }
  // Writes trailers.
  void Finish();

 private:
  Muxer() = default;
  static int Interrupt(void* self);
  core::Result<OutputFormatPtr> OpenRtmp();
  core::Result<void> OpenFlvWriter();  // H.265: own FLV over an RTMP AVIOContext
  void CloseFlvWriter();
  core::Result<void> Start(AVFormatContext* fmt, const std::string& url, AVDictionary** options);
  core::Result<void> WriteTo(AVFormatContext* fmt, int stream, const AVPacket* packet);

  std::string url_, whitelist_;
  std::vector<core::Endpoint> trusted_;
  std::vector<CodecParametersPtr> params_;
  std::vector<AVRational> src_tb_;
  int video_stream_ = -1;
  OutputFormatPtr rtmp_, hls_;
  bool hevc_ = false;
  HevcFlvMode hevc_mode_ = HevcFlvMode::kEnhanced;
  AvioPtr flv_io_;
  std::unique_ptr<FlvWriter> flv_;
  bool rtmp_wait_key_ = false;
  // After a reconnect the FLV muxer anchors its clock on the first packet: nothing earlier than
  // the keyframe it restarts on may follow (microseconds).
  int64_t rtmp_floor_us_ = INT64_MIN;
  int reconnects_ = 0;
  std::string last_error_;
  const std::atomic<bool>* abort_ = nullptr;
  std::atomic<int64_t> deadline_ms_{0};  // a connect or write blocked past this gives up
  bool finished_ = false;
  bool hls_optional_ = false;
  std::string hls_unavailable_;
};

}  // namespace floe::media
