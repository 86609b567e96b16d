// PostgresStore: templates of the recording and snapshot families.
#include "store/postgres/postgres_store.h"
#include "store/postgres/query.h"

namespace floe::store::postgres {

namespace {

constexpr int kFamilyInsertLock = 0x466c6f46;  // "FloF": creates of one account and family
constexpr char kColumns[] =
    "family, template_id, account_id, name, body, create_time, last_modified";

FamilyTemplateRecord At(const Rows& r, int i) {
  return {r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
          r.Text(i, 4), r.Int(i, 5),  r.Int(i, 6)};
}

}  // namespace

Result<bool> PostgresStore::InsertFamilyTemplate(const FamilyTemplateRecord& t,
                                                 int max_per_account) {
  return Tx<bool>([&](Conn& c) -> Result<bool> {
    if (max_per_account > 0) {
      // Creates of one account and family queue here, so the count cannot pass the limit.
      c.Exec("SELECT pg_advisory_xact_lock($1::integer, hashtext($2))",
             Params().Add(kFamilyInsertLock).Add(t.family + "/" + t.account_id));
      auto n = c.Exec("SELECT COUNT(*) FROM family_templates WHERE family = $1 AND account_id = $2",
                      Params().Add(t.family).Add(t.account_id))
                   .Int(0, 0);
      if (n >= max_per_account) return false;
    }
    c.Exec(std::string("INSERT INTO family_templates(") + kColumns +
               ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
           Params()
               .Add(t.family)
               .Add(t.template_id)
               .Add(t.account_id)
               .Add(t.name)
               .Add(t.body_json)
               .Add(t.create_time_ms)
               .Add(t.last_modified_ms));
    return true;
  });
}

Result<std::optional<FamilyTemplateRecord>> PostgresStore::GetFamilyTemplate(
    const std::string& family, const std::string& account_id, const std::string& template_id) {
  return Tx<std::optional<FamilyTemplateRecord>>(
      [&](Conn& c) -> Result<std::optional<FamilyTemplateRecord>> {
        auto r = c.Exec(std::string("SELECT ") + kColumns +
                            " FROM family_templates WHERE family = $1 AND template_id = $2 AND "
                            "account_id = $3",
                        Params().Add(family).Add(template_id).Add(account_id));
        if (r.empty()) return std::optional<FamilyTemplateRecord>();
        return std::optional<FamilyTemplateRecord>(At(r, 0));
      },
      true);
}

Result<FamilyTemplatePage> PostgresStore::ListFamilyTemplates(const FamilyTemplateQuery& q) {
  static const std::string kWhere =
      " FROM family_templates WHERE family = $1 AND account_id = $2"
      " AND ($3::text IS NULL OR template_id = $3 OR name ILIKE $4 ESCAPE '\\')"
      " AND ($5::text[] IS NULL OR template_id = ANY($5::text[]))";
  return Tx<FamilyTemplatePage>(
      [&](Conn& c) -> Result<FamilyTemplatePage> {
        Params p;
        p.Add(q.family).Add(q.account_id).Add(q.keyword);
        p.Add(q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
        if (q.template_ids.empty()) {
          p.Add(std::optional<std::string>());
        } else {
          p.Add(q.template_ids);
        }
        return ListPage<FamilyTemplatePage>(c, kColumns, kWhere, q, p, At);
      },
      true);
}

Result<bool> PostgresStore::UpdateFamilyTemplate(const FamilyTemplateRecord& t) {
  return Autocommit<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec(
                "UPDATE family_templates SET name = $1, body = $2, last_modified = $3 "
                "WHERE family = $4 AND template_id = $5 AND account_id = $6",
                Params()
                    .Add(t.name)
                    .Add(t.body_json)
                    .Add(t.last_modified_ms)
                    .Add(t.family)
                    .Add(t.template_id)
                    .Add(t.account_id))
               .affected() > 0;
  });
}

Result<bool> PostgresStore::DeleteFamilyTemplate(const std::string& family,
                                                 const std::string& account_id,
                                                 const std::string& template_id) {
  return Autocommit<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec(
                "DELETE FROM family_templates WHERE family = $1 AND template_id = $2 AND "
                "account_id = $3",
                Params().Add(family).Add(template_id).Add(account_id))
               .affected() > 0;
  });
}

}  // namespace floe::store::postgres
