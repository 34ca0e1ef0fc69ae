// ferret-report: a report of a case for a prosecutor (HTML) and for experts (CSV, DFXML, CASE/UCO).
#include <boost/program_options.hpp>

#include <chrono>
#include <iostream>

#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"
#include "report/report.h"
#include "report/session_run.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-report";
}

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-report --case DIR --format html|csv|dfxml|case --out PATH [options]\n\n"
      "Writes a report of the case. html: one self-contained file for a prosecutor (case and evidence,\n"
      "the scale of the infringement, a timeline, torrents and releases, every match, the chain of custody);\n"
      "it loads nothing from the network. csv: PATH is a directory with one RFC 4180 file per table.\n"
      "dfxml: DFXML 1.2 (volumes, files, byte runs, hashes). case: CASE/UCO JSON-LD.\n"
      "The same case gives the same bytes: the report lists every run but ferret-report's own, and\n"
      "names no wall-clock time. The SHA-256 of what was written is recorded in the case's custody log.\n"
      "PATH is written atomically and never replaced unless --force; links are never followed.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure (nothing written), 130 interrupted.\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "an existing case directory")
      ("format", po::value<std::string>()->value_name("FORMAT"), "html, csv, dfxml or case")
      ("out", po::value<std::string>()->value_name("PATH"), "the report file (csv: a directory)")
      ("force", "replace PATH when it exists")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name, shown in the report and recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, po::options_description(), po::positional_options_description(),
                                           "  ferret-report --case cases/2026-042 --format html --out reports/2026-042.html\n", vm)) {
    return *leave;
  }
  if (!vm.count("case")) return cli::usage_error(kTool, "--case DIR is required");
  if (!vm.count("format")) return cli::usage_error(kTool, "--format html|csv|dfxml|case is required");
  if (!vm.count("out")) return cli::usage_error(kTool, "--out PATH is required");
  const auto format = report::parse_format(vm["format"].as<std::string>());
  if (!format) return cli::usage_error(kTool, "--format must be html, csv, dfxml or case, not '" + display_text(vm["format"].as<std::string>()) + "'");
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();
  const std::string examiner = cli::examiner_option(vm);
  auto session = cli::open_case_session({kTool, vm["case"].as<std::string>(), /*create=*/false, examiner, argc, argv, &clock,
                                         cli::sign_key_option(vm)});
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  report::ReportOptions options;
  options.database = session->dir.database_path();
  options.format = *format;
  options.out = vm["out"].as<std::string>();
  options.force = vm.count("force") > 0;
  options.examiner = examiner;
  options.cancel = &interrupted;
  const report::SessionReport written = report::run_report(*session, options, kTool, quiet, human);
  const std::string body = written.exit_code == cli::kExitOk ? written.member : "\"error\":\"" + json_escape(written.error) + "\"";
  const int exit_code = written.exit_code;
  return cli::end_tool_run(*session, clock, kTool, exit_code, body, json, quiet, human);
}
