// The Store contract for accounts, keys and templates, against SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/store_backends.h"

namespace floe::store {
namespace {

TemplateRecord Customized(const std::string& id, const std::string& account,
                          const std::string& name, int64_t t) {
  return {id, account, name, "normal", "customized", "H.264", R"({"VideoParams":{"Height":"720"}})",
          t};
}

TEST_P(StoreTest, SystemTemplatesAreVisibleToEveryAccount) {
  Store& store = *store_;
  TemplateQuery q;
  q.account_id = "any";
  q.category = "system";
  auto page = store.ListTemplates(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count, 5);
  auto t = store.GetTemplate("someone", "00000000000000000000000000000720");
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->category, "system");
  // Not changeable through the customized-only write paths.
  EXPECT_EQ(*store.DeleteTemplate("", "00000000000000000000000000000720"),
            TemplateWrite::kNotFound);
}

TEST_P(StoreTest, AccountsNeverSeeEachOthersTemplates) {
  Store& store = *store_;
  ASSERT_TRUE(store.InsertTemplate(Customized("a1", "A", "mine", 1)).ok());
  EXPECT_TRUE(store.GetTemplate("A", "a1")->has_value());
  EXPECT_FALSE(store.GetTemplate("B", "a1")->has_value());
  TemplateQuery q;
  q.account_id = "B";
  q.category = "customized";
  EXPECT_EQ(store.ListTemplates(q)->total_count, 0);
  auto mutate = [](const TemplateRecord& r) -> core::Result<TemplateRecord> { return r; };
  EXPECT_EQ(*store.UpdateTemplate("B", "a1", mutate), TemplateWrite::kNotFound);
  EXPECT_EQ(*store.DeleteTemplate("B", "a1"), TemplateWrite::kNotFound);
  EXPECT_TRUE(store.GetTemplate("A", "a1")->has_value());
}

TEST_P(StoreTest, ListFiltersSortsAndPages) {
  Store& store = *store_;
  for (int i = 0; i < 25; ++i) {
    auto t = Customized("id" + std::to_string(i), "A", "name_" + std::to_string(i) + "%", 1000 + i);
    if (i % 5 == 0) t.video_codec = "H.265";
    ASSERT_TRUE(store.InsertTemplate(t).ok());
  }
  TemplateQuery q;
  q.account_id = "A";
  q.category = "customized";
  q.page_size = 10;
  auto page = store.ListTemplates(q);
  EXPECT_EQ(page->total_count, 25);
  ASSERT_EQ(page->items.size(), 10u);
  EXPECT_EQ(page->items.front().template_id, "id24");  // newest first by default
  q.page_no = 3;
  page = store.ListTemplates(q);
  ASSERT_EQ(page->items.size(), 5u);
  EXPECT_EQ(page->items.back().template_id, "id0");
  q.ascending = true;
  q.page_no = 1;
  EXPECT_EQ(store.ListTemplates(q)->items.front().template_id, "id0");
  q.video_codec = "H.265";
  EXPECT_EQ(store.ListTemplates(q)->total_count, 5);
  q.video_codec.reset();
  q.keyword = "ME_1";  // case-insensitive substring of the name: name_1, name_10..19
  EXPECT_EQ(store.ListTemplates(q)->total_count, 11);
  q.keyword = "id7";  // exact TemplateId
  EXPECT_EQ(store.ListTemplates(q)->total_count, 1);
  q.keyword = "_%";  // LIKE wildcards match literally: every name ends in "%", preceded by a digit
  EXPECT_EQ(store.ListTemplates(q)->total_count, 0);
  q.keyword = "5%";
  EXPECT_EQ(store.ListTemplates(q)->total_count, 2);  // name_5%, name_15%
}

TEST_P(StoreTest, RefusedMutationWritesNothing) {
  Store& store = *store_;
  ASSERT_TRUE(store.InsertTemplate(Customized("a1", "A", "before", 1)).ok());
  auto r =
      store.UpdateTemplate("A", "a1", [](const TemplateRecord&) -> core::Result<TemplateRecord> {
        return core::Error{"InvalidParam.X", 400, "no", ""};
      });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParam.X");
  EXPECT_EQ((*store.GetTemplate("A", "a1"))->name, "before");
}

// An operation that has written part of its rows when it fails is rolled back whole (SQLite: to
// its savepoint), while the operations running with it commit.
TEST_P(StoreTest, AFailingOperationWritesNothingWhileTheOthersCommit) {
  Store& store = *store_;
  ASSERT_TRUE(store
                  .CreateAccount({"1000000000000001", "a", true, 0},
                                 AccessKey{"LTAIdup", "s", "1000000000000001", "", true, 0})
                  .ok());
  constexpr int kThreads = 8, kPerThread = 25;
  std::atomic<int> failed = 0;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(2000000000000000LL + th * 1000 + i);
        // Every fifth writes its account, then fails on a duplicate AccessKeyId.
        bool bad = i % 5 == 0;
        auto r = store.CreateAccount(
            {id, "n", true, 0}, AccessKey{bad ? "LTAIdup" : "LTAI" + id, "s", id, "", true, 0});
        if (!r.ok()) ++failed;
        EXPECT_EQ(r.ok(), !bad) << id;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, kThreads * kPerThread / 5);
  for (int th = 0; th < kThreads; ++th) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string id = std::to_string(2000000000000000LL + th * 1000 + i);
      EXPECT_EQ(store.GetAccount(id)->has_value(), i % 5 != 0) << id;  // no half-written account
    }
  }
}

