// The templates of the live recording and live snapshot families, whatever their settings:
// owned by one account, at most max_per_account of each family per account, answered as
// TemplateNotFound (404) when unknown or another account's. The settings arrive validated and
// rendered as canonical JSON (ice/record_format.h, ice/snapshot_format.h); each family's
// actions (ice/record_templates.h, ice/snapshot_templates.h) shape the answers. No HTTP, no SQL.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"
#include "store/store.h"

namespace floe::ice {

struct FamilyTemplateListQuery {
  std::optional<std::string> keyword;  // the id exactly, or part of the name
  std::vector<std::string> template_ids;
  bool ascending = false;
  int page_no = 1, page_size = 10;
};

class FamilyTemplateService {
 public:
  using Clock = std::function<int64_t()>;
  // family: "record" or "snapshot"; noun: what the family's templates are called in messages
  // ("recording templates"); list_action: where a client finds its ids.
  FamilyTemplateService(store::Store& store, std::string family, std::string noun,
                        std::string list_action, Clock clock = nullptr,
                        int max_per_account = kDefaultMaxPerAccount);
  static constexpr int kDefaultMaxPerAccount = 1000;

  core::Result<std::string> Create(const auth::Principal& who, const std::string& name,
                                   const std::string& body_json);
  core::Result<store::FamilyTemplateRecord> Get(const auth::Principal& who, const std::string& id);
  core::Result<store::FamilyTemplatePage> List(const auth::Principal& who,
                                               const FamilyTemplateListQuery& q);
  // A whole replacement: name and settings.
  core::Result<void> Update(const auth::Principal& who, const std::string& id,
                            const std::string& name, const std::string& body_json);
  // Jobs keep their own copy: deleting a template never touches them.
  core::Result<void> Delete(const auth::Principal& who, const std::string& id);

 private:
  core::Error NotFound(const std::string& id) const;

  store::Store& store_;
  std::string family_, noun_, list_action_;
  Clock clock_;
  int max_per_account_;
};

}  // namespace floe::ice
