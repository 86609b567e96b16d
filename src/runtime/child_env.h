// The environment of a `floe run-job` child: the few variables it needs, never the server's
// whole environment (PGPASSWORD and other secrets stay out of a process that parses untrusted
// streams).
#pragma once

#include <string>
#include <vector>

namespace floe::runtime {

// NAME=VALUE entries of `parent` (an environ-style array ending in nullptr) that a child keeps:
// PATH (a default one when unset), the locale (LANG, LC_*), TZ, and the sanitizers' options
// (*SAN_OPTIONS) of a sanitizer build. Nothing else.
std::vector<std::string> ChildEnvironment(const char* const* parent);

}  // namespace floe::runtime
