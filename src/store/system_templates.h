// The system templates: read-only H.264 ladders every account sees (CreateTime
// 2020-11-09T00:00:00Z), inserted by each store's migrations in this order.
#pragma once

#include <string>
#include <vector>

namespace floe::store {

struct SystemTemplateSpec {
  const char* template_id;
  const char* name;
  int width, height, bitrate, profile, audio_bitrate;
};

// 360p, 540p, 720p, 1080p, then 480p (added later: the rung between 360p and 720p).
const std::vector<SystemTemplateSpec>& SystemTemplates();
// The INSERT of one (the same SQL for SQLite and PostgreSQL).
std::string SystemTemplateInsert(const SystemTemplateSpec& t);

}  // namespace floe::store
