#include "runtime/file_catalogue.h"

#include <spdlog/spdlog.h>

#include "core/ids.h"
#include "core/json.h"
#include "core/time.h"
#include "media/recorder.h"
#include "runtime/callbacks.h"
#include "runtime/protocol.h"

namespace floe::runtime {

std::optional<int64_t> FileCatalogue::Add(const store::JobRecord& job, const std::string& file_json,
                                          bool first) {
  return job.family == "snapshot" ? AddPicture(job, file_json, first)
                                  : AddRecording(job, file_json);
}

void FileCatalogue::Notify(const store::JobRecord& job, const std::string& event,
                           const nlohmann::json& data) {
  if (!callback_ || job.notify_url.empty()) return;
  callback_(job.job_id, job.notify_url,
            CallbackBody(event, job.job_id, job.name, job.family, clock_(), data));
}

std::optional<int64_t> FileCatalogue::AddRecording(const store::JobRecord& job,
                                                   const std::string& file_json) {
  auto f = ParseFileReport(file_json);
  if (!f) {
    spdlog::error("event=record_file_unreadable job_id={} reason=\"{}\"", job.job_id,
                  f.error().message);
    return std::nullopt;
  }
  store::RecordFileRecord rec;
  rec.record_id = core::NewResourceId();
  rec.account_id = job.account_id;
  rec.job_id = job.job_id;
  rec.job_name = job.name;
  rec.format = media::ContainerName(f->container);
  rec.bucket = job.output_domain;
  rec.object = f->object;
  rec.output_json = job.output_json;
  rec.stream_url = job.input_url;
  rec.start_time_ms = f->start_ms;
  rec.end_time_ms = f->end_ms;
  rec.create_time_ms = clock_();
  rec.duration_ms = static_cast<int64_t>(f->duration_s * 1000 + 0.5);
  rec.size_bytes = f->size_bytes;
  rec.width = f->width;
  rec.height = f->height;
  if (auto r = store_.InsertRecordFile(rec); !r) {
    // The file is in the bucket all the same; the log names it for the operator.
    spdlog::error("event=record_file_uncatalogued job_id={} object=\"{}\" error=\"{}\"", job.job_id,
                  f->object, r.error().message);
    return std::nullopt;
  }
  spdlog::info("event=record_file job_id={} record_id={} object=\"{}\" duration_s={:.1f}",
               job.job_id, rec.record_id, f->object, f->duration_s);
  event_(job.job_id, "record_file", rec.format + " " + f->object);
  Notify(job, "record_file",
         {{"RecordId", rec.record_id},
          {"Format", rec.format},
          {"Bucket", rec.bucket},
          {"Object", rec.object},
          {"StartTime", core::FormatUtc(rec.start_time_ms / 1000)},
          {"EndTime", core::FormatUtc(rec.end_time_ms / 1000)},
          {"Duration", f->duration_s},
          {"Size", rec.size_bytes},
          {"Width", rec.width},
          {"Height", rec.height}});
  return rec.size_bytes;
}

std::optional<int64_t> FileCatalogue::AddPicture(const store::JobRecord& job,
                                                 const std::string& shot_json, bool first) {
  auto shot = ParseShotReport(shot_json);
  if (!shot) {
    spdlog::error("event=snapshot_unreadable job_id={} reason=\"{}\"", job.job_id,
                  shot.error().message);
    return std::nullopt;
  }
  store::SnapshotFileRecord rec;
  rec.account_id = job.account_id;
  rec.job_id = job.job_id;
  rec.create_time_ms = shot->time_ms;
  rec.overlay = shot->overwrite;
  rec.bucket = job.output_domain;
  auto output = core::ParseJson(job.output_json);
  if (output && output->is_object() && output->contains("Endpoint") &&
      (*output)["Endpoint"].is_string()) {
    rec.endpoint = (*output)["Endpoint"].get<std::string>();
  }
  rec.object = shot->object;
  rec.size_bytes = shot->size_bytes;
  rec.width = shot->width;
  rec.height = shot->height;
  if (auto r = store_.PutSnapshotFile(rec); !r) {
    spdlog::error("event=snapshot_uncatalogued job_id={} object=\"{}\" error=\"{}\"", job.job_id,
                  shot->object, r.error().message);
    return std::nullopt;
  }
  if (first) event_(job.job_id, "snapshot", "first picture " + shot->object);
  Notify(job, "snapshot",
         {{"OssBucket", rec.bucket},
          {"OssEndpoint", rec.endpoint},
          {"OssObject", rec.object},
          {"CreateTimestamp", rec.create_time_ms},
          {"IsOverlay", rec.overlay},
          {"Size", rec.size_bytes},
          {"Width", rec.width},
          {"Height", rec.height}});
  return rec.size_bytes;
}

}  // namespace floe::runtime
