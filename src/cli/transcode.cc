#include "cli/transcode.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/net_policy.h"
#include "core/url_policy.h"
#include "ice/template_config.h"
#include "media/flv_reader.h"
#include "media/net_guard.h"
#include "media/pipeline.h"

namespace floe::cli {

namespace {

// Reads and validates one template file into encoder settings, or says why not.
core::Result<media::EncodeSettings> LoadTemplate(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::Error{"InvalidTemplate", 400, "cannot read " + path, ""};
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!doc.is_object() || !doc.contains("Type") || !doc["Type"].is_string()) {
    return core::Error{"InvalidTemplate", 400,
                       path + ": expected {\"Type\": ..., \"TemplateConfig\": {...}}", ""};
  }
  return TemplateSettings(doc);
}

}  // namespace

core::Result<media::EncodeSettings> TemplateSettings(const nlohmann::json& doc) {
  auto spec =
      ice::TemplateSpecOf(doc["Type"].get<std::string>(),
                          doc.contains("TemplateConfig") ? doc["TemplateConfig"].dump() : "");
  if (!spec) return spec.error();
  return media::MakeEncodeSettings(*spec);
}

core::Result<void> RunUntilSignal(const std::function<core::Result<void>()>& run,
                                  const std::function<void()>& stop) {
  // SIGTERM/SIGINT: finish cleanly (flush encoders, write trailers), then return.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::atomic<bool> finished{false};
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (!finished) {
      spdlog::info("event=signal signal={} action=stop", sig);
      stop();
    }
  });
  auto result = run();
  finished = true;
  // Wake the signal thread if no signal came.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return result;
}

core::Result<void> GuardNetwork(const std::vector<std::string>& allow_net) {
  core::NetPolicy policy;
  for (const auto& text : allow_net) {
    auto cidr = core::ParseCidr(text);
    if (!cidr) return cidr.error();
    policy.Allow(*cidr);
  }
  media::InstallNetGuard(std::move(policy));
  return {};
}

core::Result<std::vector<core::Endpoint>> TrustedEndpointsOf(const std::string& push_url) {
  auto hp = core::UrlHostPort(push_url);
  if (!hp) return core::Error{"InvalidConfig", 400, "the push URL has no valid host and port", ""};
  return media::ResolveEndpoints(hp->host, hp->port ? hp->port : 1935);
}

int Transcode(const TranscodeArgs& args) {
  if (args.templates.size() != args.outputs.size()) {
    std::cerr << "floe transcode: give one --output per --template\n";
    return 2;
  }
  if (auto r = GuardNetwork(args.allow_net); !r) {
    std::cerr << "floe transcode: " << r.error().code << ": " << r.error().message << "\n";
    return 2;
  }
  media::PipelineConfig cfg;
  cfg.input_url = args.input;
  cfg.backup_input_url = args.backup_input;
  cfg.backup_return_ms = args.backup_return_ms;
  cfg.stall_tolerance_ms = args.stall_tolerance_ms;
  cfg.input.connect_timeout_ms = args.connect_timeout_ms;
  cfg.input.read_timeout_ms = args.read_timeout_ms;
  cfg.slate_black_after_ms = args.slate_black_after_ms;
  cfg.reconnect_window_ms = args.reconnect_window_ms;
  cfg.hevc_flv_codec_id_12 = args.hevc_flv == "codec-id-12";
  cfg.defaults.x264_tune = args.x264_tune;
  for (size_t i = 0; i < args.templates.size(); ++i) {
    auto settings = LoadTemplate(args.templates[i]);
    if (!settings) {
      std::cerr << "floe transcode: " << settings.error().code << ": " << settings.error().message
                << "\n";
      return 2;
    }
    std::string hls;
    if (!args.hls_dir.empty()) {
      hls = args.templates.size() == 1
                ? args.hls_dir
                : (std::filesystem::path(args.hls_dir) / std::to_string(i)).string();
    }
    cfg.renditions.push_back({std::to_string(i), *settings, args.outputs[i], hls});
  }
  if (args.stats) {
    cfg.on_stats = [](const std::string& line) { std::cout << line << std::endl; };
  }
  media::Pipeline pipeline(cfg);
  auto result = RunUntilSignal([&] { return pipeline.Run(); }, [&] { pipeline.Stop(); });
  if (!result) {
    std::cerr << "floe transcode: " << result.error().code << ": " << result.error().message
              << "\n";
    return 1;
  }
  return 0;
}

int FlvProbe(const std::string& url, int seconds) {
  auto r = media::ProbeFlvHevc(url, seconds);
  if (!r) {
    std::cerr << "floe flv-probe: " << r.error().message << "\n";
    return 1;
  }
  nlohmann::ordered_json j{{"convention", r->convention},
                           {"sequence_headers", r->sequence_headers},
                           {"video_tags", r->video_tags},
                           {"keyframes", r->keyframes},
                           {"decoded_frames", r->decoded_frames},
                           {"width", r->width},
                           {"height", r->height},
                           {"audio_tags", r->audio_tags},
                           {"last_video_ms", r->last_video_ms}};
  std::cout << j.dump() << std::endl;
  return 0;
}

}  // namespace floe::cli
