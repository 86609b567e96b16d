// `floe ice`: a command-line client of the API, like the cloud's CLI. `floe ice <Action>
// --<Param> VALUE …` signs the call with V3 (ACS3-HMAC-SHA256), prints the JSON answer and
// exits 0, or prints the error's JSON and exits 1 with its code on standard error.
// `floe ice configure` writes a profile; `--help` lists the actions, `<Action> --help` its
// parameters. Exit codes: 0 success, 1 the API answered an error, 2 a usage error, 3 the
// server could not be reached.
#pragma once

#include <string>
#include <vector>

namespace floe::cli {

// args: what follows `floe ice` on the command line.
int Ice(const std::vector<std::string>& args);

}  // namespace floe::cli
