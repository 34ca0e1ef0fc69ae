// ferret-match: every hashed file of a case against hash sets (notable releases, known-good files).
#include <boost/program_options.hpp>

#include <chrono>
#include <iostream>
#include <sstream>

#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"
#include "ferret/version.h"
#include "match/match.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-match";
}

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-match --case DIR --hashset SET [--hashset SET ...] [options]\n\n"
      "Looks every hashed file of the case up in the hash sets (made with ferret-hashset import), on every\n"
      "algorithm both sides have, strongest first, and records each hit in the case's `matches` table with\n"
      "the set's name, category, the entry's title/release/rights holder and the set file's SHA-256.\n"
      "files.known becomes 'notable' or 'known-good' (notable wins). Running again with the same sets\n"
      "adds nothing twice. Run ferret-hash first: files not hashed are not looked up.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure (a set cannot be opened: nothing recorded), 130 interrupted.\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "an existing case directory")
      ("hashset", po::value<std::vector<std::string>>()->value_name("SET"), "a hash-set file (repeatable)")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, po::options_description(), po::positional_options_description(),
                                           "  ferret-match --case cases/2026-042 --hashset sets/frtgrp-releases.ferret-hashset\n", vm)) {
    return *leave;
  }
  if (!vm.count("case") || !vm.count("hashset")) {
    std::cerr << kTool << ": " << (!vm.count("case") ? "--case DIR is required" : "give at least one --hashset SET")
              << "\nTry '" << kTool << " --help'.\n";
    return cli::kExitUsage;
  }
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();
  auto session = cli::open_case_session({kTool, vm["case"].as<std::string>(), /*create=*/false,
                                         cli::examiner_option(vm),
                                         argc, argv, &clock, cli::sign_key_option(vm)});
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  match::MatchOptions options;
  options.run_id = session->run_id;
  options.cancel = &interrupted;
  for (const auto& s : vm["hashset"].as<std::vector<std::string>>()) options.hashsets.emplace_back(s);
  const auto started = std::chrono::steady_clock::now();
  auto outcome = match::match_files(*session->writer, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int exit_code = cli::kExitOk;
  std::string body;
  if (!outcome.ok()) {
    std::cerr << kTool << ": " << display_text(outcome.error().message) << "\n";
    exit_code = cli::exit_code_for(outcome.error());
    if (exit_code == cli::kExitUsage) exit_code = cli::kExitFailure;
    body = "\"error\":\"" + json_escape(outcome.error().message) + "\"";
  } else {
    if (!quiet) human << match::summary_text(*outcome, seconds);
    if (outcome->interrupted) exit_code = cli::kExitInterrupted;
    body = "\"match\":" + match::summary_json(*outcome, seconds);
  }
  if (outcome.ok()) {
    for (const auto& set : outcome->sets) session->inputs.push_back({"hashset", set.path, set.sha256});
  }
  return cli::end_tool_run(*session, clock, kTool, exit_code, body, json, quiet, human);
}
