#include "runtime/protocol.h"

#include <openssl/sha.h>

#include <cstdio>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "core/json.h"

namespace floe::runtime {

using nlohmann::json;

namespace {

core::Error Bad(const std::string& why) {
  return core::Error{"BadMessage", 400, why, ""};
}

// Reads the string members of `j` into their fields: absent (or null) is empty; any other type
// is an error.
using Fields = std::initializer_list<std::pair<std::string*, const char*>>;
core::Result<void> ReadStrings(const json& j, Fields fields) {
  for (auto [field, key] : fields) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      field->clear();
    } else if (it->is_string()) {
      *field = it->get<std::string>();
    } else {
      return Bad(std::string(key) + " is not a string");
    }
  }
  return {};
}

json ToJson(const RenditionSpec& r) {
  return json{{"job_id", r.job_id},
              {"type", r.type},
              {"template_config", r.template_config},
              {"output_url", r.output_url},
              {"trusted_output", r.trusted_output},
              {"family", r.family}};
}

core::Result<RenditionSpec> RenditionFrom(const json& j) {
  if (!j.is_object()) return Bad("a rendition is not an object");
  RenditionSpec r;
  if (auto ok = ReadStrings(j, {{&r.job_id, "job_id"},
                                {&r.type, "type"},
                                {&r.template_config, "template_config"},
                                {&r.output_url, "output_url"},
                                {&r.family, "family"}});
      !ok) {
    return ok.error();
  }
  if (r.job_id.empty() || r.output_url.empty()) return Bad("a rendition needs job_id, output_url");
  if (r.family.empty()) r.family = "transcode";
  if (r.family != "transcode" && r.family != "record" && r.family != "snapshot") {
    return Bad("unknown family " + r.family);
  }
  // It names the job's lock file: letters, digits, '-' and '_' only.
  if (r.job_id.size() > 64 || r.job_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789-_") != std::string::npos) {
    return Bad("a job_id is letters, digits, - and _");
  }
  auto trusted = j.find("trusted_output");
  r.trusted_output = trusted != j.end() && trusted->is_boolean() && trusted->get<bool>();
  return r;
}

// A message: a JSON object whose string member `kind_key` ("command", "report") says its kind.
core::Result<json> Message(std::string_view line, const char* kind_key, std::string& kind) {
  if (line.size() > kMaxLine) return Bad("line too long");
  auto j = core::ParseJson(line);
  if (!j || !j->is_object()) return Bad("not a JSON object");
  if (auto ok = ReadStrings(*j, {{&kind, kind_key}}); !ok) return ok.error();
  return std::move(*j);
}

}  // namespace

InputSpec InputOf(const store::JobRecord& job) {
  return InputSpec{job.account_id, job.input_type, job.input_url, job.backup_input_url};
}

RenditionSpec RenditionOf(const store::JobRecord& job) {
  return RenditionSpec{job.job_id,
                       job.template_type,
                       job.template_config,
                       job.output_url,
                       job.output_type == "LiveCenter",
                       job.family};
}

std::string Encode(const Command& c) {
  json j;
  switch (c.kind) {
    case CommandKind::kStart: {
      j["command"] = "start";
      j["input"] = {{"account_id", c.input.account_id},
                    {"type", c.input.type},
                    {"url", c.input.url},
                    {"backup_url", c.input.backup_url}};
      json list = json::array();
      for (const auto& r : c.renditions) list.push_back(ToJson(r));
      j["renditions"] = std::move(list);
      if (c.lease_ms > 0) j["lease_ms"] = c.lease_ms;
      break;
    }
    case CommandKind::kAdd:
      j["command"] = "add";
      j["rendition"] = c.renditions.empty() ? json::object() : ToJson(c.renditions.front());
      break;
    case CommandKind::kRemove:
      j["command"] = "remove";
      j["job_id"] = c.job_id;
      break;
    case CommandKind::kLease:
      j["command"] = "lease";
      j["lease_ms"] = c.lease_ms;
      break;
  }
  return core::DumpJson(j);
}

