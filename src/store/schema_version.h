// The one rule both stores apply before migrating: a store that a newer floe migrated is never
// opened by an older one (it would misread what the newer one wrote; docs/operations.md,
// "Upgrading").
#pragma once

#include <string>

namespace floe::store {

// Throws std::runtime_error naming `store` (e.g. "the store var/floe.db") when `current`, the
// store's schema version, is above `known`, the newest this floe has migrations for.
void RequireSchemaNotNewer(const std::string& store, int current, int known);

}  // namespace floe::store
