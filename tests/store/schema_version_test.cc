#include "store/schema_version.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace floe::store {
namespace {

TEST(SchemaVersion, AStoreANewerFloeMigratedIsRefusedByName) {
  EXPECT_NO_THROW(RequireSchemaNotNewer("the store x.db", 0, 7));
  EXPECT_NO_THROW(RequireSchemaNotNewer("the store x.db", 7, 7));
  try {
    RequireSchemaNotNewer("the store x.db", 8, 7);
    FAIL() << "a newer schema was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "the store x.db is at schema version 8, newer than this floe knows (7): run a "
                 "floe at least as new");
  }
}

}  // namespace
}  // namespace floe::store
