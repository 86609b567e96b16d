// What serve's ready block and log say of the store (cli/bootstrap.h): never its password.
#include "cli/bootstrap.h"

#include <gtest/gtest.h>

namespace floe::cli {
namespace {

TEST(BootstrapTest, TheStoreIsDescribedWithoutItsPassword) {
  EXPECT_EQ(DescribeStore("postgres://floe:s3cret@db:5432/floe", "/d"),
            "PostgreSQL, postgres://floe:****@db:5432/floe");
  EXPECT_EQ(DescribeStore("postgresql://floe@db/floe?sslmode=require&password=s3cret", "/d"),
            "PostgreSQL, postgresql://floe@db/floe?sslmode=require&password=****");
  EXPECT_EQ(DescribeStore("postgres://floe@127.0.0.1/floe", "/d"),
            "PostgreSQL, postgres://floe@127.0.0.1/floe");
  EXPECT_EQ(DescribeStore("", "/d"), "SQLite, /d/floe.db");
}

}  // namespace
}  // namespace floe::cli