core::Result<Command> ParseCommand(std::string_view line) {
  std::string name;
  auto j = Message(line, "command", name);
  if (!j) return j.error();
  Command c;
  if (name == "start") {
    c.kind = CommandKind::kStart;
    auto in = j->find("input");
    if (in == j->end() || !in->is_object()) return Bad("start needs an input");
    if (auto ok = ReadStrings(*in, {{&c.input.account_id, "account_id"},
                                    {&c.input.type, "type"},
                                    {&c.input.url, "url"},
                                    {&c.input.backup_url, "backup_url"}});
        !ok) {
      return ok.error();
    }
    if (c.input.url.empty()) return Bad("start needs an input url");
    auto list = j->find("renditions");
    if (list != j->end()) {
      if (!list->is_array()) return Bad("renditions is not an array");
      for (const auto& r : *list) {
        auto spec = RenditionFrom(r);
        if (!spec) return spec.error();
        c.renditions.push_back(std::move(*spec));
      }
    }
  } else if (name == "add") {
    c.kind = CommandKind::kAdd;
    auto r = j->find("rendition");
    if (r == j->end()) return Bad("add needs a rendition");
    auto spec = RenditionFrom(*r);
    if (!spec) return spec.error();
    c.renditions.push_back(std::move(*spec));
  } else if (name == "remove") {
    c.kind = CommandKind::kRemove;
    if (auto ok = ReadStrings(*j, {{&c.job_id, "job_id"}}); !ok) return ok.error();
    if (c.job_id.empty()) return Bad("remove needs a job_id");
  } else if (name == "lease") {
    c.kind = CommandKind::kLease;
  } else {
    return Bad("unknown command");
  }
  if (auto lease = j->find("lease_ms"); lease != j->end()) {
    if (!lease->is_number_integer() || lease->get<int64_t>() <= 0) {
      return Bad("lease_ms is not a positive integer");
    }
    c.lease_ms = lease->get<int64_t>();
  } else if (c.kind == CommandKind::kLease) {
    return Bad("lease needs lease_ms");
  }
  return c;
}

std::string Encode(const Report& r) {
  json j;
  switch (r.kind) {
    case ReportKind::kEvent:
      j = {{"report", "event"},
           {"job_id", r.job_id},
           {"event", media::EventName(r.event)},
           {"detail", r.detail}};
      break;
    case ReportKind::kStats: {
      auto stats = core::ParseJson(r.stats);
      j = {{"report", "stats"},
           {"job_id", r.job_id},
           {"stats", stats && stats->is_object() ? *stats : json::object()}};
      break;
    }
    case ReportKind::kFailed:
      j = {{"report", "failed"}, {"job_id", r.job_id}, {"code", r.code}, {"detail", r.detail}};
      break;
    case ReportKind::kRemoved:
      j = {{"report", "removed"}, {"job_id", r.job_id}};
      break;
    case ReportKind::kFile: {
      auto file = core::ParseJson(r.file);
      j = {{"report", "file"},
           {"job_id", r.job_id},
           {"file", file && file->is_object() ? *file : json::object()}};
      break;
    }
  }
  return core::DumpJson(j);
}

core::Result<Report> ParseReport(std::string_view line) {
  std::string name, event;
  auto j = Message(line, "report", name);
  if (!j) return j.error();
  Report r;
  if (auto ok = ReadStrings(
          *j, {{&r.job_id, "job_id"}, {&r.detail, "detail"}, {&r.code, "code"}, {&event, "event"}});
      !ok) {
    return ok.error();
  }
  if (name == "event") {
    r.kind = ReportKind::kEvent;
    auto kind = media::EventByName(event);
    if (!kind) return Bad("unknown event " + event);
    r.event = *kind;
  } else if (name == "stats") {
    r.kind = ReportKind::kStats;
    auto stats = j->find("stats");
    if (stats == j->end() || !stats->is_object() || r.job_id.empty()) {
      return Bad("stats need a job_id and an object");
    }
    r.stats = core::DumpJson(*stats);
  } else if (name == "failed") {
    r.kind = ReportKind::kFailed;
  } else if (name == "removed") {
    r.kind = ReportKind::kRemoved;
    if (r.job_id.empty()) return Bad("removed needs a job_id");
  } else if (name == "file") {
    r.kind = ReportKind::kFile;
    auto file = j->find("file");
    if (file == j->end() || !file->is_object() || r.job_id.empty()) {
      return Bad("file needs a job_id and an object");
    }
    r.file = core::DumpJson(*file);
  } else {
    return Bad("unknown report");
  }
  return r;
}

