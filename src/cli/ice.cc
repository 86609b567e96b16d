#include "cli/ice.h"

#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "auth/signature.h"
#include "cli/ice_profile.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "http/client.h"
#include "ice/catalog.h"

namespace floe::cli {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kUsage = 2;
constexpr int kUnreachable = 3;
constexpr auto kTimeout = std::chrono::seconds(60);

int Usage(const std::string& message) {
  std::cerr << "floe ice: " << message << "\n";
  return kUsage;
}

void PrintActions() {
  std::cout << "Usage: floe ice [--profile NAME] <Action> [--<Param> VALUE ...]\n"
               "       floe ice <Action> --help\n"
               "       floe ice configure [--profile NAME] [--access-key-id ID]\n"
               "                          [--access-key-secret SECRET] [--endpoint URL]\n"
               "                          [--credentials-file FILE]\n\n"
               "Credentials: --profile, else ALIBABA_CLOUD_ACCESS_KEY_ID and\n"
               "ALIBABA_CLOUD_ACCESS_KEY_SECRET, else the current profile of "
            << IceConfigPath() << ".\nFLOE_ENDPOINT overrides the endpoint (default "
            << kDefaultEndpoint << ").\n\nActions (API version 2020-11-09):\n";
  for (const auto& a : ice::Catalog()) {
    std::cout << "  " << a.name << std::string(a.name.size() < 30 ? 30 - a.name.size() : 1, ' ')
              << a.summary << "\n";
  }
}

void PrintAction(const ice::ActionSpec& a) {
  std::cout << "Usage: floe ice " << a.name << " [--<Param> VALUE ...]\n" << a.summary << "\n\n";
  std::cout << "Parameters:\n";
  for (const auto& p : a.params) {
    std::cout << "  --" << p.name << "  " << ice::KindName(p.kind)
              << (p.required ? ", required" : "") << "\n      " << p.help << "\n";
  }
}

// A mistyped action is quoted back only when it reads like one (letters only, starting with
// an action's verb): anything else may be a secret typed in the wrong place.
bool LooksLikeAction(const std::string& arg) {
  if (arg.empty() || arg.size() > 64) return false;
  for (char c : arg) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  }
  for (const auto& a : ice::Catalog()) {
    std::string_view name = a.name;
    size_t verb = 1;
    while (verb < name.size() && !std::isupper(static_cast<unsigned char>(name[verb]))) ++verb;
    if (arg.compare(0, verb, name.substr(0, verb)) == 0) return true;
  }
  return false;
}

bool IsHelp(const std::string& arg) {
  return arg == "--help" || arg == "-h";
}

// Splits "--Name VALUE" and "--Name=VALUE" pairs; false (with `why`) on anything else.
bool ParsePairs(const std::vector<std::string>& args, size_t from,
                std::vector<std::pair<std::string, std::string>>& out, std::string& why) {
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a.size() < 3) {
      // Not quoted: a value in the wrong place may be the secret.
      why = "expected --Name VALUE, got a value without a name as argument " +
            std::to_string(i + 1) + " (not shown: it may be a secret)";
      return false;
    }
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      out.emplace_back(a.substr(2, eq - 2), a.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      out.emplace_back(a.substr(2), args[++i]);
    } else {
      why = a + " needs a value";
      return false;
    }
  }
  return true;
}

// A value typed in answer to a prompt (a secret without echo when standard input is a tty);
// an empty line keeps `current`.
std::optional<std::string> Prompt(const std::string& label, const std::string& current,
                                  bool secret) {
  std::cerr << label << (current.empty() || secret ? "" : " [" + current + "]") << ": ";
  termios saved{};
  bool hide = secret && ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (hide) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (hide) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!got) return std::nullopt;
  return line.empty() ? current : line;
}

