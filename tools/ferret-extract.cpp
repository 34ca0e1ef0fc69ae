// ferret-extract: writes selected files out of the evidence under safe names, verifies each copy, records it.
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
#include "extract/extract.h"
#include "ferret/version.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {

constexpr const char* kTool = "ferret-extract";

int usage_error(const std::string& message) { return cli::usage_error(kTool, message); }

}  // namespace

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-extract --case DIR (--file-id N [--file-id N ...] | --where CONDITION | --all-matched) [options] OUT\n\n"
      "Writes the content of the selected files into the directory OUT (created if missing) as\n"
      "OUT/e<evidence id>/v<volume offset>/<path in the file system>, every name made safe: characters\n"
      "that are not allowed or dangerous (/ \\ < > : \" | ? * % control and bidi characters, invalid\n"
      "UTF-8) become %XX, Windows device names get a '_' prefix, long names are shortened. Nothing is\n"
      "ever overwritten and no symbolic link in OUT is followed: a taken name gets ~<file id> before its\n"
      "extension. Each copy is read back from disk and its SHA-256 compared with the one ferret-hash\n"
      "recorded. Only files hashed as 'intact' are extracted (run ferret-hash first). The copies are\n"
      "recorded in the case (table extractions) and listed in OUT/ferret-extract-<run id>.csv.\n\n"
      "CONDITION is SQL on the files table, e.g. \"path LIKE '/Users/%' AND size > 0\"; it is run on a\n"
      "read-only connection and may not be more than one condition.\n\n"
      "Exit codes: 0 ok, 1 usage error (bad option, invalid CONDITION, unknown file id), 2 failure,\n"
      "3 finished but some selected file could not be extracted or verified, 130 interrupted.\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "an existing case directory")
      ("file-id", po::value<std::vector<std::int64_t>>()->composing()->value_name("N"), "extract this file (files.file_id); repeat for more")
      ("where", po::value<std::string>()->value_name("CONDITION"), "extract the files matching this SQL condition on the files table")
      ("all-matched", "extract every file a notable hash set matched (files.known = 'notable', see ferret-match)")
      ("threads", po::value<unsigned>()->value_name("N"), "worker threads (default: one per core)")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no progress line and no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::options_description hidden;
  hidden.add_options()("out", po::value<std::vector<std::string>>(), "output directory");
  po::positional_options_description positional;
  positional.add("out", -1);
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(
          argc, argv, kTool, visible, hidden, positional,
          "  ferret-extract --case cases/2026-042 --file-id 17 --file-id 18 exports/2026-042\n"
          "  ferret-extract --case cases/2026-042 --where \"mime LIKE 'video/%' AND allocated = 0\" exports/deleted-videos\n"
          "  ferret-extract --case cases/2026-042 --all-matched exports/notable\n",
          vm)) {
    return *leave;
  }
  if (!vm.count("case")) return usage_error("--case DIR is required");
  if (!vm.count("out") || vm["out"].as<std::vector<std::string>>().size() != 1) {
    return usage_error("give exactly one output directory OUT");
  }
  const bool by_id = vm.count("file-id") > 0;
  const bool by_where = vm.count("where") > 0;
  const bool all_matched = vm.count("all-matched") > 0;
  if (int{by_id} + int{by_where} + int{all_matched} != 1) {
    return usage_error("give one of --file-id N (repeatable), --where CONDITION or --all-matched");
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

  extract::ExtractOptions options;
  options.run_id = run_id;
  options.cancel = &interrupted;
  options.output_dir = vm["out"].as<std::vector<std::string>>().front();
  if (by_id) options.file_ids = vm["file-id"].as<std::vector<std::int64_t>>();
  if (by_where) options.where = vm["where"].as<std::string>();
  if (all_matched) options.where = "known = 'notable'";
  if (vm.count("threads")) options.threads = vm["threads"].as<unsigned>();
  cli::ProgressLine progress_line;
  const auto started = std::chrono::steady_clock::now();
  if (!quiet && progress_line.enabled()) {
    options.progress = [&](const extract::ExtractProgress& p) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      progress_line.update("extracting files " + std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " " +
                           human_bytes(static_cast<double>(p.bytes_done)) + "/" + human_bytes(static_cast<double>(p.bytes_total)) +
                           " " + cli::rate_and_eta(p.bytes_done, p.bytes_total, secs));
    };
  }
  auto outcome = extract::extract_files(writer, session->dir.database_path(), options);
  progress_line.clear();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int exit_code = cli::kExitOk;
  std::string body;
  if (!outcome.ok()) {
    std::cerr << kTool << ": " << outcome.error().message << "\n";
    exit_code = cli::exit_code_for(outcome.error());  // an invalid selection is a usage error
    body = "\"error\":\"" + json_escape(outcome.error().message) + "\"";
  } else {
    if (!quiet) human << extract::summary_text(*outcome, seconds);
    if (outcome->interrupted) exit_code = cli::kExitInterrupted;
    else if (outcome->manifest.empty()) exit_code = cli::kExitFailure;  // the manifest could not be written
    else if (outcome->not_extracted > 0 || outcome->verified < outcome->extracted) exit_code = cli::kExitBadEvidence;
    body = "\"extract\":" + extract::summary_json(*outcome, seconds);
  }
  if (Status s = cli::add_evidence_inputs(*session, std::nullopt); !s.ok()) std::cerr << kTool << ": " << s.error().message << "\n";
  return cli::end_tool_run(*session, clock, kTool, exit_code, body, json, quiet, human);
}
