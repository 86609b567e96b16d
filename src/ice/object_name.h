// The object names of the recording and snapshot families (OssObjectPrefix, SequenceFormat,
// …): fixed text and {Placeholders}. They become paths under a bucket's directory, so they are
// checked as such: a relative path of real segments (no empty, "." or ".." one), no backslash
// or control character, valid UTF-8, bounded.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace floe::ice {

// What is wrong with `name` ("must contain {EndTime} or {EscapedEndTime}.", to follow the
// field's name in a message), or nullopt. Only the `allowed` placeholders may appear; of each
// group of `required`, one at least must.
std::optional<std::string> ObjectNameProblem(const std::string& name, size_t max_bytes,
                                             const std::set<std::string>& allowed,
                                             const std::vector<std::vector<std::string>>& required);

// `pattern` (ObjectNameProblem found nothing in it) with each placeholder replaced by its value
// (`values`: "{JobId}" → "…"). A value never holds '/', so the name keeps its segments.
std::string RenderObjectName(const std::string& pattern,
                             const std::map<std::string, std::string>& values);

}  // namespace floe::ice
