// ferret-verify: checks a case's chain of custody, its results against their seals, and the evidence.
#include <boost/program_options.hpp>

#include <chrono>
#include <iostream>

#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"
#include "custody/custody.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-verify";
}  // namespace

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-verify --case DIR [options]\n\n"
      "Checks that nothing in the case was altered since the runs that wrote it: the custody log's hash\n"
      "chain (edited, deleted, inserted or reordered entries), entry signatures, the chain heads kept in\n"
      "DIR/custody.log, every runs row against its entries, every result row (evidence, volumes, files,\n"
      "hashes, carved items, matches, extractions, errors ...) against the seal its run wrote, and files.known\n"
      "against the matches. Then it reads the evidence again and compares its MD5/SHA-1/SHA-256 with those\n"
      "recorded at ingest (and with the hashes stored in an E01). Prints a verdict and every problem found,\n"
      "the first break first. The verification itself is recorded as a run.\n\n"
      "Exit codes: 0 everything holds, 1 usage error, 2 failure (the case cannot be read), 3 something was\n"
      "altered or the evidence does not read as it did, 130 interrupted.\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "an existing case directory")
      ("skip-evidence", "do not read the evidence again (chain, runs and results only)")
      ("trusted-key", po::value<std::string>()->value_name("HEX"), "every signed entry must be signed by this Ed25519 public key (64 hex digits)")
      ("require-signatures", "every entry must be signed")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human report goes to stderr)")
      ("quiet,q", "no progress line and no human report")
      ("help,h", "show this help")
      ("version", "show the version");
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, po::options_description(), po::positional_options_description(),
                                           "  ferret-verify --case cases/2026-042\n", vm)) {
    return *leave;
  }
  if (!vm.count("case")) return cli::usage_error(kTool, "--case DIR is required");
  custody::VerifyOptions options;
  options.check_evidence = vm.count("skip-evidence") == 0;
  options.require_signatures = vm.count("require-signatures") > 0;
  if (vm.count("trusted-key")) {
    options.trusted_public_key_hex = vm["trusted-key"].as<std::string>();
    if (options.trusted_public_key_hex.size() != 64 ||
        options.trusted_public_key_hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return cli::usage_error(kTool, "--trusted-key takes an Ed25519 public key as 64 lowercase hex digits");
    }
  }
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();
  cli::SessionRequest request{kTool, vm["case"].as<std::string>(), /*create=*/false, cli::examiner_option(vm), argc, argv, &clock,
                              cli::sign_key_option(vm)};
  request.seal_unfinished = false;  // check the case as found: sealing killed runs is for the tools that go on with it
  auto session = cli::open_case_session(request);
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  options.cancel = &interrupted;
  cli::ProgressLine progress_line;
  const auto started = std::chrono::steady_clock::now();
  if (!quiet && progress_line.enabled()) {
    options.progress = [&](const custody::VerifyProgress& p) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::string line = "verifying " + p.stage;
      if (p.stage.rfind("evidence", 0) == 0) {
        line += " " + human_bytes(static_cast<double>(p.done)) + "/" + human_bytes(static_cast<double>(p.total)) + " " +
                cli::rate_and_eta(p.done, p.total, secs);
      } else if (p.total) {
        line += " " + std::to_string(p.done) + "/" + std::to_string(p.total);
      }
      progress_line.update(line);
    };
  }
  const std::filesystem::path case_dir = session->dir.dir();
  auto report = session->writer->call<custody::VerifyReport>(
      [&](casedb::Database& db) { return custody::verify_case(db, case_dir, options); });
  progress_line.clear();

  int exit_code = cli::kExitOk;
  std::string body;
  if (!report.ok()) {
    std::cerr << kTool << ": " << display_text(report.error().message) << "\n";
    exit_code = cli::kExitFailure;
    body = "\"error\":\"" + json_escape(report.error().message) + "\"";
  } else {
    if (!quiet) human << custody::report_text(*report);
    if (report->interrupted) exit_code = cli::kExitInterrupted;
    else if (!report->ok()) exit_code = cli::kExitBadEvidence;
    body = "\"verify\":" + custody::report_json(*report);
    if (options.check_evidence) {
      if (Status s = cli::add_evidence_inputs(*session, std::nullopt); !s.ok()) std::cerr << kTool << ": " << s.error().message << "\n";
    }
  }
  return cli::end_tool_run(*session, clock, kTool, exit_code, body, json, quiet, human);
}
