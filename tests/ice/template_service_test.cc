#include "ice/template_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace floe::ice {
namespace {

using nlohmann::json;

class TemplateServiceTest : public ::testing::Test {
 protected:
  TemplateServiceTest() : store_(dir_.File("floe.db")), service_(store_) {}

  std::string CreateNormal(const auth::Principal& who, const std::string& name = "t") {
    auto id = service_.Create(
        who, {name, "normal",
              R"({"VideoParams":{"Codec":"H.264","Width":"1280","Height":"720",)"
              R"("Fps":"30","Bitrate":"2500","Gop":"60","Profile":"3"},)"
              R"("AudioParams":{"Codec":"AAC","Bitrate":"128","Samplerate":"44100",)"
              R"("Channels":"2","Profile":"aac_low"}})"});
    EXPECT_TRUE(id.ok()) << (id ? "" : id.error().message);
    return id ? *id : "";
  }

  json Config(const std::string& id) { return json::parse(service_.Get(alice_, id)->config_json); }

  testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  TemplateService service_;
  auth::Principal alice_{"1000000000000001", "", "LTAIalice"};
  auth::Principal bob_{"1000000000000002", "", "LTAIbob"};
};

TEST_F(TemplateServiceTest, CreateStoresCanonicalConfig) {
  auto id = service_.Create(
      alice_, {"n", "normal", R"({"VideoParams":{"Height":720,"Fps":"30","Bitrate":2500}})"});
  ASSERT_TRUE(id.ok());
  auto rec = service_.Get(alice_, *id);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->category, "customized");
  EXPECT_EQ(rec->type, "normal");
  EXPECT_EQ(json::parse(rec->config_json),
            json::parse(R"({"VideoParams":{"Height":"720","Fps":"30","Bitrate":"2500"}})"));
}

TEST_F(TemplateServiceTest, CustomizedTemplatesAreLimitedPerAccount) {
  TemplateService limited(store_, nullptr, 2);
  NewTemplate t{"n", "normal", R"({"VideoParams":{"Height":720,"Fps":"30","Bitrate":2500}})"};
  ASSERT_TRUE(limited.Create(alice_, t).ok());
  auto second = limited.Create(alice_, t);
  ASSERT_TRUE(second.ok());
  auto refused = limited.Create(alice_, t);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "QuotaExceeded.Templates");
  EXPECT_EQ(refused.error().http_status, 403);
  EXPECT_NE(refused.error().message.find("2 customized templates"), std::string::npos);
  store::TemplateQuery q;
  q.category = "customized";
  EXPECT_EQ(limited.List(alice_, q)->total_count, 2);  // the refused create wrote nothing
  EXPECT_TRUE(limited.Create(bob_, t).ok());           // each account has its own
  ASSERT_TRUE(limited.Delete(alice_, *second).ok());
  EXPECT_TRUE(limited.Create(alice_, t).ok());
}

TEST_F(TemplateServiceTest, UpdateMergesLeafByLeaf) {
  std::string id = CreateNormal(alice_);
  ASSERT_TRUE(
      service_.Update(alice_, id, {std::nullopt, R"({"VideoParams":{"Height":"540"}})"}).ok());
  json c = Config(id);
  EXPECT_EQ(c["VideoParams"]["Height"], "540");
  EXPECT_EQ(c["VideoParams"]["Width"], "1280");  // untouched leaves stay
  EXPECT_EQ(c["AudioParams"]["Bitrate"], "128");
  // "" clears a leaf.
  ASSERT_TRUE(service_.Update(alice_, id, {std::nullopt, R"({"VideoParams":{"Gop":""}})"}).ok());
  EXPECT_FALSE(Config(id)["VideoParams"].contains("Gop"));
  // Name alone.
  ASSERT_TRUE(service_.Update(alice_, id, {"renamed", std::nullopt}).ok());
  EXPECT_EQ(service_.Get(alice_, id)->name, "renamed");
}

