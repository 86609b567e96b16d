#include "auth/identity.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::auth {
namespace {

class IdentityTest : public ::testing::Test {
 protected:
  IdentityTest() : store_(dir_.File("floe.db")), box_(std::string(32, 'k')), id_(store_, box_) {}
  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  SecretBox box_;
  Identity id_;
};

TEST_F(IdentityTest, AccountsAndIce) {
  auto acc = id_.CreateAccount("team", false);
  ASSERT_TRUE(acc.ok());
  EXPECT_FALSE((*store_.GetAccount(*acc))->ice_enabled);
  ASSERT_TRUE(id_.SetIceEnabled(*acc, true).ok());
  EXPECT_TRUE((*store_.GetAccount(*acc))->ice_enabled);
  EXPECT_EQ(id_.SetIceEnabled("0000", true).error().code, "EntityNotExist.Account");
  EXPECT_EQ(*id_.RootAccountId(), *acc);  // the first account is the root
}

TEST_F(IdentityTest, KeysAreSealedAtRest) {
  auto acc = id_.CreateAccount("team", true);
  auto key = id_.CreateKey(*acc, std::nullopt);
  ASSERT_TRUE(key.ok());
  auto stored = *store_.GetAccessKey(key->access_key_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->sealed);
  EXPECT_NE(stored->secret, key->secret);
  EXPECT_EQ(box_.Open(stored->secret), key->secret);
  // Nowhere in the database file, WAL included, is the secret in plain text.
  std::string both;
  for (const char* f : {"floe.db", "floe.db-wal"}) {
    std::ifstream in(dir_.File(f), std::ios::binary);
    ASSERT_TRUE(in.is_open()) << f;
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find(key->secret), std::string::npos) << f;
    both += ss.str();
  }
  // The key's row is in one of them, so not finding the secret there means something.
  EXPECT_NE(both.find(key->access_key_id), std::string::npos);
}

TEST_F(IdentityTest, UsersPoliciesAndUserKeys) {
  auto acc = *id_.CreateAccount("team", true);
  EXPECT_EQ(id_.CreateKey(acc, std::string("alice")).error().code, "EntityNotExist.User");
  ASSERT_TRUE(id_.CreateUser(acc, "alice").ok());
  EXPECT_EQ(id_.CreateUser(acc, "alice").error().code, "EntityAlreadyExists.User");
  EXPECT_EQ(id_.CreateUser(acc, "bad name").error().code, "InvalidParam.UserName");
  EXPECT_EQ(id_.CreateUser("0000", "bob").error().code, "EntityNotExist.Account");
  auto key = id_.CreateKey(acc, std::string("alice"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*store_.GetAccessKey(key->access_key_id))->user_name, "alice");
  EXPECT_EQ(id_.AttachPolicy(acc, "alice", "{bad").error().code, "InvalidParameter.PolicyDocument");
  EXPECT_EQ(
      id_.AttachPolicy(
             acc, "carol",
             R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}]})")
          .error()
          .code,
      "EntityNotExist.User");
  ASSERT_TRUE(
      id_.AttachPolicy(
             acc, "alice",
             R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}]})")
          .ok());
  EXPECT_EQ(store_.ListPolicies(acc, "alice")->size(), 1u);
}

TEST_F(IdentityTest, DisableAndDeleteKeys) {
  auto acc = *id_.CreateAccount("team", true);
  auto key = *id_.CreateKey(acc, std::nullopt);
  ASSERT_TRUE(id_.DisableKey(key.access_key_id).ok());
  EXPECT_FALSE((*store_.GetAccessKey(key.access_key_id))->active);
  ASSERT_TRUE(id_.DeleteKey(key.access_key_id).ok());
  EXPECT_FALSE(store_.GetAccessKey(key.access_key_id)->has_value());
  EXPECT_EQ(id_.DeleteKey(key.access_key_id).error().code, "EntityNotExist.AccessKey");
  EXPECT_EQ(id_.DisableKey("LTAInone").error().code, "EntityNotExist.AccessKey");
}

TEST_F(IdentityTest, SealsSecretsStoredBeforeSealing) {
  ASSERT_TRUE(store_.CreateAccount({"1", "root", true, 0}).ok());
  ASSERT_TRUE(store_.CreateAccessKey({"LTAIold", "plain-secret", "1", "", true, 0, false}).ok());
  EXPECT_EQ(*id_.SealLegacySecrets(), 1);
  auto k = *store_.GetAccessKey("LTAIold");
  EXPECT_TRUE(k->sealed);
  EXPECT_EQ(box_.Open(k->secret), "plain-secret");
  EXPECT_EQ(*id_.SealLegacySecrets(), 0);
}

}  // namespace
}  // namespace floe::auth