int Configure(const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string why;
  if (args.size() > 1 && IsHelp(args[1])) {
    PrintActions();
    return 0;
  }
  if (!ParsePairs(args, 1, pairs, why)) return Usage(why);
  std::string path = IceConfigPath();
  auto config = LoadIceConfig(path);
  if (!config) return Usage(config.error().message);
  std::map<std::string, std::string> given;
  for (const auto& [k, v] : pairs) {
    if (k != "profile" && k != "access-key-id" && k != "access-key-secret" && k != "endpoint" &&
        k != "credentials-file") {
      return Usage("configure has no option --" + k);
    }
    given[k] = v;
  }
  std::string name = given.count("profile") ? given["profile"] : "default";
  IceProfile* profile = nullptr;
  for (auto& p : config->profiles) {
    if (p.name == name) profile = &p;
  }
  if (!profile) {
    IceProfile fresh;
    fresh.name = name;
    config->profiles.push_back(fresh);
    profile = &config->profiles.back();
  }
  if (given.count("credentials-file")) {  // Floe's own DIR/credentials.json
    std::ifstream in(given["credentials-file"]);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = core::ParseJson(text.str());
    if (!in || !doc || !doc->is_object() || !(*doc)["AccessKeyId"].is_string() ||
        !(*doc)["AccessKeySecret"].is_string()) {
      return Usage(given["credentials-file"] + " is not a credentials file");
    }
    profile->access_key_id = (*doc)["AccessKeyId"].get<std::string>();
    profile->access_key_secret = (*doc)["AccessKeySecret"].get<std::string>();
  }
  struct Field {
    const char* option;
    const char* label;
    std::string* value;
    bool secret;
  };
  for (Field f :
       {Field{"access-key-id", "Access Key Id", &profile->access_key_id, false},
        Field{"access-key-secret", "Access Key Secret", &profile->access_key_secret, true},
        Field{"endpoint", "Endpoint", &profile->endpoint, false}}) {
    if (given.count(f.option)) {
      *f.value = given[f.option];
      continue;
    }
    if (given.count("credentials-file")) continue;  // the key came from the file; no prompts
    auto typed = Prompt(f.label, *f.value, f.secret);
    if (!typed) return Usage(std::string("no value for --") + f.option);
    *f.value = *typed;
  }
  if (profile->access_key_id.empty() || profile->access_key_secret.empty()) {
    return Usage("a profile needs an AccessKey id and secret");
  }
  if (auto e = http::ParseEndpoint(profile->endpoint); !e) return Usage(e.error().message);
  config->current = name;
  if (auto r = SaveIceConfig(path, *config); !r) return Usage(r.error().message);
  std::cout << Json{{"Profile", name}, {"Endpoint", profile->endpoint}, {"File", path}}.dump(2)
            << "\n";
  return 0;
}

// Checks the parameters against the catalog; an object's or array's JSON is sent compact.
bool CheckParams(const ice::ActionSpec& action,
                 std::vector<std::pair<std::string, std::string>>& params, std::string& why) {
  for (auto& [name, value] : params) {
    const ice::ParamSpec* spec = nullptr;
    for (const auto& p : action.params) {
      if (p.name == name) spec = &p;
    }
    if (!spec) {
      why = std::string(action.name) + " has no parameter --" + name + " (see floe ice " +
            std::string(action.name) + " --help)";
      return false;
    }
    if (spec->kind == ice::ParamKind::kObject) {
      auto doc = core::ParseJson(value);
      if (!doc || !doc->is_object()) {
        why = "--" + name + " must be a JSON object, e.g. --" + name + " '{\"Type\": \"rtmp\"}'";
        return false;
      }
      value = doc->dump();
    } else if (spec->kind == ice::ParamKind::kArray) {
      auto doc = core::ParseJson(value);
      if (!doc || !doc->is_array()) {
        why = "--" + name + " must be a JSON array, e.g. --" + name + " '[{\"Format\": \"flv\"}]'";
        return false;
      }
      value = doc->dump();
    }
  }
  return true;
}