TEST_F(TemplateServiceTest, RefusedUpdateChangesNothing) {
  std::string id = CreateNormal(alice_);
  json before = Config(id);
  // Valid leaf plus an invalid one: nothing is applied.
  auto r =
      service_.Update(alice_, id, {"new-name", R"({"VideoParams":{"Height":"540","Fps":"61"}})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.VideoParams.Fps");
  EXPECT_EQ(Config(id), before);
  EXPECT_EQ(service_.Get(alice_, id)->name, "t");
  // A merge whose result breaks a rule of the whole template (clearing a required leaf).
  r = service_.Update(alice_, id, {std::nullopt, R"({"VideoParams":{"Fps":""}})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "MissingParameter");
  EXPECT_EQ(Config(id), before);
  // Min side rule across stored and new leaves.
  r = service_.Update(alice_, id,
                      {std::nullopt, R"({"VideoParams":{"Width":"2560","Height":"1441"}})"});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Config(id), before);
}

TEST_F(TemplateServiceTest, SystemTemplatesAreReadOnly) {
  const std::string sys = "00000000000000000000000000000720";
  ASSERT_TRUE(service_.Get(alice_, sys).ok());
  auto r = service_.Update(alice_, sys, {"x", std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.TemplateReadOnly");
  EXPECT_EQ(service_.Delete(alice_, sys).error().code, "InvalidParam.TemplateReadOnly");
  EXPECT_EQ(service_.Get(bob_, sys)->name, "system-h264-720p");
}

TEST_F(TemplateServiceTest, OtherAccountsTemplateIsNotFound) {
  std::string id = CreateNormal(alice_);
  for (auto code :
       {service_.Get(bob_, id).ok() ? std::string("OK") : service_.Get(bob_, id).error().code,
        service_.Update(bob_, id, {"x", std::nullopt}).error().code,
        service_.Delete(bob_, id).error().code}) {
    EXPECT_EQ(code, "ResourceNotFound");
  }
  EXPECT_EQ(service_.Get(alice_, id)->name, "t");
  EXPECT_EQ(service_.Get(alice_, "not-an-id").error().http_status, 404);
}

TEST_F(TemplateServiceTest, DeleteRemoves) {
  std::string id = CreateNormal(alice_);
  ASSERT_TRUE(service_.Delete(alice_, id).ok());
  EXPECT_EQ(service_.Get(alice_, id).error().code, "ResourceNotFound");
  EXPECT_EQ(service_.Delete(alice_, id).error().code, "ResourceNotFound");
}

TEST_F(TemplateServiceTest, ConcurrentUpdatesOfDifferentLeavesAllSurvive) {
  std::string id = CreateNormal(alice_);
  // Each thread owns one leaf: it alternates between two valid values and ends on its own.
  struct Leaf {
    std::string group, name, interim, final;
  };
  const std::vector<Leaf> leaves = {
      {"VideoParams", "Bitrate", "1000", "3000"}, {"VideoParams", "Gop", "30", "90"},
      {"VideoParams", "Fps", "50", "25"},         {"VideoParams", "Height", "360", "576"},
      {"AudioParams", "Bitrate", "64", "96"},     {"AudioParams", "Samplerate", "32000", "48000"}};
  std::vector<std::thread> threads;
  for (const auto& leaf : leaves) {
    threads.emplace_back([&] {
      for (int round = 0; round < 15; ++round) {
        json patch;
        patch[leaf.group][leaf.name] = round == 14 ? leaf.final : leaf.interim;
        auto r = service_.Update(alice_, id, {std::nullopt, patch.dump()});
        ASSERT_TRUE(r.ok()) << r.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  json c = Config(id);
  for (const auto& leaf : leaves) EXPECT_EQ(c[leaf.group][leaf.name], leaf.final) << leaf.name;
  EXPECT_EQ(c["VideoParams"]["Width"], "1280");
}

TEST_F(TemplateServiceTest, ListSeesOwnAndSystemOnly) {
  CreateNormal(alice_, "alpha");
  CreateNormal(bob_, "bravo");
  store::TemplateQuery q;
  auto page = service_.List(alice_, q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count, 6);  // 5 system + alpha
  for (const auto& t : page->items) EXPECT_NE(t.name, "bravo");
  q.keyword = "ALP";
  EXPECT_EQ(service_.List(alice_, q)->total_count, 1);
}

}  // namespace
}  // namespace floe::ice
