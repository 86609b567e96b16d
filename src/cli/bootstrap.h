// First start of a data directory: the root account with ICE enabled and its AccessKey,
// written to DIR/credentials.json (mode 0600).
#pragma once

#include <string>

#include "store/store.h"

namespace floe::cli {

// Creates the data directory (0700) if needed.
void EnsureDataDir(const std::string& dir);
// Creates the root account and key when the store has none. Returns the credentials path.
std::string BootstrapRootAccount(store::Store& store, const std::string& dir);

}  // namespace floe::cli
