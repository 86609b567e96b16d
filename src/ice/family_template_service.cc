#include "ice/family_template_service.h"

#include "core/ids.h"
#include "core/strings.h"
#include "core/time.h"

namespace floe::ice {

using core::Error;
using core::Result;

FamilyTemplateService::FamilyTemplateService(store::Store& store, std::string family,
                                             std::string noun, std::string list_action, Clock clock,
                                             int max_per_account)
    : store_(store),
      family_(std::move(family)),
      noun_(std::move(noun)),
      list_action_(std::move(list_action)),
      clock_(std::move(clock)),
      max_per_account_(max_per_account) {
  if (!clock_) clock_ = core::NowMillis;
}

Error FamilyTemplateService::NotFound(const std::string& id) const {
  return {"TemplateNotFound", 404,
          "No such template: TemplateId " + core::Excerpt(id) + " does not exist.",
          "Check the TemplateId with " + list_action_ + "."};
}

Result<std::string> FamilyTemplateService::Create(const auth::Principal& who,
                                                  const std::string& name,
                                                  const std::string& body_json) {
  const int64_t now = clock_();
  store::FamilyTemplateRecord rec{
      family_, core::NewResourceId(), who.account_id, name, body_json, now, now};
  auto inserted = store_.InsertFamilyTemplate(rec, max_per_account_);
  if (!inserted) return inserted.error();
  if (!*inserted) {
    return Error{"QuotaExceeded.Templates", 403,
                 "This account has " + std::to_string(max_per_account_) + " " + noun_ +
                     ", the most allowed.",
                 "Delete a template you no longer use, or ask the operator for a higher limit."};
  }
  return rec.template_id;
}

Result<store::FamilyTemplateRecord> FamilyTemplateService::Get(const auth::Principal& who,
                                                               const std::string& id) {
  if (!core::IsResourceId(id)) return NotFound(id);
  auto rec = store_.GetFamilyTemplate(family_, who.account_id, id);
  if (!rec) return rec.error();
  if (!rec->has_value()) return NotFound(id);
  return std::move(**rec);
}

Result<store::FamilyTemplatePage> FamilyTemplateService::List(const auth::Principal& who,
                                                              const FamilyTemplateListQuery& q) {
  store::FamilyTemplateQuery sq;
  sq.family = family_;
  sq.account_id = who.account_id;
  sq.keyword = q.keyword;
  sq.template_ids = q.template_ids;
  sq.ascending = q.ascending;
  sq.page_no = q.page_no;
  sq.page_size = q.page_size;
  return store_.ListFamilyTemplates(sq);
}

Result<void> FamilyTemplateService::Update(const auth::Principal& who, const std::string& id,
                                           const std::string& name, const std::string& body_json) {
  if (!core::IsResourceId(id)) return NotFound(id);
  store::FamilyTemplateRecord rec{family_, id, who.account_id, name, body_json, 0, clock_()};
  auto found = store_.UpdateFamilyTemplate(rec);
  if (!found) return found.error();
  if (!*found) return NotFound(id);
  return {};
}

Result<void> FamilyTemplateService::Delete(const auth::Principal& who, const std::string& id) {
  if (!core::IsResourceId(id)) return NotFound(id);
  auto found = store_.DeleteFamilyTemplate(family_, who.account_id, id);
  if (!found) return found.error();
  if (!*found) return NotFound(id);
  return {};
}

}  // namespace floe::ice
