// PostgresStore: the catalogue of record jobs' files.
#include "store/postgres/postgres_store.h"
#include "store/postgres/query.h"

namespace floe::store::postgres {

namespace {

constexpr char kColumns[] =
    "record_id, account_id, job_id, job_name, format, bucket, object, output, stream_url, "
    "start_time, end_time, create_time, duration, size, width, height";

RecordFileRecord At(const Rows& r, int i) {
  RecordFileRecord f;
  f.record_id = r.Text(i, 0);
  f.account_id = r.Text(i, 1);
  f.job_id = r.Text(i, 2);
  f.job_name = r.Text(i, 3);
  f.format = r.Text(i, 4);
  f.bucket = r.Text(i, 5);
  f.object = r.Text(i, 6);
  f.output_json = r.Text(i, 7);
  f.stream_url = r.Text(i, 8);
  f.start_time_ms = r.Int(i, 9);
  f.end_time_ms = r.Int(i, 10);
  f.create_time_ms = r.Int(i, 11);
  f.duration_ms = r.Int(i, 12);
  f.size_bytes = r.Int(i, 13);
  f.width = static_cast<int>(r.Int(i, 14));
  f.height = static_cast<int>(r.Int(i, 15));
  return f;
}

}  // namespace

Result<bool> PostgresStore::InsertRecordFile(const RecordFileRecord& f) {
  return Autocommit<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec(std::string("INSERT INTO record_files(") + kColumns +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                      "$15, $16) ON CONFLICT (record_id) DO NOTHING",
                  Params()
                      .Add(f.record_id)
                      .Add(f.account_id)
                      .Add(f.job_id)
                      .Add(f.job_name)
                      .Add(f.format)
                      .Add(f.bucket)
                      .Add(f.object)
                      .Add(f.output_json)
                      .Add(f.stream_url)
                      .Add(f.start_time_ms)
                      .Add(f.end_time_ms)
                      .Add(f.create_time_ms)
                      .Add(f.duration_ms)
                      .Add(f.size_bytes)
                      .Add(f.width)
                      .Add(f.height))
               .affected() > 0;
  });
}

Result<RecordFilePage> PostgresStore::ListRecordFiles(const RecordFileQuery& q) {
  static const std::string kWhere =
      " FROM record_files WHERE account_id = $1 AND start_time >= $2 AND start_time < $3"
      " AND ($4::text IS NULL OR format = $4)"
      " AND ($5::text[] IS NULL OR job_id = ANY($5::text[]))";
  return Tx<RecordFilePage>(
      [&](Conn& c) -> Result<RecordFilePage> {
        Params p;
        p.Add(q.account_id).Add(q.start_ms).Add(q.end_ms).Add(q.format);
        if (q.job_ids.empty()) {
          p.Add(std::optional<std::string>());
        } else {
          p.Add(q.job_ids);
        }
        return ListPage<RecordFilePage>(c, kColumns, kWhere, q, p, At, "start_time");
      },
      true);
}

Result<std::optional<RecordFileRecord>> PostgresStore::GetRecordFile(const std::string& account_id,
                                                                     const std::string& record_id) {
  return Tx<std::optional<RecordFileRecord>>(
      [&](Conn& c) -> Result<std::optional<RecordFileRecord>> {
        auto r = c.Exec(std::string("SELECT ") + kColumns +
                            " FROM record_files WHERE record_id = $1 AND account_id = $2",
                        Params().Add(record_id).Add(account_id));
        if (r.empty()) return std::optional<RecordFileRecord>();
        return std::optional<RecordFileRecord>(At(r, 0));
      },
      true);
}

Result<bool> PostgresStore::DeleteRecordFile(const std::string& account_id,
                                             const std::string& record_id) {
  return Autocommit<bool>([&](Conn& c) -> Result<bool> {
    return c.Exec("DELETE FROM record_files WHERE record_id = $1 AND account_id = $2",
                  Params().Add(record_id).Add(account_id))
               .affected() > 0;
  });
}

}  // namespace floe::store::postgres
