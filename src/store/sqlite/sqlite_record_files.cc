// SqliteStore: the catalogue of record jobs' files.
#include <nlohmann/json.hpp>

#include "store/sqlite/query.h"
#include "store/sqlite/sqlite_store.h"

namespace floe::store::sqlite {

namespace {

constexpr char kColumns[] =
    "record_id, account_id, job_id, job_name, format, bucket, object, output, stream_url, "
    "start_time, end_time, create_time, duration, size, width, height";

RecordFileRecord FromRow(const Stmt& s) {
  RecordFileRecord f;
  f.record_id = s.Text(0);
  f.account_id = s.Text(1);
  f.job_id = s.Text(2);
  f.job_name = s.Text(3);
  f.format = s.Text(4);
  f.bucket = s.Text(5);
  f.object = s.Text(6);
  f.output_json = s.Text(7);
  f.stream_url = s.Text(8);
  f.start_time_ms = s.Int(9);
  f.end_time_ms = s.Int(10);
  f.create_time_ms = s.Int(11);
  f.duration_ms = s.Int(12);
  f.size_bytes = s.Int(13);
  f.width = static_cast<int>(s.Int(14));
  f.height = static_cast<int>(s.Int(15));
  return f;
}

}  // namespace

Result<bool> SqliteStore::InsertRecordFile(const RecordFileRecord& f) {
  return WriteChanged([&](Db& db) {
    db.Prepare(std::string("INSERT INTO record_files(") + kColumns +
               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(record_id) DO NOTHING")
        .Bind(1, f.record_id)
        .Bind(2, f.account_id)
        .Bind(3, f.job_id)
        .Bind(4, f.job_name)
        .Bind(5, f.format)
        .Bind(6, f.bucket)
        .Bind(7, f.object)
        .Bind(8, f.output_json)
        .Bind(9, f.stream_url)
        .Bind(10, f.start_time_ms)
        .Bind(11, f.end_time_ms)
        .Bind(12, f.create_time_ms)
        .Bind(13, f.duration_ms)
        .Bind(14, f.size_bytes)
        .Bind(15, int64_t{f.width})
        .Bind(16, int64_t{f.height})
        .Step();
  });
}

Result<RecordFilePage> SqliteStore::ListRecordFiles(const RecordFileQuery& q) {
  static const std::string kWhere =
      " FROM record_files WHERE account_id = ?1 AND start_time >= ?2 AND start_time < ?3"
      " AND (?4 IS NULL OR format = ?4)"
      " AND (?5 IS NULL OR job_id IN (SELECT value FROM json_each(?5)))";
  std::optional<std::string> ids;
  if (!q.job_ids.empty()) ids = nlohmann::json(q.job_ids).dump();
  return Read<RecordFilePage>([&](Db& db) {
    return ListPage<RecordFilePage>(
        db, kColumns, kWhere, q,
        [&](Stmt& s) {
          s.Bind(1, q.account_id).Bind(2, q.start_ms).Bind(3, q.end_ms).Bind(4, q.format);
          s.Bind(5, ids);
        },
        FromRow, "start_time");
  });
}

Result<std::optional<RecordFileRecord>> SqliteStore::GetRecordFile(const std::string& account_id,
                                                                   const std::string& record_id) {
  return Read<std::optional<RecordFileRecord>>([&](Db& db) -> std::optional<RecordFileRecord> {
    auto s = db.Prepare(std::string("SELECT ") + kColumns +
                        " FROM record_files WHERE record_id = ? AND account_id = ?");
    s.Bind(1, record_id).Bind(2, account_id);
    if (!s.Step()) return std::nullopt;
    return FromRow(s);
  });
}

Result<bool> SqliteStore::DeleteRecordFile(const std::string& account_id,
                                           const std::string& record_id) {
  return WriteChanged([&](Db& db) {
    db.Prepare("DELETE FROM record_files WHERE record_id = ? AND account_id = ?")
        .Bind(1, record_id)
        .Bind(2, account_id)
        .Step();
  });
}

}  // namespace floe::store::sqlite
