// One input URL of a pipeline (the primary, or the backup): its connection, read on the
// source's own thread, reconnected with backoff when it drops. Every packet read goes to the
// pipeline's callback, which decides (with the InputSelector) whether it plays.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "core/result.h"
#include "media/demux.h"
#include "media/events.h"
#include "media/input_selector.h"

namespace floe::media {

class InputSource {
 public:
  // `abort` aborts a blocking open or read at once (the pipeline stopping).
  InputSource(InputRole role, std::string url, InputOptions options, int reconnect_window_ms,
              const std::atomic<bool>* abort)
      : role_(role),
        url_(std::move(url)),
        options_(options),
        reconnect_window_ms_(reconnect_window_ms),
        abort_(abort) {}

  // Where this source's events go (connected, reconnected, lost, ended); set before Run.
  void SetEvents(EventFn on_event) { on_event_ = std::move(on_event); }

  // Connects now: a pipeline that cannot open its input fails at once instead of running.
  core::Result<void> Open();

  // Called with each packet as read (timestamps in the stream's time base) and the demuxer that
  // read it; the callback takes what it needs (references) before returning.
  using PacketSink = std::function<void(InputSource&, Demuxer&, AVPacket*)>;
  // Reads until stopped, the input ends, or it stays away past the reconnect window (0: it is
  // waited for as long as the pipeline runs). Runs on the source's own thread.
  void Run(std::stop_token stop, const PacketSink& sink);

  // The connection Open made, for setting up the pipeline before Run starts (Run owns it).
  Demuxer* opened() { return demux_.get(); }

  InputRole role() const { return role_; }
  const std::string& url() const { return url_; }
  int connection() const { return connection_.load(); }  // 0 for the first
  bool connected() const { return connected_.load(); }
  bool ended() const { return ended_.load(); }
  int64_t reconnects() const { return connection_.load(); }
  int64_t bytes() const { return bytes_.load(); }

 private:
  // Waits for the input to come back; false when stopped or past the reconnect window.
  bool Reconnect(std::stop_token stop);
  void Say(EventKind kind, std::string detail) const;

  InputRole role_;
  std::string url_;
  InputOptions options_;
  int reconnect_window_ms_;
  const std::atomic<bool>* abort_;
  EventFn on_event_;
  std::unique_ptr<Demuxer> demux_;
  std::atomic<int> connection_{0};
  std::atomic<bool> connected_{false}, ended_{false};
  bool ever_connected_ = false;  // connection_ counts reconnects after the first
  std::atomic<int64_t> bytes_{0};
};

}  // namespace floe::media
