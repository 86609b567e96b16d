#include "media/input.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>

#include "core/backoff.h"
#include "media/ffmpeg.h"

namespace floe::media {

namespace {

// The role goes in the events only when the pipeline has two inputs to tell apart.
std::string Who(const InputSource& s) {
  return s.role() == InputRole::kBackup ? " input=backup" : "";
}

}  // namespace

void InputSource::Say(EventKind kind, std::string detail) const {
  if (on_event_) on_event_(Event{kind, "", std::move(detail)});
}

core::Result<void> InputSource::Open() {
  auto d = Demuxer::Open(url_, options_, abort_);
  if (!d) return d.error();
  demux_ = std::move(*d);
  connected_ = true;
  ever_connected_ = true;
  return {};
}

bool InputSource::Reconnect(std::stop_token stop) {
  auto lost_at = std::chrono::steady_clock::now();
  core::Backoff backoff(250, 4'000);
  while (!stop.stop_requested()) {
    if (reconnect_window_ms_ > 0 && std::chrono::steady_clock::now() - lost_at >
                                        std::chrono::milliseconds(reconnect_window_ms_)) {
      spdlog::info("event=input_ended{} reason=\"not back within {} ms\"", Who(*this),
                   reconnect_window_ms_);
      Say(EventKind::kInputEnded,
          "not back within " + std::to_string(reconnect_window_ms_) + " ms");
      return false;
    }
    int wait_ms = backoff.Next();
    if (!core::SleepUnlessStopped(stop, wait_ms)) return false;
    auto d = Demuxer::Open(url_, options_, abort_);
    if (d) {
      demux_ = std::move(*d);
      connected_ = true;
      if (!ever_connected_) {
        ever_connected_ = true;  // a backup (or primary) that was not up at the start
        spdlog::info("event=input_connected{}", Who(*this));
        Say(EventKind::kInputConnected, RoleName(role_));
      } else {
        ++connection_;
        spdlog::info("event=input_reconnected{} reconnects={}", Who(*this), connection_.load());
        Say(EventKind::kInputReconnected, Who(*this).empty() ? "" : RoleName(role_));
      }
      return true;
    }
    spdlog::info("event=input_retry{} in_ms={} reason=\"{}\"", Who(*this), wait_ms,
                 d.error().message);
  }
  return false;
}

void InputSource::Run(std::stop_token stop, const PacketSink& sink) {
  PacketPtr pkt = NewPacket();
  if (!demux_ && !Reconnect(stop)) {
    ended_ = true;
    return;
  }
  while (!stop.stop_requested()) {
    int rc = demux_->Read(pkt.get());
    if (rc >= 0) {
      bytes_ += pkt->size;
      sink(*this, *demux_, pkt.get());
      av_packet_unref(pkt.get());
      continue;
    }
    if (stop.stop_requested()) break;
    if (rc == AVERROR_EOF) {
      // The source says it is finished (e.g. an HLS playlist with an end): that is the end.
      spdlog::info("event=input_ended{} reason=\"end of stream\"", Who(*this));
      Say(EventKind::kInputEnded, "end of stream");
      break;
    }
    std::string why = demux_->TimedOut() ? "no data within the read timeout" : AvError(rc);
    spdlog::warn("event=input_lost{} reason=\"{}\"", Who(*this), why);
    Say(EventKind::kInputLost,
        Who(*this).empty() ? why : std::string(RoleName(role_)) + ": " + why);
    connected_ = false;
    demux_.reset();
    if (!Reconnect(stop)) break;
  }
  connected_ = false;
  ended_ = true;
}

}  // namespace floe::media
