#include "runtime/protocol.h"

#include <nlohmann/json.hpp>

#include "core/json.h"

namespace floe::runtime {

using nlohmann::json;

namespace {

core::Error Bad(const std::string& why) {
  return core::Error{"BadMessage", 400, why, ""};
}

// The string member `key` of `j`: absent is empty; any other type is an error.
core::Result<std::string> Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Bad(std::string(key) + " is not a string");
  return it->get<std::string>();
}

json ToJson(const RenditionSpec& r) {
  return json{{"job_id", r.job_id},
              {"type", r.type},
              {"template_config", r.template_config},
              {"output_url", r.output_url},
              {"trusted_output", r.trusted_output}};
}

core::Result<RenditionSpec> RenditionFrom(const json& j) {
  if (!j.is_object()) return Bad("a rendition is not an object");
  RenditionSpec r;
  for (auto [field, key] :
       {std::pair{&r.job_id, "job_id"}, std::pair{&r.type, "type"},
        std::pair{&r.template_config, "template_config"}, std::pair{&r.output_url, "output_url"}}) {
    auto v = Str(j, key);
    if (!v) return v.error();
    *field = std::move(*v);
  }
  if (r.job_id.empty() || r.output_url.empty()) return Bad("a rendition needs job_id, output_url");
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

core::Result<json> Object(std::string_view line) {
  if (line.size() > kMaxLine) return Bad("line too long");
  auto j = core::ParseJson(line);
  if (!j || !j->is_object()) return Bad("not a JSON object");
  return std::move(*j);
}

}  // namespace

InputSpec InputOf(const store::JobRecord& job) {
  return InputSpec{job.input_type, job.input_url, job.backup_input_url};
}

RenditionSpec RenditionOf(const store::JobRecord& job) {
  return RenditionSpec{job.job_id, job.template_type, job.template_config, job.output_url,
                       job.output_type == "LiveCenter"};
}

std::string Encode(const Command& c) {
  json j;
  switch (c.kind) {
    case CommandKind::kStart: {
      j["command"] = "start";
      j["input"] = {
          {"type", c.input.type}, {"url", c.input.url}, {"backup_url", c.input.backup_url}};
      json list = json::array();
      for (const auto& r : c.renditions) list.push_back(ToJson(r));
      j["renditions"] = std::move(list);
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
  }
  return core::DumpJson(j);
}

core::Result<Command> ParseCommand(std::string_view line) {
  auto j = Object(line);
  if (!j) return j.error();
  auto name = Str(*j, "command");
  if (!name) return name.error();
  Command c;
  if (*name == "start") {
    c.kind = CommandKind::kStart;
    auto in = j->find("input");
    if (in == j->end() || !in->is_object()) return Bad("start needs an input");
    for (auto [field, key] : {std::pair{&c.input.type, "type"}, std::pair{&c.input.url, "url"},
                              std::pair{&c.input.backup_url, "backup_url"}}) {
      auto v = Str(*in, key);
      if (!v) return v.error();
      *field = std::move(*v);
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
  } else if (*name == "add") {
    c.kind = CommandKind::kAdd;
    auto r = j->find("rendition");
    if (r == j->end()) return Bad("add needs a rendition");
    auto spec = RenditionFrom(*r);
    if (!spec) return spec.error();
    c.renditions.push_back(std::move(*spec));
  } else if (*name == "remove") {
    c.kind = CommandKind::kRemove;
    auto id = Str(*j, "job_id");
    if (!id) return id.error();
    if (id->empty()) return Bad("remove needs a job_id");
    c.job_id = std::move(*id);
  } else {
    return Bad("unknown command");
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
  }
  return core::DumpJson(j);
}

core::Result<Report> ParseReport(std::string_view line) {
  auto j = Object(line);
  if (!j) return j.error();
  auto name = Str(*j, "report");
  if (!name) return name.error();
  Report r;
  auto id = Str(*j, "job_id");
  if (!id) return id.error();
  r.job_id = std::move(*id);
  auto detail = Str(*j, "detail");
  if (!detail) return detail.error();
  r.detail = std::move(*detail);
  if (*name == "event") {
    r.kind = ReportKind::kEvent;
    auto event = Str(*j, "event");
    if (!event) return event.error();
    auto kind = media::EventByName(*event);
    if (!kind) return Bad("unknown event " + *event);
    r.event = *kind;
  } else if (*name == "stats") {
    r.kind = ReportKind::kStats;
    auto stats = j->find("stats");
    if (stats == j->end() || !stats->is_object() || r.job_id.empty()) {
      return Bad("stats need a job_id and an object");
    }
    r.stats = core::DumpJson(*stats);
  } else if (*name == "failed") {
    r.kind = ReportKind::kFailed;
    auto code = Str(*j, "code");
    if (!code) return code.error();
    r.code = std::move(*code);
  } else if (*name == "removed") {
    r.kind = ReportKind::kRemoved;
    if (r.job_id.empty()) return Bad("removed needs a job_id");
  } else {
    return Bad("unknown report");
  }
  return r;
}

}  // namespace floe::runtime
