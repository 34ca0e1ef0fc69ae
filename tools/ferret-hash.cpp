// ferret-hash: MD5, SHA-1, SHA-256, content type and content state of every file in a case.
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "casedb/case_store.h"
#include "casedb/case_writer.h"
#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"
#include "ferret/version.h"
#include "filehash/file_hasher.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {

constexpr const char* kTool = "ferret-hash";


}  // namespace

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-hash --case DIR [options]\n\n"
      "Computes MD5, SHA-1 and SHA-256 of every file's content in one read (allocated, deleted with\n"
      "content still there, orphans, NTFS streams), its content type and whether its extension lies\n"
      "about it, and records them in DIR/case.db. A deleted file whose blocks now belong to something\n"
      "else is marked 'reallocated', not hashed. Stopped runs resume: run the same command again.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure, 3 finished but some content was unreadable\n"
      "(recorded per file), 130 interrupted (what was hashed is kept).\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "an existing case directory")
      ("evidence", po::value<std::int64_t>()->value_name("ID"), "only this evidence (default: all)")
      ("threads", po::value<unsigned>()->value_name("N"), "worker threads (default: one per core)")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no progress line and no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, po::options_description(), po::positional_options_description(),
                                           "  ferret-hash --case cases/2026-042\n", vm)) {
    return *leave;
  }
  if (!vm.count("case")) {
    std::cerr << kTool << ": --case DIR is required\nTry '" << kTool << " --help'.\n";
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
  casedb::CaseWriter& writer = *session->writer;
  const std::int64_t run_id = session->run_id;

  filehash::HashOptions options;
  options.run_id = run_id;
  options.cancel = &interrupted;
  if (vm.count("evidence")) options.evidence_id = vm["evidence"].as<std::int64_t>();
  if (vm.count("threads")) options.threads = vm["threads"].as<unsigned>();
  cli::ProgressLine progress_line;
  const auto started = std::chrono::steady_clock::now();
  if (!quiet && progress_line.enabled()) {
    options.progress = [&](const filehash::HashProgress& p) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      progress_line.update("hashing files " + std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " " +
                           human_bytes(static_cast<double>(p.bytes_done)) + "/" + human_bytes(static_cast<double>(p.bytes_total)) +
                           " " + cli::rate_and_eta(p.bytes_done, p.bytes_total, secs));
    };
  }
  auto outcome = filehash::hash_files(writer, options);
  progress_line.clear();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int exit_code = cli::kExitOk;
  std::string body;
  if (!outcome.ok()) {
    std::cerr << kTool << ": " << outcome.error().message << "\n";
    exit_code = cli::exit_code_for(outcome.error());
    if (exit_code == cli::kExitUsage) exit_code = cli::kExitFailure;
    body = "\"error\":\"" + json_escape(outcome.error().message) + "\"";
  } else {
    if (!quiet) human << filehash::summary_text(*outcome, seconds);
    if (outcome->interrupted) exit_code = cli::kExitInterrupted;
    else if (outcome->unreadable > 0 || !outcome->problems.empty()) exit_code = cli::kExitBadEvidence;
    body = "\"hash\":" + filehash::summary_json(*outcome, seconds);
  }
  if (Status s = cli::add_evidence_inputs(*session, options.evidence_id); !s.ok()) std::cerr << kTool << ": " << s.error().message << "\n";
  return cli::end_tool_run(*session, clock, kTool, exit_code, body, json, quiet, human);
}
