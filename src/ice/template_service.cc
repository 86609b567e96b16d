#include "ice/template_service.h"

#include "core/strings.h"

#include "core/ids.h"
#include "core/time.h"

namespace floe::ice {

using core::Error;
using core::Result;

Error TemplateNotFound(const std::string& id) {
  return {
      "ResourceNotFound", 404,
      "The specified resource is not found: TemplateId " + core::Excerpt(id) + " does not exist.",
      "Check the TemplateId with ListLiveTranscodeTemplates."};
}

Error TemplateInUse() {
  return {"InvalidParam.TemplateIdInuse", 400, "Parameters: templateId is inuse.",
          "Stop the jobs that use this template (SendLiveTranscodeJobCommand stop) first."};
}

TemplateService::TemplateService(store::Store& store, Clock clock, int max_per_account)
    : store_(store), clock_(std::move(clock)), max_per_account_(max_per_account) {
  if (!clock_) clock_ = core::NowMillis;
}

Result<std::string> TemplateService::Create(const auth::Principal& who, const NewTemplate& t) {
  if (auto r = ValidateName(t.name); !r) return r.error();
  ConfigLeaves leaves;
  if (t.config_json) {
    auto patch = ParseTemplateConfig(*t.config_json);
    if (!patch) return patch.error();
    leaves = ApplyPatch({}, *patch);
  }
  auto spec = ValidateTemplate(t.type, leaves);
  if (!spec) return spec.error();
  store::TemplateRecord rec;
  rec.template_id = core::NewResourceId();
  rec.account_id = who.account_id;
  rec.name = t.name;
  rec.type = t.type;
  rec.category = "customized";
  rec.video_codec = spec->video.codec.value_or("");
  rec.config_json = RenderConfig(leaves);
  rec.create_time_ms = clock_();
  auto inserted = store_.InsertTemplate(rec, max_per_account_);
  if (!inserted) return inserted.error();
  if (!*inserted) {
    return Error{"QuotaExceeded.Templates", 403,
                 "This account has " + std::to_string(max_per_account_) +
                     " customized templates, the most allowed.",
                 "Delete a template you no longer use (DeleteLiveTranscodeTemplate), or ask the "
                 "operator for a higher limit."};
  }
  return rec.template_id;
}

Result<store::TemplateRecord> TemplateService::Get(const auth::Principal& who,
                                                   const std::string& id) {
  if (!core::IsResourceId(id)) return TemplateNotFound(id);
  auto rec = store_.GetTemplate(who.account_id, id);
  if (!rec) return rec.error();
  if (!rec->has_value()) return TemplateNotFound(id);
  return std::move(**rec);
}

Result<store::TemplatePage> TemplateService::List(const auth::Principal& who,
                                                  store::TemplateQuery q) {
  q.account_id = who.account_id;
  return store_.ListTemplates(q);
}

Result<void> TemplateService::Answer(const auth::Principal& who, store::TemplateWrite outcome,
                                     const std::string& id) {
  switch (outcome) {
    case store::TemplateWrite::kDone:
      return {};
    case store::TemplateWrite::kInUse:
      return TemplateInUse();
    case store::TemplateWrite::kNotFound:
      break;
  }
  // The store changes only the account's customized templates: one it did not find may be a
  // system template, which has an answer of its own. Read only on this path, so a write that
  // succeeds costs no read before it.
  auto current = Get(who, id);
  if (!current) return current.error();
  if (current->category == "system") {
    return Error{"InvalidParam.TemplateReadOnly", 400,
                 "Parameters: templateId " + id +
                     " is a system template, which cannot be changed or deleted.",
                 "Create a customized template instead."};
  }
  return TemplateNotFound(id);
}

Result<void> TemplateService::Update(const auth::Principal& who, const std::string& id,
                                     const TemplateChange& change) {
  if (change.name) {
    if (auto r = ValidateName(*change.name); !r) return r.error();
  }
  std::optional<ConfigPatch> patch;
  if (change.config_json) {
    auto p = ParseTemplateConfig(*change.config_json);
    if (!p) return p.error();
    patch = std::move(*p);
  }
  if (!core::IsResourceId(id)) return TemplateNotFound(id);
  // The merge and its validation run inside the store's transaction: concurrent updates of
  // different leaves all survive, and a refused merge writes nothing.
  auto found = store_.UpdateTemplate(
      who.account_id, id,
      [&](const store::TemplateRecord& current) -> Result<store::TemplateRecord> {
        store::TemplateRecord next = current;
        ConfigLeaves leaves = LeavesFromStored(current.config_json);
        if (patch) leaves = ApplyPatch(std::move(leaves), *patch);
        auto spec = ValidateTemplate(current.type, leaves);
        if (!spec) return spec.error();
        if (change.name) next.name = *change.name;
        next.video_codec = spec->video.codec.value_or("");
        next.config_json = RenderConfig(leaves);
        return next;
      });
  if (!found) return found.error();
  return Answer(who, *found, id);
}

Result<void> TemplateService::Delete(const auth::Principal& who, const std::string& id) {
  if (!core::IsResourceId(id)) return TemplateNotFound(id);
  auto found = store_.DeleteTemplate(who.account_id, id);
  if (!found) return found.error();
  return Answer(who, *found, id);
}

}  // namespace floe::ice
