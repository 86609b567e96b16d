#include "store/schema_version.h"

#include <stdexcept>

namespace floe::store {

void RequireSchemaNotNewer(const std::string& store, int current, int known) {
  if (current <= known) return;
  throw std::runtime_error(store + " is at schema version " + std::to_string(current) +
                           ", newer than this floe knows (" + std::to_string(known) +
                           "): run a floe at least as new");
}

}  // namespace floe::store
