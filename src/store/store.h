// The Store interface: everything Floe keeps durably. Implementations: sqlite/ (one node) and,
// later, postgres/ (many nodes). A call that returns without error has been made durable.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/records.h"

namespace floe::store {

using core::Result;

class Store {
 public:
  virtual ~Store() = default;

  // Accounts and keys.
  virtual Result<void> CreateAccount(const Account& account) = 0;
  virtual Result<std::optional<Account>> GetAccount(const std::string& account_id) = 0;
  virtual Result<std::optional<Account>> GetRootAccount() = 0;  // the first account created
  virtual Result<void> CreateAccessKey(const AccessKey& key) = 0;
  virtual Result<std::optional<AccessKey>> GetAccessKey(const std::string& access_key_id) = 0;

  // Templates. Reads see the account's own templates and the system ones.
  virtual Result<void> InsertTemplate(const TemplateRecord& t) = 0;
  virtual Result<std::optional<TemplateRecord>> GetTemplate(const std::string& account_id,
                                                            const std::string& template_id) = 0;
  virtual Result<TemplatePage> ListTemplates(const TemplateQuery& q) = 0;

  // Read-modify-write of one customized template of the account, atomically: `mutate` sees the
  // current record and returns the new one (or an error, and nothing changes). Returns false
  // when the account has no such customized template.
  using TemplateMutation = std::function<Result<TemplateRecord>(const TemplateRecord& current)>;
  virtual Result<bool> UpdateTemplate(const std::string& account_id, const std::string& template_id,
                                      const TemplateMutation& mutate) = 0;
  // Deletes one customized template of the account. Returns false when there is none.
  virtual Result<bool> DeleteTemplate(const std::string& account_id,
                                      const std::string& template_id) = 0;
};

}  // namespace floe::store
