// PostgresStore: the catalogue of snapshot jobs' pictures.
#include "store/postgres/postgres_store.h"
#include "store/postgres/query.h"

namespace floe::store::postgres {

namespace {

constexpr char kColumns[] =
    "account_id, job_id, create_time, overlay, bucket, endpoint, object, size, width, height";

SnapshotFileRecord At(const Rows& r, int i) {
  SnapshotFileRecord f;
  f.account_id = r.Text(i, 0);
  f.job_id = r.Text(i, 1);
  f.create_time_ms = r.Int(i, 2);
  f.overlay = r.Int(i, 3) != 0;
  f.bucket = r.Text(i, 4);
  f.endpoint = r.Text(i, 5);
  f.object = r.Text(i, 6);
  f.size_bytes = r.Int(i, 7);
  f.width = static_cast<int>(r.Int(i, 8));
  f.height = static_cast<int>(r.Int(i, 9));
  return f;
}

std::vector<SnapshotFileRecord> All(const Rows& r) {
  std::vector<SnapshotFileRecord> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(At(r, i));
  return out;
}

}  // namespace

Result<void> PostgresStore::PutSnapshotFile(const SnapshotFileRecord& f) {
  return Autocommit<void>([&](Conn& c) -> Result<void> {
    c.Exec(std::string("INSERT INTO snapshot_files(shot_key, ") + kColumns +
               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (shot_key) "
               "DO UPDATE SET create_time = EXCLUDED.create_time, object = EXCLUDED.object, "
               "size = EXCLUDED.size, width = EXCLUDED.width, height = EXCLUDED.height",
           Params()
               .Add(SnapshotShotKey(f))
               .Add(f.account_id)
               .Add(f.job_id)
               .Add(f.create_time_ms)
               .Add(f.overlay ? 1 : 0)
               .Add(f.bucket)
               .Add(f.endpoint)
               .Add(f.object)
               .Add(f.size_bytes)
               .Add(f.width)
               .Add(f.height));
    return {};
  });
}

Result<std::vector<SnapshotFileRecord>> PostgresStore::ListSnapshotFiles(
    const SnapshotFileQuery& q) {
  return Tx<std::vector<SnapshotFileRecord>>(
      [&](Conn& c) -> Result<std::vector<SnapshotFileRecord>> {
        return All(c.Exec(std::string("SELECT ") + kColumns +
                              " FROM snapshot_files WHERE account_id = $1 AND job_id = $2 AND "
                              "create_time >= $3 AND create_time < $4 ORDER BY create_time " +
                              (q.ascending ? "ASC, overlay ASC" : "DESC, overlay DESC") +
                              " LIMIT $5",
                          Params()
                              .Add(q.account_id)
                              .Add(q.job_id)
                              .Add(q.start_ms)
                              .Add(q.end_ms)
                              .Add(int64_t{q.limit})));
      },
      true);
}

Result<std::vector<SnapshotFileRecord>> PostgresStore::GetSnapshotFiles(
    const std::string& account_id, const std::string& job_id, int64_t create_time_ms) {
  return Tx<std::vector<SnapshotFileRecord>>(
      [&](Conn& c) -> Result<std::vector<SnapshotFileRecord>> {
        return All(c.Exec(std::string("SELECT ") + kColumns +
                              " FROM snapshot_files WHERE account_id = $1 AND job_id = $2 AND "
                              "create_time = $3 ORDER BY overlay",
                          Params().Add(account_id).Add(job_id).Add(create_time_ms)));
      },
      true);
}

Result<bool> PostgresStore::DeleteSnapshotFile(const std::string& account_id,
                                               const std::string& job_id, int64_t create_time_ms) {
  return Autocommit<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec(
                "DELETE FROM snapshot_files WHERE account_id = $1 AND job_id = $2 AND "
                "create_time = $3 AND overlay = 0",
                Params().Add(account_id).Add(job_id).Add(create_time_ms))
               .affected() > 0;
  });
}

}  // namespace floe::store::postgres
