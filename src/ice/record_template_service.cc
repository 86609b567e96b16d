#include "ice/record_template_service.h"

#include "core/ids.h"
#include "core/strings.h"
#include "core/time.h"
#include "ice/template_config.h"

namespace floe::ice {

using core::Error;
using core::Result;

namespace {
constexpr char kFamily[] = "record";
}  // namespace

Error RecordTemplateNotFound(const std::string& id) {
  return {"TemplateNotFound", 404,
          "No such template: TemplateId " + core::Excerpt(id) + " does not exist.",
          "Check the TemplateId with ListLiveRecordTemplates."};
}

RecordTemplateService::RecordTemplateService(store::Store& store, Clock clock, int max_per_account)
    : store_(store), clock_(std::move(clock)), max_per_account_(max_per_account) {
  if (!clock_) clock_ = core::NowMillis;
}

Result<std::string> RecordTemplateService::Create(const auth::Principal& who,
                                                  const std::string& name,
                                                  const std::string& formats_json) {
  if (auto r = ValidateName(name); !r) return r.error();
  auto formats = ParseRecordFormats(formats_json);
  if (!formats) return formats.error();
  const int64_t now = clock_();
  store::FamilyTemplateRecord rec{kFamily, core::NewResourceId(),         who.account_id,
                                  name,    RenderRecordFormats(*formats), now,
                                  now};
  auto inserted = store_.InsertFamilyTemplate(rec, max_per_account_);
  if (!inserted) return inserted.error();
  if (!*inserted) {
    return Error{"QuotaExceeded.Templates", 403,
                 "This account has " + std::to_string(max_per_account_) +
                     " recording templates, the most allowed.",
                 "Delete a template you no longer use (DeleteLiveRecordTemplate), or ask the "
                 "operator for a higher limit."};
  }
  return rec.template_id;
}

Result<store::FamilyTemplateRecord> RecordTemplateService::Get(const auth::Principal& who,
                                                               const std::string& id) {
  if (!core::IsResourceId(id)) return RecordTemplateNotFound(id);
  auto rec = store_.GetFamilyTemplate(kFamily, who.account_id, id);
  if (!rec) return rec.error();
  if (!rec->has_value()) return RecordTemplateNotFound(id);
  return std::move(**rec);
}

Result<store::FamilyTemplatePage> RecordTemplateService::List(const auth::Principal& who,
                                                              const RecordTemplateQuery& q) {
  store::FamilyTemplateQuery sq;
  sq.family = kFamily;
  sq.account_id = who.account_id;
  sq.keyword = q.keyword;
  sq.template_ids = q.template_ids;
  sq.ascending = q.ascending;
  sq.page_no = q.page_no;
  sq.page_size = q.page_size;
  return store_.ListFamilyTemplates(sq);
}

Result<void> RecordTemplateService::Update(const auth::Principal& who, const std::string& id,
                                           const std::string& name,
                                           const std::string& formats_json) {
  if (auto r = ValidateName(name); !r) return r.error();
  auto formats = ParseRecordFormats(formats_json);
  if (!formats) return formats.error();
  if (!core::IsResourceId(id)) return RecordTemplateNotFound(id);
  store::FamilyTemplateRecord rec{
      kFamily, id, who.account_id, name, RenderRecordFormats(*formats), 0, clock_()};
  auto found = store_.UpdateFamilyTemplate(rec);
  if (!found) return found.error();
  if (!*found) return RecordTemplateNotFound(id);
  return {};
}

Result<void> RecordTemplateService::Delete(const auth::Principal& who, const std::string& id) {
  if (!core::IsResourceId(id)) return RecordTemplateNotFound(id);
  auto found = store_.DeleteFamilyTemplate(kFamily, who.account_id, id);
  if (!found) return found.error();
  if (!*found) return RecordTemplateNotFound(id);
  return {};
}

}  // namespace floe::ice