std::string FileReport(const media::RecordedFile& f) {
  return core::DumpJson(json{{"format", media::ContainerName(f.container)},
                             {"object", f.object},
                             {"sequence", f.sequence},
                             {"start_ms", f.start_ms},
                             {"end_ms", f.end_ms},
                             {"duration_s", f.duration_s},
                             {"size", f.size_bytes},
                             {"width", f.width},
                             {"height", f.height}});
}

namespace {

// The integer at key within [min, max], or nullopt.
std::optional<int64_t> IntegerIn(const json& j, const char* key, int64_t min, int64_t max) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  int64_t v = it->get<int64_t>();
  if (v < min || v > max) return std::nullopt;
  return v;
}

constexpr int64_t kBig = int64_t{1} << 53;

}  // namespace

core::Result<media::RecordedFile> ParseFileReport(std::string_view text) {
  auto j = core::ParseJson(text);
  if (!j || !j->is_object()) return Bad("a file is not an object");
  media::RecordedFile f;
  std::string format;
  if (auto ok = ReadStrings(*j, {{&format, "format"}, {&f.object, "object"}}); !ok) {
    return ok.error();
  }
  auto container = media::ParseContainer(format);
  if (!container || f.object.empty()) return Bad("a file needs a known format and an object");
  f.container = *container;
  auto integer = [&](const char* key, int64_t min, int64_t max) {
    return IntegerIn(*j, key, min, max);
  };
  auto seq = integer("sequence", 0, 1 << 30);
  auto start = integer("start_ms", 0, kBig);
  auto end = integer("end_ms", 0, kBig);
  auto size = integer("size", 0, kBig);
  auto width = integer("width", 0, 1 << 16);
  auto height = integer("height", 0, 1 << 16);
  auto duration = j->find("duration_s");
  if (!seq || !start || !end || !size || !width || !height || duration == j->end() ||
      !duration->is_number() || duration->get<double>() < 0) {
    return Bad("a file's figures are missing or out of range");
  }
  f.sequence = static_cast<int>(*seq);
  f.start_ms = *start;
  f.end_ms = *end;
  f.size_bytes = *size;
  f.width = static_cast<int>(*width);
  f.height = static_cast<int>(*height);
  f.duration_s = duration->get<double>();
  return f;
}

std::string ShotReport(const media::SnapshotShot& s) {
  return core::DumpJson(json{{"format", "jpg"},
                             {"object", s.object},
                             {"overwrite", s.overwrite},
                             {"sequence", s.sequence},
                             {"time_ms", s.time_ms},
                             {"size", s.size_bytes},
                             {"width", s.width},
                             {"height", s.height}});
}

core::Result<media::SnapshotShot> ParseShotReport(std::string_view text) {
  auto j = core::ParseJson(text);
  if (!j || !j->is_object()) return Bad("a shot is not an object");
  media::SnapshotShot s;
  std::string format;
  if (auto ok = ReadStrings(*j, {{&format, "format"}, {&s.object, "object"}}); !ok) {
    return ok.error();
  }
  auto overwrite = j->find("overwrite");
  if (format != "jpg" || s.object.empty() || overwrite == j->end() || !overwrite->is_boolean()) {
    return Bad("a shot needs format jpg, an object and overwrite");
  }
  auto seq = IntegerIn(*j, "sequence", 0, 1 << 30);
  auto time = IntegerIn(*j, "time_ms", 0, kBig);
  auto size = IntegerIn(*j, "size", 0, kBig);
  auto width = IntegerIn(*j, "width", 0, 1 << 16);
  auto height = IntegerIn(*j, "height", 0, 1 << 16);
  if (!seq || !time || !size || !width || !height) {
    return Bad("a shot's figures are missing or out of range");
  }
  s.overwrite = overwrite->get<bool>();
  s.sequence = static_cast<int>(*seq);
  s.time_ms = *time;
  s.size_bytes = *size;
  s.width = static_cast<int>(*width);
  s.height = static_cast<int>(*height);
  return s;
}

std::string InputPreviewName(const InputSpec& input) {
  // SHA-256 of the length-prefixed parts, 128 bits of it in hex: stable across processes and
  // builds, and no account can find an input whose name another account's input has.
  std::string text;
  for (const std::string* part : {&input.account_id, &input.type, &input.url, &input.backup_url}) {
    text += std::to_string(part->size()) + ":" + *part;
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string name = "i";
  for (int i = 0; i < 16; ++i) {
    name += kHex[digest[i] >> 4];
    name += kHex[digest[i] & 15];
  }
  return name;
}

}  // namespace floe::runtime
