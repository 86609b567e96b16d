// Usage errors that never quote what was typed: a value in the wrong place (an extra argument,
// a URL given to the wrong option) may be a password or an AccessKey secret.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace floe::cli {

// What to print for CLI11's error `e` on the command line `args` (argv without the program):
// its message when that quotes none of the values in `args`; else a fixed sentence that names
// the options the message names, not their values. Passwords in URLs are masked either way (a
// value may come from a config file).
std::string UsageMessage(const CLI::App& app, const CLI::Error& e,
                         const std::vector<std::string>& args);

// Makes `app` print its parse errors through UsageMessage.
void QuoteNoValuesInUsageErrors(CLI::App& app, int argc, const char* const* argv);

}  // namespace floe::cli
