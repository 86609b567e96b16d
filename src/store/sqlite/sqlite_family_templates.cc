// SqliteStore: templates of the recording and snapshot families.
#include <nlohmann/json.hpp>

#include "store/sqlite/query.h"
#include "store/sqlite/sqlite_store.h"

namespace floe::store::sqlite {

namespace {

constexpr char kColumns[] =
    "family, template_id, account_id, name, body, create_time, last_modified";

FamilyTemplateRecord FromRow(const Stmt& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6)};
}

}  // namespace

Result<bool> SqliteStore::InsertFamilyTemplate(const FamilyTemplateRecord& t, int max_per_account) {
  bool inserted = false;
  auto r = Write([&](Db& db) -> Result<void> {
    if (max_per_account > 0) {
      auto s =
          db.Prepare("SELECT COUNT(*) FROM family_templates WHERE family = ? AND account_id = ?");
      s.Bind(1, t.family).Bind(2, t.account_id).Step();
      if (s.Int(0) >= max_per_account) return {};
    }
    db.Prepare(std::string("INSERT INTO family_templates(") + kColumns + ") VALUES (?,?,?,?,?,?,?)")
        .Bind(1, t.family)
        .Bind(2, t.template_id)
        .Bind(3, t.account_id)
        .Bind(4, t.name)
        .Bind(5, t.body_json)
        .Bind(6, t.create_time_ms)
        .Bind(7, t.last_modified_ms)
        .Step();
    inserted = true;
    return {};
  });
  if (!r) return r.error();
  return inserted;
}

Result<std::optional<FamilyTemplateRecord>> SqliteStore::GetFamilyTemplate(
    const std::string& family, const std::string& account_id, const std::string& template_id) {
  return Read<std::optional<FamilyTemplateRecord>>(
      [&](Db& db) -> std::optional<FamilyTemplateRecord> {
        auto s = db.Prepare(std::string("SELECT ") + kColumns +
                            " FROM family_templates WHERE family = ? AND template_id = ? AND "
                            "account_id = ?");
        s.Bind(1, family).Bind(2, template_id).Bind(3, account_id);
        if (!s.Step()) return std::nullopt;
        return FromRow(s);
      });
}

Result<FamilyTemplatePage> SqliteStore::ListFamilyTemplates(const FamilyTemplateQuery& q) {
  static const std::string kWhere =
      " FROM family_templates WHERE family = ?1 AND account_id = ?2"
      " AND (?3 IS NULL OR template_id = ?3 OR name LIKE ?4 ESCAPE '\\')"
      " AND (?5 IS NULL OR template_id IN (SELECT value FROM json_each(?5)))";
  std::optional<std::string> ids;
  if (!q.template_ids.empty()) ids = nlohmann::json(q.template_ids).dump();
  return Read<FamilyTemplatePage>([&](Db& db) {
    return ListPage<FamilyTemplatePage>(
        db, kColumns, kWhere, q,
        [&](Stmt& s) {
          s.Bind(1, q.family).Bind(2, q.account_id).Bind(3, q.keyword);
          s.Bind(4, q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
          s.Bind(5, ids);
        },
        FromRow);
  });
}

Result<bool> SqliteStore::UpdateFamilyTemplate(const FamilyTemplateRecord& t) {
  bool found = false;
  auto r = Write([&](Db& db) -> Result<void> {
    auto s = db.Prepare(
        "UPDATE family_templates SET name = ?, body = ?, last_modified = ? "
        "WHERE family = ? AND template_id = ? AND account_id = ?");
    s.Bind(1, t.name)
        .Bind(2, t.body_json)
        .Bind(3, t.last_modified_ms)
        .Bind(4, t.family)
        .Bind(5, t.template_id)
        .Bind(6, t.account_id)
        .Step();
    found = sqlite3_changes(db.handle()) > 0;
    return {};
  });
  if (!r) return r.error();
  return found;
}

Result<bool> SqliteStore::DeleteFamilyTemplate(const std::string& family,
                                               const std::string& account_id,
                                               const std::string& template_id) {
  bool found = false;
  auto r = Write([&](Db& db) -> Result<void> {
    db.Prepare(
          "DELETE FROM family_templates WHERE family = ? AND template_id = ? AND account_id = ?")
        .Bind(1, family)
        .Bind(2, template_id)
        .Bind(3, account_id)
        .Step();
    found = sqlite3_changes(db.handle()) > 0;
    return {};
  });
  if (!r) return r.error();
  return found;
}

}  // namespace floe::store::sqlite
