// The libpq wrapper on a real PostgreSQL: a BEGIN that travels with the transaction's first
// statement (pipeline mode), errors inside that pipeline, and array parameters.
#include "store/postgres/pg.h"

#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace floe::store::postgres {
namespace {

class PgConnTest : public ::testing::Test {
 protected:
  PgConnTest() : url_(PgServer::Get().NewDatabase()), c_(url_) {
    c_.Simple("CREATE TABLE t (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
  }
  int64_t Count() { return c_.Exec("SELECT COUNT(*) FROM t").Int(0, 0); }
  std::string url_;
  Conn c_;
};

TEST_F(PgConnTest, ABeginSentWithTheFirstStatementOpensARealTransaction) {
  c_.Begin();
  // A statement new to this connection: its PREPARE goes in the same pipeline.
  EXPECT_EQ(c_.Exec("INSERT INTO t(k, v) VALUES ($1, $2)", Params().Add("a").Add(1)).affected(), 1);
  c_.Simple("ROLLBACK");
  EXPECT_EQ(Count(), 0) << "the insert ran outside a transaction";
  c_.Begin();
  EXPECT_EQ(c_.Exec("INSERT INTO t(k, v) VALUES ($1, $2)", Params().Add("a").Add(1)).affected(), 1);
  EXPECT_EQ(c_.Exec("SELECT v FROM t WHERE k = $1", Params().Add("a")).Int(0, 0), 1);
  c_.Simple("COMMIT");
  EXPECT_EQ(Count(), 1);
}

TEST_F(PgConnTest, AnEmptyTransactionLeavesNoTransactionOpen) {
  c_.Begin();
  c_.Simple("COMMIT");
  c_.Begin();
  c_.Simple("ROLLBACK");
  c_.Exec("INSERT INTO t(k, v) VALUES ('x', 1)");
  // Another session sees the row: it was autocommitted, no BEGIN was left waiting.
  Conn other(url_);
  EXPECT_EQ(other.Exec("SELECT COUNT(*) FROM t").Int(0, 0), 1);
}

TEST_F(PgConnTest, AnErrorInThePipelineIsThrownWithItsStateAndTheConnectionStaysUsable) {
  c_.Exec("INSERT INTO t(k, v) VALUES ('a', 1)");
  c_.Begin();
  try {
    c_.Exec("INSERT INTO t(k, v) VALUES ($1, $2)", Params().Add("a").Add(2));
    FAIL() << "a duplicate key was accepted";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_FALSE(e.connection_lost());
  }
  c_.Simple("ROLLBACK");
  // A statement that cannot be prepared: the failure names it, and nothing is remembered.
  c_.Begin();
  EXPECT_THROW(c_.Exec("SELECT nope FROM t WHERE k = $1", Params().Add("a")), PgError);
  c_.Simple("ROLLBACK");
  EXPECT_THROW(c_.Exec("SELECT nope FROM t WHERE k = $1", Params().Add("a")), PgError);
  EXPECT_EQ(c_.Exec("SELECT v FROM t WHERE k = $1", Params().Add("a")).Int(0, 0), 1);
}

TEST_F(PgConnTest, ArraysTravelElementByElement) {
  const std::vector<std::string> keys = {"plain", "q\"uote", "back\\slash", "{brace},comma", ""};
  const std::vector<int64_t> values = {1, -2, 3, 4'000'000'000'000, 5};
  auto r =
      c_.Exec("INSERT INTO t(k, v) SELECT * FROM unnest($1::text[], $2::bigint[]) RETURNING k, v",
              Params().Add(keys).Add(values));
  ASSERT_EQ(r.size(), 5);
  for (int i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r.Text(i, 0), keys[static_cast<size_t>(i)]);
    EXPECT_EQ(r.Int(i, 1), values[static_cast<size_t>(i)]);
  }
}

}  // namespace
}  // namespace floe::store::postgres
