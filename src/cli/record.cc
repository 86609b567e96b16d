#include "cli/record.h"

#include <spdlog/spdlog.h>

#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/transcode.h"
#include "core/time.h"
#include "core/writable_dir.h"
#include "media/pipeline.h"

namespace floe::cli {

namespace {

media::RecordContainer ContainerOf(const std::string& format) {
  if (format == "flv") return media::RecordContainer::kFlv;
  if (format == "mp4") return media::RecordContainer::kMp4;
  return media::RecordContainer::kM3u8;
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
                                    const std::string& job_id) {
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
  n.in_progress = [job_id](media::RecordContainer c, int sequence) {
    return ".recording/" + job_id + "/" + std::to_string(sequence) + "." + media::ContainerName(c);
  };
  n.slice = [format_of, job_id](int sequence, int64_t unix_ms) {
    return ice::RecordSliceObject(format_of(media::RecordContainer::kM3u8), job_id, sequence,
                                  unix_ms);
  };
  return n;
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
  media::RecorderConfig rec;
  rec.dir = args.dir;
  rec.files = RecordSpecs(*formats);
  rec.naming = RecordNamingFor(*formats, args.job_id);
  rec.gap_close_ms = args.gap_close_ms;
  rec.on_file = [&out_mu](const media::RecordedFile& f) {
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

  media::PipelineConfig cfg;
  cfg.input_url = args.input;
  cfg.input.read_timeout_ms = args.read_timeout_ms;
  cfg.reconnect_window_ms = args.reconnect_window_ms;
  media::RenditionConfig r;
  r.key = "record";
  r.settings.type = "origin";
  r.settings.copy_video = true;
  r.settings.copy_audio = true;
  r.record = std::move(rec);
  cfg.renditions.push_back(std::move(r));
  media::Pipeline pipeline(cfg);
  auto result = RunUntilSignal([&] { return pipeline.Run(); }, [&] { pipeline.Stop(); });
  if (!result) {
    std::cerr << "floe record: " << result.error().code << ": " << result.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace floe::cli