TEST_P(StoreTest, ConcurrentReadModifyWritesLoseNoField) {
  Store& store = *store_;
  TemplateRecord t = Customized("a1", "A", "n", 1);
  t.config_json = "{}";
  ASSERT_TRUE(store.InsertTemplate(t).ok());
  constexpr int kThreads = 16, kPerThread = 20;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store.UpdateTemplate(
            "A", "a1", [&](const TemplateRecord& cur) -> core::Result<TemplateRecord> {
              auto doc = nlohmann::json::parse(cur.config_json);
              doc["t" + std::to_string(th)] = i;  // each thread owns one field
              TemplateRecord next = cur;
              next.config_json = doc.dump();
              return next;
            });
        ASSERT_TRUE(r.ok() && *r == TemplateWrite::kDone);
      }
    });
  }
  for (auto& th : threads) th.join();
  auto doc = nlohmann::json::parse((*store.GetTemplate("A", "a1"))->config_json);
  for (int th = 0; th < kThreads; ++th) EXPECT_EQ(doc["t" + std::to_string(th)], kPerThread - 1);
}

TEST_P(StoreTest, AcknowledgedWritesSurviveReopen) {
  ASSERT_TRUE(store_->CreateAccount({"1", "root", true, 5}).ok());
  ASSERT_TRUE(store_->CreateAccessKey({"LTAI1", "sec", "1", "", true, 5}).ok());
  ASSERT_TRUE(store_->InsertTemplate(Customized("a1", "1", "kept", 1)).ok());
  store_.Reopen();
  EXPECT_EQ((*store_->GetRootAccount())->account_id, "1");
  EXPECT_EQ((*store_->GetAccessKey("LTAI1"))->secret, "sec");
  EXPECT_EQ((*store_->GetTemplate("1", "a1"))->name, "kept");
}

TEST_P(StoreTest, ValuesAreBoundNotSpliced) {
  Store& store = *store_;
  std::string evil = "x'); DROP TABLE templates; --";
  ASSERT_TRUE(store.InsertTemplate(Customized("a1", "A", evil, 1)).ok());
  EXPECT_EQ((*store.GetTemplate("A", "a1"))->name, evil);
  TemplateQuery q;
  q.account_id = "A";
  q.keyword = evil;
  EXPECT_EQ(store.ListTemplates(q)->total_count, 1);
}

TEST_P(StoreTest, TemplatesPerAccountAreCountedInTheInsertTransaction) {
  Store& store = *store_;
  constexpr int kLimit = 7;
  std::atomic<int> inserted{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < 4; ++i) {
        auto id = "t" + std::to_string(th) + "_" + std::to_string(i);
        auto r = store.InsertTemplate(Customized(id, "A", id, 1 + i), kLimit);
        ASSERT_TRUE(r.ok()) << r.error().message;
        if (*r) ++inserted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inserted.load(), kLimit);
  TemplateQuery q;
  q.account_id = "A";
  q.category = "customized";
  auto page = store.ListTemplates(q);
  EXPECT_EQ(page->total_count, kLimit);
  // Another account has its own count; the system templates count for nobody.
  EXPECT_TRUE(*store.InsertTemplate(Customized("b1", "B", "b1", 1), 1));
  EXPECT_FALSE(*store.InsertTemplate(Customized("b2", "B", "b2", 1), 1));
  // One deleted makes room; no limit (0) is no limit.
  ASSERT_EQ(*store.DeleteTemplate("A", page->items.at(0).template_id), TemplateWrite::kDone);
  EXPECT_TRUE(*store.InsertTemplate(Customized("a8", "A", "a8", 1), kLimit));
  EXPECT_FALSE(*store.InsertTemplate(Customized("a9", "A", "a9", 1), kLimit));
  EXPECT_TRUE(*store.InsertTemplate(Customized("a9", "A", "a9", 1)));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::store
