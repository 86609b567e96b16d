#include "cli/record.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/transcode.h"
#include "core/time.h"
#include "core/writable_dir.h"
#include "media/pipeline.h"

namespace floe::cli {

namespace {

// Formats parsed by ice::ParseRecordFormats: one of the three.
media::RecordContainer ContainerOf(const std::string& format) {
  return media::ParseContainer(format).value_or(media::RecordContainer::kM3u8);
}

}  // namespace

std::vector<media::RecordFileSpec> RecordSpecs(const std::vector<ice::RecordFormat>& formats) {
  std::vector<media::RecordFileSpec> specs;
  for (const auto& f : formats) {
    specs.push_back({ContainerOf(f.format), f.slice_duration_s, f.cycle_duration_s});
  }
  return specs;
}

media::RecordNaming RecordNamingFor(const std::vector<ice::RecordFormat>& formats,
                                    const std::string& job_id, const std::string& run) {
  auto format_of = [formats](media::RecordContainer c) {
    for (const auto& f : formats) {
      if (ContainerOf(f.format) == c) return f;
    }
    return formats.front();
  };
  media::RecordNaming n;
  n.file = [format_of, job_id](media::RecordContainer c, int sequence, int64_t start_ms,
                               int64_t end_ms) {
    return ice::RecordFileObject(format_of(c), job_id, sequence, start_ms, end_ms);
  };
  n.in_progress = [job_id, run](media::RecordContainer c, int sequence) {
    return RecordingFolder(job_id) + "/" + run + "-" + std::to_string(sequence) + "." +
           media::ContainerName(c);
  };
  n.slice = [format_of, job_id](int sequence, int64_t unix_ms) {
    return ice::RecordSliceObject(format_of(media::RecordContainer::kM3u8), job_id, sequence,
                                  unix_ms);
  };
  return n;
}

std::string RecordingFolder(const std::string& job_id) {
  return ".recording/" + job_id;
}

std::string RecordRun() {
  return std::to_string(core::NowMillis()) + "p" + std::to_string(getpid());
}

media::RecorderConfig RecorderFor(const std::vector<ice::RecordFormat>& formats,
                                  const std::string& dir, const std::string& job_id,
                                  const std::string& run, int64_t gap_close_ms,
                                  std::function<void(const media::RecordedFile&)> on_file) {
  media::RecorderConfig rec;
  rec.dir = dir;
  rec.files = RecordSpecs(formats);
  rec.naming = RecordNamingFor(formats, job_id, run);
  rec.gap_close_ms = gap_close_ms;
  rec.on_file = std::move(on_file);
  return rec;
}

media::RenditionConfig RecordRendition(const std::string& key, media::RecorderConfig rec) {
  media::RenditionConfig r;
  r.key = key;
  r.settings.type = "origin";
  r.settings.copy_video = true;
  r.settings.copy_audio = true;
  r.record = std::move(rec);
  return r;
}

int Record(const RecordArgs& args) {
  auto fail = [](const core::Error& e) {
    std::cerr << "floe record: " << e.code << ": " << e.message << "\n";
    return 2;
  };
  if (auto r = GuardNetwork(args.allow_net); !r) return fail(r.error());
  // It names files and folders ({JobId}, .recording/JOB_ID/): a plain name, never a path.
  if (args.job_id.empty() || args.job_id.size() > 64 ||
      args.job_id.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
          std::string::npos) {
    return fail(core::Error::InvalidParameter("JobId", "1 to 64 letters, digits, '_' or '-'."));
  }
  auto formats = ice::ParseRecordFormats(args.record_format);
  if (!formats) return fail(formats.error());
  if (auto w = core::EnsureWritableDir(args.dir); !w) return fail(w.error());

  std::mutex out_mu;
  auto on_file = [&out_mu](const media::RecordedFile& f) {
    nlohmann::ordered_json j{{"Format", media::ContainerName(f.container)},
                             {"Object", f.object},
                             {"Sequence", f.sequence},
                             {"StartTime", core::FormatUtc(f.start_ms / 1000)},
                             {"EndTime", core::FormatUtc(f.end_ms / 1000)},
                             {"StartMs", f.start_ms},
                             {"EndMs", f.end_ms},
                             {"Duration", f.duration_s},
                             {"Size", f.size_bytes},
                             {"Width", f.width},
                             {"Height", f.height}};
    std::lock_guard lock(out_mu);
    std::cout << j.dump() << std::endl;
  };
  media::RecorderConfig rec = RecorderFor(*formats, args.dir, args.job_id, RecordRun(),
                                          args.gap_close_ms, std::move(on_file));

  media::PipelineConfig cfg;
  cfg.input_url = args.input;
  cfg.input.read_timeout_ms = args.read_timeout_ms;
  cfg.reconnect_window_ms = args.reconnect_window_ms;
  cfg.renditions.push_back(RecordRendition("record", std::move(rec)));
  media::Pipeline pipeline(cfg);
  auto result = RunUntilSignal([&] { return pipeline.Run(); }, [&] { pipeline.Stop(); });
  if (!result) {
    std::cerr << "floe record: " << result.error().code << ": " << result.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace floe::cli
