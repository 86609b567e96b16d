// Live recording templates (CreateLiveRecordTemplate and its siblings): a name and a list of
// RecordFormat (ice/record_format.h), owned by one account, stored with the family "record".
// No HTTP, no SQL.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"
#include "ice/record_format.h"
#include "store/store.h"

namespace floe::ice {

struct RecordTemplateQuery {
  std::optional<std::string> keyword;
  std::vector<std::string> template_ids;
  bool ascending = false;
  int page_no = 1, page_size = 10;
};

class RecordTemplateService {
 public:
  using Clock = std::function<int64_t()>;
  explicit RecordTemplateService(store::Store& store, Clock clock = nullptr,
                                 int max_per_account = kDefaultMaxPerAccount);
  static constexpr int kDefaultMaxPerAccount = 1000;

  core::Result<std::string> Create(const auth::Principal& who, const std::string& name,
                                   const std::string& formats_json);
  core::Result<store::FamilyTemplateRecord> Get(const auth::Principal& who, const std::string& id);
  core::Result<store::FamilyTemplatePage> List(const auth::Principal& who,
                                               const RecordTemplateQuery& q);
  // A whole replacement: name and formats.
  core::Result<void> Update(const auth::Principal& who, const std::string& id,
                            const std::string& name, const std::string& formats_json);
  // Jobs keep their own copy: deleting a template never touches them.
  core::Result<void> Delete(const auth::Principal& who, const std::string& id);

 private:
  store::Store& store_;
  Clock clock_;
  int max_per_account_;
};

core::Error RecordTemplateNotFound(const std::string& id);

}  // namespace floe::ice
