// Store URLs without their secrets (store/store_url.h), and what a connection error shows of a
// malformed --store URL (store/postgres/pg.h).
#include "store/store_url.h"

#include <gtest/gtest.h>

#include <string>

#include "store/postgres/pg.h"

namespace floe::store {
namespace {

TEST(StoreUrlTest, MasksThePasswordOfAUrlAndKeepsTheRest) {
  EXPECT_EQ(MaskStoreUrl("postgres://floe:s3cret@db.example:5432/floe"),
            "postgres://floe:****@db.example:5432/floe");
  EXPECT_EQ(MaskStoreUrl("postgresql://floe:p@ss/w:rd@h/db?sslmode=require"),
            "postgresql://floe:****@h/db?sslmode=require");
  EXPECT_EQ(MaskStoreUrl("postgres://floe@127.0.0.1/floe"), "postgres://floe@127.0.0.1/floe");
  EXPECT_EQ(MaskStoreUrl("postgres://127.0.0.1:5432/floe"), "postgres://127.0.0.1:5432/floe");
}

TEST(StoreUrlTest, MasksPasswordKeysOfAQueryAndOfAConnectionString) {
  EXPECT_EQ(MaskStoreUrl("postgres://floe@h/db?sslmode=disable&password=s3cret&x=1"),
            "postgres://floe@h/db?sslmode=disable&password=****&x=1");
  EXPECT_EQ(MaskStoreUrl("postgres://h/db?%70assword=s3cret"), "postgres://h/db?%70assword=****");
  EXPECT_EQ(MaskStoreUrl("host=h password=s3cret dbname=floe"), "host=h password=**** dbname=floe");
  EXPECT_EQ(MaskStoreUrl("host=h PASSWORD = 'se cr\\'et' user=u"),
            "host=h PASSWORD = '****' user=u");
  // A key that only ends in "password" is another key.
  EXPECT_EQ(MaskStoreUrl("host=h oldpassword=x"), "host=h oldpassword=x");
}

TEST(StoreUrlTest, MasksAUrlQuotedInAMessage) {
  EXPECT_EQ(MaskStoreUrl("invalid URI: \"postgres://u:s3cret@[::1/db\""),
            "invalid URI: \"postgres://u:****@[::1/db\"");
}

TEST(StoreUrlTest, AMessageThatStillQuotesThePasswordIsNotShown) {
  std::string url = "postgres://u:s3%zzcret@h/db";
  std::string shown = MaskStoreMessage("invalid percent-encoded token: \"s3%zzcret\"", url);
  EXPECT_EQ(shown.find("s3%zzcret"), std::string::npos) << shown;
  EXPECT_EQ(MaskStoreMessage("connection refused", url), "connection refused");
}

// libpq's own messages for malformed URLs: they quote the URL, or only the bad part of it.
TEST(StoreUrlTest, AConnectionErrorNeverQuotesThePassword) {
  for (std::string url :
       {"postgres://u:SECRETpw@[::1/db", "postgres://u:SECRET%zzpw@h/db",
        "postgres://u:SECRETpw@h/db?password=SECRETpw&bogus=1",
        "postgres://u:SECRETpw@h:notaport/db", "postgres://u@h/db?password=SECRETpw%"}) {
    try {
      postgres::Conn conn(url);
      ADD_FAILURE() << "connected with " << MaskStoreUrl(url);
    } catch (const postgres::PgError& e) {
      EXPECT_EQ(std::string(e.what()).find("SECRET"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace floe::store
