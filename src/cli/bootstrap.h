// First start of a data directory: the root account with ICE enabled and its AccessKey,
// written to DIR/credentials.json (mode 0600).
#pragma once

#include <memory>
#include <string>

#include "auth/identity.h"
#include "store/store.h"

namespace floe::cli {

// The store a node uses: "" → SQLite at DIR/floe.db; postgres://… or postgresql://… → that
// PostgreSQL database (shared by every node of a cluster). Throws std::runtime_error for
// anything else, or when the store cannot be opened.
std::unique_ptr<store::Store> OpenStore(const std::string& store_url, const std::string& dir);
bool IsPostgresUrl(const std::string& store_url);
// What a log line or the ready block says of it (a PostgreSQL URL without its password).
std::string DescribeStore(const std::string& store_url, const std::string& dir);

// Creates the data directory (0700) if needed.
void EnsureDataDir(const std::string& dir);
std::string StorePath(const std::string& dir);      // DIR/floe.db
std::string MasterKeyPath(const std::string& dir);  // DIR/master.key

// Creates the root account (ICE enabled) and its key when the store has none, and writes the
// key to DIR/credentials.json (0600). Returns the credentials path.
std::string BootstrapRootAccount(store::Store& store, auth::Identity& identity,
                                 const std::string& dir);

}  // namespace floe::cli
