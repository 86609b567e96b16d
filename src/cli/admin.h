// `floe admin --data-dir DIR [--store postgres://…] …`: accounts, ICE enablement, RAM users and
// policies, AccessKeys, domains. Every command prints one JSON object on stdout; errors print
// {"Code","Message"} on stderr and exit 1. Safe while `floe serve` runs on the same store (SQLite
// WAL with a busy timeout, or PostgreSQL transactions).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace floe::cli {

// Adds the `admin` subcommand tree to the app; the returned function runs whichever command
// was parsed and returns the exit code.
std::function<int()> AddAdminCommands(CLI::App& app);

}  // namespace floe::cli
