#include "cli/usage.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "store/store_url.h"

namespace floe::cli {

namespace {

void CollectCommandNames(const CLI::App& app, std::set<std::string>& names) {
  for (const CLI::App* sub : app.get_subcommands(std::function<bool(const CLI::App*)>())) {
    names.insert(sub->get_name());
    CollectCommandNames(*sub, names);
  }
}

// The values typed: every argument but options' names and commands' names.
std::vector<std::string> ValuesOf(const CLI::App& app, const std::vector<std::string>& args) {
  std::set<std::string> commands;
  CollectCommandNames(app, commands);
  std::vector<std::string> values;
  for (const auto& a : args) {
    if (a.empty()) continue;
    if (a[0] == '-') {
      auto eq = a.find('=');
      if (eq != std::string::npos && eq + 1 < a.size()) values.push_back(a.substr(eq + 1));
      continue;
    }
    if (!commands.count(a)) values.push_back(a);
  }
  return values;
}

bool IsOptionChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// The --names a message mentions, in order, each once.
std::string OptionsNamed(const std::string& message) {
  std::vector<std::string> names;
  for (size_t i = message.find("--"); i != std::string::npos; i = message.find("--", i)) {
    size_t end = i + 2;
    while (end < message.size() && IsOptionChar(message[end])) ++end;
    std::string name = message.substr(i, end - i);
    bool starts = i == 0 || !IsOptionChar(message[i - 1]);
    if (starts && name.size() > 2 && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
    i = end;
  }
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ", ") + n;
  return joined;
}

}  // namespace

std::string UsageMessage(const CLI::App& app, const CLI::Error& e,
                         const std::vector<std::string>& args) {
  const std::string message = e.what();
  bool quotes = false;
  for (const auto& v : ValuesOf(app, args)) quotes = quotes || message.find(v) != std::string::npos;
  if (!quotes) return store::MaskStoreUrl(message);
  std::string named = OptionsNamed(message);
  const std::string hidden = " (not shown: it may be a secret)";
  // Not by get_name(): a subcommand's ExtrasError is named after the subcommand.
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    return "an argument was not expected here" + (named.empty() ? "" : ", near " + named) + hidden;
  }
  if (!named.empty()) return "the value given to " + named + " is not valid" + hidden;
  return "a value on the command line is not valid" + hidden;
}

void QuoteNoValuesInUsageErrors(CLI::App& app, int argc, const char* const* argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + (argc > 0 ? argc : 0));
  app.failure_message([args](const CLI::App* a, const CLI::Error& e) {
    return UsageMessage(*a, e, args) + "\nRun with --help for more information.\n";
  });
}

}  // namespace floe::cli
