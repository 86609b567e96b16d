// First start of a data directory: the root account with ICE enabled and its AccessKey,
// written to DIR/credentials.json (mode 0600).
#pragma once

#include <string>

#include "auth/identity.h"
#include "store/store.h"

namespace floe::cli {

// Creates the data directory (0700) if needed.
void EnsureDataDir(const std::string& dir);
std::string StorePath(const std::string& dir);      // DIR/floe.db
std::string MasterKeyPath(const std::string& dir);  // DIR/master.key

// Creates the root account (ICE enabled) and its key when the store has none, and writes the
// key to DIR/credentials.json (0600). Returns the credentials path.
std::string BootstrapRootAccount(store::Store& store, auth::Identity& identity,
                                 const std::string& dir);

}  // namespace floe::cli
