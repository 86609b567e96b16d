// SqliteStore: the catalogue of snapshot jobs' pictures.
#include "store/sqlite/query.h"
#include "store/sqlite/sqlite_store.h"

namespace floe::store::sqlite {

namespace {

constexpr char kColumns[] =
    "account_id, job_id, create_time, overlay, bucket, endpoint, object, size, width, height";

SnapshotFileRecord FromRow(const Stmt& s) {
  SnapshotFileRecord f;
  f.account_id = s.Text(0);
  f.job_id = s.Text(1);
  f.create_time_ms = s.Int(2);
  f.overlay = s.Int(3) != 0;
  f.bucket = s.Text(4);
  f.endpoint = s.Text(5);
  f.object = s.Text(6);
  f.size_bytes = s.Int(7);
  f.width = static_cast<int>(s.Int(8));
  f.height = static_cast<int>(s.Int(9));
  return f;
}

}  // namespace

Result<void> SqliteStore::PutSnapshotFile(const SnapshotFileRecord& f) {
  return Write([&](Db& db) -> Result<void> {
    db.Prepare(std::string("INSERT INTO snapshot_files(shot_key, ") + kColumns +
               ") VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(shot_key) DO UPDATE SET "
               "create_time = excluded.create_time, object = excluded.object, "
               "size = excluded.size, width = excluded.width, height = excluded.height")
        .Bind(1, SnapshotShotKey(f))
        .Bind(2, f.account_id)
        .Bind(3, f.job_id)
        .Bind(4, f.create_time_ms)
        .Bind(5, int64_t{f.overlay ? 1 : 0})
        .Bind(6, f.bucket)
        .Bind(7, f.endpoint)
        .Bind(8, f.object)
        .Bind(9, f.size_bytes)
        .Bind(10, int64_t{f.width})
        .Bind(11, int64_t{f.height})
        .Step();
    return {};
  });
}

Result<std::vector<SnapshotFileRecord>> SqliteStore::ListSnapshotFiles(const SnapshotFileQuery& q) {
  return Read<std::vector<SnapshotFileRecord>>([&](Db& db) {
    auto s = db.Prepare(std::string("SELECT ") + kColumns +
                        " FROM snapshot_files WHERE account_id = ? AND job_id = ? AND "
                        "create_time >= ? AND create_time < ? ORDER BY create_time " +
                        (q.ascending ? "ASC, overlay ASC" : "DESC, overlay DESC") + " LIMIT ?");
    s.Bind(1, q.account_id).Bind(2, q.job_id).Bind(3, q.start_ms).Bind(4, q.end_ms);
    s.Bind(5, int64_t{q.limit});
    std::vector<SnapshotFileRecord> out;
    while (s.Step()) out.push_back(FromRow(s));
    return out;
  });
}

Result<std::vector<SnapshotFileRecord>> SqliteStore::GetSnapshotFiles(const std::string& account_id,
                                                                      const std::string& job_id,
                                                                      int64_t create_time_ms) {
  return Read<std::vector<SnapshotFileRecord>>([&](Db& db) {
    auto s = db.Prepare(std::string("SELECT ") + kColumns +
                        " FROM snapshot_files WHERE account_id = ? AND job_id = ? AND "
                        "create_time = ? ORDER BY overlay");
    s.Bind(1, account_id).Bind(2, job_id).Bind(3, create_time_ms);
    std::vector<SnapshotFileRecord> out;
    while (s.Step()) out.push_back(FromRow(s));
    return out;
  });
}

Result<bool> SqliteStore::DeleteSnapshotFile(const std::string& account_id,
                                             const std::string& job_id, int64_t create_time_ms) {
  return WriteChanged([&](Db& db) {
    db.Prepare(
          "DELETE FROM snapshot_files WHERE account_id = ? AND job_id = ? AND create_time = ? "
          "AND overlay = 0")
        .Bind(1, account_id)
        .Bind(2, job_id)
        .Bind(3, create_time_ms)
        .Step();
  });
}

}  // namespace floe::store::sqlite