int Call(const IceProfile& who, const ice::ActionSpec& action,
         const std::vector<std::pair<std::string, std::string>>& params) {
  auto endpoint = http::ParseEndpoint(who.endpoint);
  if (!endpoint) return Usage(endpoint.error().message);
  http::ClientRequest req;
  auth::Pairs headers = {{"host", endpoint->HostHeader()},
                         {"x-acs-action", std::string(action.name)},
                         {"x-acs-version", "2020-11-09"},
                         {"x-acs-date", core::FormatUtc(core::NowMillis() / 1000)},
                         {"x-acs-signature-nonce", core::NewRequestId()}};
  auth::Pairs query(params.begin(), params.end());
  std::string authz =
      auth::SignV3("POST", "/", query, headers, "", who.access_key_id, who.access_key_secret);
  headers.emplace_back("authorization", authz);
  headers.emplace_back("accept", "application/json");
  headers.emplace_back("user-agent", "floe-ice");
  req.headers = headers;
  for (const auto& [k, v] : query) {
    req.target += (req.target.size() == 1 ? "?" : "&") + core::PercentEncode(k) + "=" +
                  core::PercentEncode(v);
  }
  auto resp = http::Fetch(*endpoint, req, kTimeout);
  if (!resp) {
    std::cerr << "floe ice: " << resp.error().code << ": " << resp.error().message << "\n";
    return kUnreachable;
  }
  // In the server's order (RequestId first), as the cloud CLI prints it.
  std::optional<Json> doc;
  if (core::JsonDepth(resp->body) <= core::kMaxJsonDepth) {
    Json parsed = Json::parse(resp->body, nullptr, false);
    if (!parsed.is_discarded()) doc = std::move(parsed);
  }
  std::cout << (doc ? doc->dump(2) : resp->body) << "\n";
  if (resp->status == 200) return 0;
  std::string code = doc && doc->is_object() ? doc->value("Code", "") : "";
  std::string message = doc && doc->is_object() ? doc->value("Message", "") : "";
  std::cerr << "floe ice: ERROR " << (code.empty() ? "HTTP " + std::to_string(resp->status) : code)
            << (message.empty() ? "" : ": " + message) << "\n";
  return 1;
}

}  // namespace

int Ice(const std::vector<std::string>& args) {
  std::optional<std::string> profile;
  size_t i = 0;
  while (i < args.size() && (args[i] == "--profile" || args[i].rfind("--profile=", 0) == 0)) {
    if (args[i] == "--profile") {
      if (i + 1 >= args.size()) return Usage("--profile needs a name");
      profile = args[i + 1];
      i += 2;
    } else {
      profile = args[i].substr(10);
      i += 1;
    }
  }
  if (i >= args.size() || IsHelp(args[i])) {
    PrintActions();
    return i >= args.size() ? kUsage : 0;
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(i), args.end());
  if (rest[0] == "configure") {
    if (profile) rest.insert(rest.begin() + 1, {"--profile", *profile});
    return Configure(rest);
  }
  const ice::ActionSpec* action = ice::FindAction(rest[0]);
  if (!action) {
    if (!LooksLikeAction(rest[0])) {
      return Usage(
          "the first argument is not an action (not shown: it may be a secret); "
          "floe ice --help lists them");
    }
    return Usage("there is no action \"" + rest[0] + "\"; floe ice --help lists them");
  }
  for (const auto& a : rest) {
    if (IsHelp(a)) {
      PrintAction(*action);
      return 0;
    }
  }
  std::vector<std::pair<std::string, std::string>> params;
  std::string why;
  if (!ParsePairs(rest, 1, params, why) || !CheckParams(*action, params, why)) return Usage(why);
  auto who = ResolveCredentials(IceConfigPath(), profile);
  if (!who) return Usage(who.error().message);
  return Call(*who, *action, params);
}

}  // namespace floe::cli
