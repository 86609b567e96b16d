// The Store contract for the templates of the recording and snapshot families, against SQLite
// and PostgreSQL: families and accounts apart, the list's filters and pages, updates that
// replace, the per-account limit counted in the insert, values bound.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store_backends.h"

namespace floe::store {
namespace {

class FamilyTemplateStoreTest : public StoreTest {};

FamilyTemplateRecord Tpl(const std::string& family, const std::string& id,
                         const std::string& account, const std::string& name, int64_t t) {
  return {family, id, account, name, R"([{"Format":"flv"}])", t, t};
}

TEST_P(FamilyTemplateStoreTest, TemplatesKeepToTheirFamilyAndAccount) {
  Store& store = *store_;
  ASSERT_TRUE(*store.InsertFamilyTemplate(Tpl("record", "r1", "A", "mine", 1)));
  EXPECT_TRUE(store.GetFamilyTemplate("record", "A", "r1")->has_value());
  EXPECT_FALSE(store.GetFamilyTemplate("snapshot", "A", "r1")->has_value());
  EXPECT_FALSE(store.GetFamilyTemplate("record", "B", "r1")->has_value());
  FamilyTemplateQuery q;
  q.family = "record";
  q.account_id = "B";
  EXPECT_EQ(store.ListFamilyTemplates(q)->total_count, 0);
  EXPECT_FALSE(*store.UpdateFamilyTemplate(Tpl("record", "r1", "B", "theirs", 2)));
  EXPECT_FALSE(*store.DeleteFamilyTemplate("record", "B", "r1"));
  EXPECT_FALSE(*store.DeleteFamilyTemplate("snapshot", "A", "r1"));
  // The same id in the other family is another template.
  ASSERT_TRUE(*store.InsertFamilyTemplate(Tpl("snapshot", "r1", "A", "shot", 1)));
  auto update = Tpl("record", "r1", "A", "renamed", 0);
  update.body_json = R"([{"Format":"mp4"}])";
  update.last_modified_ms = 5;
  ASSERT_TRUE(*store.UpdateFamilyTemplate(update));
  auto got = **store.GetFamilyTemplate("record", "A", "r1");
  EXPECT_EQ(got.name, "renamed");
  EXPECT_EQ(got.body_json, R"([{"Format":"mp4"}])");
  EXPECT_EQ(got.create_time_ms, 1);  // kept
  EXPECT_EQ(got.last_modified_ms, 5);
  EXPECT_EQ((**store.GetFamilyTemplate("snapshot", "A", "r1")).name, "shot");
  ASSERT_TRUE(*store.DeleteFamilyTemplate("record", "A", "r1"));
  EXPECT_FALSE(store.GetFamilyTemplate("record", "A", "r1")->has_value());
  EXPECT_TRUE(store.GetFamilyTemplate("snapshot", "A", "r1")->has_value());
}

TEST_P(FamilyTemplateStoreTest, ListFiltersSortsAndPages) {
  Store& store = *store_;
  for (int i = 0; i < 12; ++i) {
    std::string id = "id" + std::to_string(i);
    ASSERT_TRUE(*store.InsertFamilyTemplate(
        Tpl("record", id, "A", (i % 2 ? "odd_" : "even%") + std::to_string(i), 100 + i)));
  }
  FamilyTemplateQuery q;
  q.family = "record";
  q.account_id = "A";
  q.page_size = 5;
  auto first = store.ListFamilyTemplates(q);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->total_count, 12);
  ASSERT_EQ(first->items.size(), 5u);
  EXPECT_EQ(first->items[0].template_id, "id11");  // newest first
  q.page_no = 3;
  EXPECT_EQ(store.ListFamilyTemplates(q)->items.size(), 2u);
  q.page_no = 1;
  q.ascending = true;
  EXPECT_EQ(store.ListFamilyTemplates(q)->items[0].template_id, "id0");
  // Keyword: the id exactly, or part of the name, wildcards taken literally, any case.
  q.keyword = "EVEN%";
  EXPECT_EQ(store.ListFamilyTemplates(q)->total_count, 6);
  q.keyword = "%";
  EXPECT_EQ(store.ListFamilyTemplates(q)->total_count, 6);
  q.keyword = "id7";
  EXPECT_EQ(store.ListFamilyTemplates(q)->total_count, 1);
  q.keyword.reset();
  q.template_ids = {"id3", "id5", "nope", "x'); DROP TABLE family_templates; --"};
  auto some = store.ListFamilyTemplates(q);
  ASSERT_TRUE(some.ok()) << some.error().message;
  EXPECT_EQ(some->total_count, 2);
  EXPECT_EQ(some->items[0].template_id, "id3");
  q.template_ids = {"id\"3", "a,b", "{c}"};  // array punctuation inside ids: matched literally
  EXPECT_EQ(store.ListFamilyTemplates(q)->total_count, 0);
}

TEST_P(FamilyTemplateStoreTest, TemplatesPerAccountAreCountedInTheInsertTransaction) {
  Store& store = *store_;
  constexpr int kLimit = 5;
  std::atomic<int> inserted{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 3; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < 3; ++i) {
        auto id = "t" + std::to_string(th) + "_" + std::to_string(i);
        auto r = store.InsertFamilyTemplate(Tpl("record", id, "A", id, 1), kLimit);
        ASSERT_TRUE(r.ok()) << r.error().message;
        if (*r) ++inserted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inserted.load(), kLimit);
  // Each family and account counts alone.
  EXPECT_TRUE(*store.InsertFamilyTemplate(Tpl("snapshot", "s1", "A", "s", 1), kLimit));
  EXPECT_TRUE(*store.InsertFamilyTemplate(Tpl("record", "b1", "B", "b", 1), kLimit));
}

INSTANTIATE_TEST_SUITE_P(Backends, FamilyTemplateStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::store
