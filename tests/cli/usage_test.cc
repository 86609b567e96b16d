// Usage errors of the floe commands (cli/usage.h): they name options, never the values typed.
#include "cli/usage.h"

#include <gtest/gtest.h>

#include <sstream>

namespace floe::cli {
namespace {

// What `app` prints for the command line `args`, as main() does (CLI11_PARSE).
std::string ErrorOf(CLI::App& app, std::vector<std::string> args) {
  std::vector<const char*> argv = {"floe"};
  for (const auto& a : args) argv.push_back(a.c_str());
  QuoteNoValuesInUsageErrors(app, static_cast<int>(argv.size()), argv.data());
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    EXPECT_NE(app.exit(e, out, err), 0);
    return err.str();
  }
  ADD_FAILURE() << "parsed";
  return "";
}

struct Floe {
  CLI::App app{"floe"};
  std::string store, listen;
  int threads = 1;
  Floe() {
    auto* serve = app.add_subcommand("serve");
    serve->add_option("--store", store);
    serve->add_option("--listen", listen);
    serve->add_option("--io-threads", threads)->check(CLI::Range(1, 64));
    app.require_subcommand(1);
  }
};

TEST(UsageTest, AnUnexpectedArgumentIsNotQuoted) {
  Floe f;
  std::string err = ErrorOf(f.app, {"serve", "--listen", "127.0.0.1:0", "S3cretValue"});
  EXPECT_EQ(err.find("S3cretValue"), std::string::npos) << err;
  EXPECT_NE(err.find("not expected"), std::string::npos) << err;
}

TEST(UsageTest, AnInvalidValueIsNotQuotedButItsOptionIsNamed) {
  Floe f;
  std::string err = ErrorOf(f.app, {"serve", "--io-threads=S3cretValue"});
  EXPECT_EQ(err.find("S3cretValue"), std::string::npos) << err;
  EXPECT_NE(err.find("--io-threads"), std::string::npos) << err;
}

TEST(UsageTest, AStoreUrlInTheWrongPlaceIsNotQuoted) {
  Floe f;
  std::string err = ErrorOf(f.app, {"--store", "postgres://u:S3cret@h/db", "serve"});
  EXPECT_EQ(err.find("S3cret"), std::string::npos) << err;
}

TEST(UsageTest, AMessageThatQuotesNoValueIsKept) {
  Floe f;
  std::string err = ErrorOf(f.app, {"serve", "--bogus"});
  EXPECT_NE(err.find("--bogus"), std::string::npos) << err;
  EXPECT_NE(err.find("not expected"), std::string::npos) << err;
}

}  // namespace
}  // namespace floe::cli
