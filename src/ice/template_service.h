// The rules of live transcoding templates: ownership, system templates, validation of whole
// templates, and the leaf-by-leaf merge of updates. No HTTP, no SQL.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "auth/principal.h"
#include "core/result.h"
#include "ice/template_config.h"
#include "store/store.h"

namespace floe::ice {

struct NewTemplate {
  std::string name;
  std::string type;
  std::optional<std::string> config_json;  // the TemplateConfig parameter, if sent
};

struct TemplateChange {
  std::optional<std::string> name;
  std::optional<std::string> config_json;
};

class TemplateService {
 public:
  using Clock = std::function<int64_t()>;
  // max_per_account: the most customized templates one account keeps (0: no limit;
  // QuotaExceeded.Templates past it).
  explicit TemplateService(store::Store& store, Clock clock = nullptr,
                           int max_per_account = kDefaultMaxPerAccount);

  static constexpr int kDefaultMaxPerAccount = 1000;

  core::Result<std::string> Create(const auth::Principal& who, const NewTemplate& t);
  core::Result<store::TemplateRecord> Get(const auth::Principal& who, const std::string& id);
  core::Result<store::TemplatePage> List(const auth::Principal& who, store::TemplateQuery q);
  core::Result<void> Update(const auth::Principal& who, const std::string& id,
                            const TemplateChange& change);
  core::Result<void> Delete(const auth::Principal& who, const std::string& id);

 private:
  // What the store's write came to, as the API answers it (kNotFound: not found, or a system
  // template, which cannot be changed).
  core::Result<void> Answer(const auth::Principal& who, store::TemplateWrite outcome,
                            const std::string& id);

  store::Store& store_;
  Clock clock_;
  int max_per_account_;
};

core::Error TemplateNotFound(const std::string& id);
core::Error TemplateInUse();

}  // namespace floe::ice
