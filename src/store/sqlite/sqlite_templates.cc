// SqliteStore: templates.
#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/query.h"

namespace floe::store::sqlite {

using core::Error;

namespace {

constexpr char kTemplateColumns[] =
    "template_id, account_id, name, type, category, video_codec, config, create_time";

TemplateRecord TemplateFromRow(const Stmt& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Int(7)};
}

}  // namespace

Result<bool> SqliteStore::InsertTemplate(const TemplateRecord& t, int max_per_account) {
  bool inserted = false;
  auto r = Write([&](Db& db) -> Result<void> {
    // One writer: the count and the insert cannot interleave with another create.
    if (max_per_account > 0) {
      auto s = db.Prepare(
          "SELECT COUNT(*) FROM templates WHERE account_id = ? AND category = 'customized'");
      s.Bind(1, t.account_id).Step();
      if (s.Int(0) >= max_per_account) return {};
    }
    db.Prepare(std::string("INSERT INTO templates(") + kTemplateColumns +
               ") VALUES (?,?,?,?,?,?,?,?)")
        .Bind(1, t.template_id)
        .Bind(2, t.account_id)
        .Bind(3, t.name)
        .Bind(4, t.type)
        .Bind(5, t.category)
        .Bind(6, t.video_codec)
        .Bind(7, t.config_json)
        .Bind(8, t.create_time_ms)
        .Step();
    inserted = true;
    return {};
  });
  if (!r) return r.error();
  return inserted;
}

Result<std::optional<TemplateRecord>> SqliteStore::GetTemplate(const std::string& account_id,
                                                               const std::string& template_id) {
  return Read<std::optional<TemplateRecord>>([&](Db& db) -> std::optional<TemplateRecord> {
    auto s = db.Prepare(std::string("SELECT ") + kTemplateColumns +
                        " FROM templates WHERE template_id = ? AND (account_id = ? OR "
                        "category = 'system')");
    s.Bind(1, template_id).Bind(2, account_id);
    if (!s.Step()) return std::nullopt;
    return TemplateFromRow(s);
  });
}

Result<TemplatePage> SqliteStore::ListTemplates(const TemplateQuery& q) {
  static const std::string kWhere =
      " FROM templates WHERE (account_id = ?1 OR category = 'system')"
      " AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR video_codec = ?3)"
      " AND (?4 IS NULL OR category = ?4)"
      " AND (?5 IS NULL OR template_id = ?5 OR name LIKE ?6 ESCAPE '\\')";
  return Read<TemplatePage>([&](Db& db) {
    return ListPage<TemplatePage>(
        db, kTemplateColumns, kWhere, q,
        [&](Stmt& s) {
          s.Bind(1, q.account_id).Bind(2, q.type).Bind(3, q.video_codec).Bind(4, q.category);
          s.Bind(5, q.keyword);
          s.Bind(6, q.keyword ? std::optional<std::string>(LikePattern(*q.keyword)) : std::nullopt);
        },
        TemplateFromRow);
  });
}

Result<TemplateWrite> SqliteStore::UpdateTemplate(const std::string& account_id,
                                                  const std::string& template_id,
                                                  const TemplateMutation& mutate) {
  TemplateWrite outcome = TemplateWrite::kNotFound;
  auto r = Write([&](Db& db) -> Result<void> {
    std::optional<TemplateRecord> current;
    {
      auto s = db.Prepare(std::string("SELECT ") + kTemplateColumns +
                          " FROM templates WHERE template_id = ? AND account_id = ? AND "
                          "category = 'customized'");
      s.Bind(1, template_id).Bind(2, account_id);
      if (s.Step()) current = TemplateFromRow(s);
    }
    if (!current) return {};
    if (TemplateInUse(db, template_id)) {
      outcome = TemplateWrite::kInUse;
      return {};
    }
    auto next = mutate(*current);
    if (!next) return next.error();
    db.Prepare(
          "UPDATE templates SET name = ?, type = ?, video_codec = ?, config = ? "
          "WHERE template_id = ? AND account_id = ?")
        .Bind(1, next->name)
        .Bind(2, next->type)
        .Bind(3, next->video_codec)
        .Bind(4, next->config_json)
        .Bind(5, template_id)
        .Bind(6, account_id)
        .Step();
    outcome = TemplateWrite::kDone;
    return {};
  });
  if (!r) return r.error();
  return outcome;
}

Result<TemplateWrite> SqliteStore::DeleteTemplate(const std::string& account_id,
                                                  const std::string& template_id) {
  TemplateWrite outcome = TemplateWrite::kNotFound;
  auto r = Write([&](Db& db) -> Result<void> {
    {
      auto s = db.Prepare(
          "SELECT 1 FROM templates WHERE template_id = ? AND account_id = ? AND "
          "category = 'customized'");
      s.Bind(1, template_id).Bind(2, account_id);
      if (!s.Step()) return {};
    }
    if (TemplateInUse(db, template_id)) {
      outcome = TemplateWrite::kInUse;
      return {};
    }
    db.Prepare("DELETE FROM templates WHERE template_id = ? AND account_id = ?")
        .Bind(1, template_id)
        .Bind(2, account_id)
        .Step();
    outcome = TemplateWrite::kDone;
    return {};
  });
  if (!r) return r.error();
  return outcome;
}

bool SqliteStore::TemplateInUse(Db& db, const std::string& template_id) {
  auto s = db.Prepare("SELECT 1 FROM jobs WHERE template_id = ? AND status != 2 LIMIT 1");
  s.Bind(1, template_id);
  return s.Step();
}

}  // namespace floe::store::sqlite
