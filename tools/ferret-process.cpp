// ferret-process: from seized image to results in one command (ingest, hash, carve, match, ...).
#include <boost/program_options.hpp>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#include "carve/scanner.h"
#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"
#include "ingest/ingest.h"
#include "process/process.h"
#include "process/stages.h"
#include "report/report.h"
#include "report/session_run.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-process";

// The report step: a run of its own, recorded as the equivalent `ferret-report` command, so that the
// report lists the processing run that has just ended and is the same file `ferret-report` gives
// (reports leave ferret-report's own runs out). Returns the JSON member ("\"report\":{...}"), or
// "" with a message on stderr when the report could not be written.
std::string write_case_report(const std::filesystem::path& case_dir, const std::filesystem::path& out, const std::string& examiner,
                              const std::filesystem::path& sign_key, const Clock& clock, const std::atomic<bool>& interrupted,
                              bool quiet, std::ostream& human) {
  const std::string case_arg = case_dir.string(), out_arg = out.string();
  std::vector<const char*> argv = {report::kReportTool, "--case", case_arg.c_str(), "--format", "html", "--out", out_arg.c_str(),
                                   "--force", "--examiner", examiner.c_str()};
  auto session = cli::open_case_session({report::kReportTool, case_dir, /*create=*/false, examiner, static_cast<int>(argv.size()),
                                         argv.data(), &clock, sign_key});
  if (!session.ok()) {
    std::cerr << kTool << ": report: " << session.error().message << "\n";
    return "";
  }
  report::ReportOptions options;
  options.database = session->dir.database_path();
  options.format = report::Format::html;
  options.out = out;
  options.force = true;
  options.examiner = examiner;
  options.cancel = &interrupted;
  const report::SessionReport written = report::run_report(*session, options, std::string(kTool) + ": report", quiet, human, "report: ");
  const int exit_code = written.exit_code;
  const std::string& member = written.member;
  const std::string summary = cli::run_summary_json(*session, report::kReportTool, exit_code, member);
  if (auto failed = cli::finish_case_session(*session, clock, exit_code, summary); !failed.empty()) {
    std::cerr << kTool << ": report: " << failed << "\n";
    return "";
  }
  if (member.empty()) return "";
  return "\"report\":{\"run_id\":" + std::to_string(session->run_id) + "," + member.substr(std::string("\"report\":{").size());
}
}  // namespace

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-process --case DIR [--hashset SET ...] [options] IMAGE...\n\n"
      "Does everything for the officer in one command: ingests each image (raw, split raw, E01) with every\n"
      "volume and file system, hashes every file (MD5, SHA-1, SHA-256), carves deleted files out of\n"
      "unallocated space, matches all of them against the hash sets, runs the artifact-parser plugins\n"
      "(torrents, releases, client state, media, EXIF, browser downloads) and records it all, with its chain of\n"
      "custody, in DIR/case.db, and ends with the prosecutor's HTML report, DIR/report.html. Stopped or killed at any point, the same command started again goes on\n"
      "where it stopped and ends with the results an uninterrupted run gives, nothing twice.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure (an image or a stage could not be processed), 3 finished\n"
      "but met corrupt or unreadable evidence (recorded in the case), 130 interrupted (run it again).\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "case directory (created when it does not exist)")
      ("hashset", po::value<std::vector<std::string>>()->value_name("SET"), "a hash-set file to match against (repeatable)")
      ("case-number", po::value<std::string>()->value_name("TEXT"), "the case number, recorded with the case")
      ("no-carve", "do not carve unallocated space")
      ("no-parse", "do not run the artifact-parser plugins")
      ("report", po::value<std::string>()->value_name("PATH"), "where the HTML report goes (default: DIR/report.html; see ferret-report for CSV, DFXML, CASE)")
      ("no-report", "do not write the HTML report")
      ("plugin-dir", po::value<std::vector<std::string>>()->value_name("DIR"), "more plugins to run (besides the bundled ones)")
      ("types", po::value<std::string>()->value_name("LIST"), "types to carve (default: all; see ferret-carve --help)")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no progress and no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::options_description hidden;
  hidden.add_options()("image", po::value<std::vector<std::string>>(), "");
  po::positional_options_description positional;
  positional.add("image", -1);
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, hidden, positional,
                                           "  ferret-process --case cases/2026-042 --hashset sets/releases.ferret-hashset seized.E01\n", vm)) {
    return *leave;
  }
  if (!vm.count("case")) return cli::usage_error(kTool, "--case DIR is required");
  if (!vm.count("image")) return cli::usage_error(kTool, "give at least one IMAGE");
  process::PipelineOptions options;
  for (const auto& i : vm["image"].as<std::vector<std::string>>()) options.images.emplace_back(i);
  if (vm.count("hashset")) {
    for (const auto& s : vm["hashset"].as<std::vector<std::string>>()) options.hashsets.emplace_back(s);
  }
  if (vm.count("types")) {
    auto families = carve::parse_families(vm["types"].as<std::string>());
    if (!families.ok()) return cli::usage_error(kTool, families.error().message);
    options.carve_families = std::move(*families);
  }
  options.carve = vm.count("no-carve") == 0;
  // The report goes to --report PATH, else DIR/report.html; a relative PATH is taken from the current directory.
  std::optional<std::filesystem::path> report_path;
  if (!vm.count("no-report")) {
    report_path = vm.count("report") ? std::filesystem::absolute(vm["report"].as<std::string>())
                                     : std::filesystem::absolute(vm["case"].as<std::string>()) / "report.html";
  } else if (vm.count("report")) {
    return cli::usage_error(kTool, "--report and --no-report cannot go together");
  }
  if (vm.count("case-number")) options.case_number = vm["case-number"].as<std::string>();
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();
  const std::string examiner = cli::examiner_option(vm);
  cli::SessionRequest request{kTool, vm["case"].as<std::string>(), /*create=*/true, examiner, argc, argv, &clock, cli::sign_key_option(vm)};
  request.record_case_info = true;
  request.case_number = options.case_number;
  auto session = cli::open_case_session(request);
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  options.run_id = session->run_id;
  options.cancel = &interrupted;
  options.clock = &clock;
  if (!vm.count("no-parse")) {
    process::ParseStageOptions parse;
    parse.run_id = session->run_id;
    parse.cancel = &interrupted;
    if (vm.count("plugin-dir")) {
      for (const auto& d : vm["plugin-dir"].as<std::vector<std::string>>()) parse.plugin_dirs.emplace_back(d);
    }
    options.extra.push_back(process::make_parse_stage(*session->writer, parse, session->inputs));
  }

  // On a terminal: one live line per stage. Otherwise (scripts, logs): a JSON line as each stage starts.
  cli::ProgressLine progress_line;
  const bool tty = progress_line.enabled();
  std::mutex mutex;
  std::size_t announced = 0;
  auto stage_started = std::chrono::steady_clock::now();
  options.progress = [&](const process::StageProgress& p) {
    std::lock_guard lock(mutex);
    if (p.index != announced) {
      announced = p.index;
      stage_started = std::chrono::steady_clock::now();
      if (!tty && !quiet) {
        std::cerr << "{\"progress\":\"stage\",\"stage\":\"" << p.stage << "\",\"index\":" << p.index << ",\"stages\":" << p.stages << "}\n";
      }
    }
    if (!tty || quiet) return;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_started).count();
    std::string line = "[" + std::to_string(p.index) + "/" + std::to_string(p.stages) + "] " + p.stage + " " + display_text(p.item);
    if (p.total) {
      const int pct = static_cast<int>(100.0 * static_cast<double>(p.done) / static_cast<double>(p.total));
      line += " " + std::to_string(pct) + "% " +
              (p.bytes ? human_bytes(static_cast<double>(p.done)) + "/" + human_bytes(static_cast<double>(p.total))
                       : std::to_string(p.done) + "/" + std::to_string(p.total)) +
              " " + cli::rate_and_eta(p.done, p.total, secs);
    }
    progress_line.update(line);
  };
  options.stage_done = [&](const std::string& stage, const std::string& text) {
    std::lock_guard lock(mutex);
    progress_line.clear();
    if (!quiet) human << stage << ": " << text << "\n";
  };

  auto outcome = process::run_pipeline(*session->writer, options);
  progress_line.clear();
  int exit_code = cli::kExitOk;
  std::string body;
  if (!outcome.ok()) {
    std::cerr << kTool << ": " << display_text(outcome.error().message) << "\n";
    exit_code = cli::exit_code_for(outcome.error());
    if (exit_code == cli::kExitUsage) exit_code = cli::kExitFailure;
    body = "\"error\":\"" + json_escape(outcome.error().message) + "\"";
  } else {
    body = outcome->json_members;
    if (outcome->interrupted) exit_code = cli::kExitInterrupted;
    else if (!outcome->failures.empty()) exit_code = cli::kExitFailure;
    else if (outcome->bad_evidence) exit_code = cli::kExitBadEvidence;
    for (const auto& w : outcome->warnings) std::cerr << kTool << ": warning: " << display_text(w) << "\n";
    for (const auto& f : outcome->failures) std::cerr << kTool << ": " << display_text(f) << "\n";
    if (outcome->interrupted && !quiet) human << "interrupted: run the same command again to go on\n";
  }
  if (Status s = cli::add_evidence_inputs(*session, std::nullopt); !s.ok()) std::cerr << kTool << ": " << s.error().message << "\n";
  if (outcome.ok()) {
    for (const auto& [path, sha256] : outcome->hashsets) session->inputs.push_back({"hashset", path, sha256});
  }
  const std::string summary = cli::run_summary_json(*session, kTool, exit_code, body);
  if (auto failed = cli::finish_case_session(*session, clock, exit_code, summary); !failed.empty()) {
    std::cerr << kTool << ": " << failed << "\n";
  }
  // The HTML report, once every stage has done what it could (not after a failure or an interruption),
  // by a run of its own: this run's session (and its hold on the case) ends first.
  const std::filesystem::path case_dir = session->dir.dir(), database = session->dir.database_path();
  const std::int64_t run_id = session->run_id;
  { const cli::CaseSession ended = std::move(*session); }
  std::string printed = summary;
  if (report_path && (exit_code == cli::kExitOk || exit_code == cli::kExitBadEvidence)) {
    std::string member = write_case_report(case_dir, *report_path, examiner, cli::sign_key_option(vm), clock, interrupted,
                                           quiet, human);
    if (member.empty()) {
      member = "\"report\":{\"error\":\"the report could not be written (see the messages)\"}";
      exit_code = interrupted ? cli::kExitInterrupted : cli::kExitFailure;
    }
    printed = printed.substr(0, printed.size() - 1) + "," + member + "}";
  }
  if (json) std::cout << printed << "\n";
  if (!quiet) {
    human << "case: " << database.string() << " (run " << run_id << ", exit " << exit_code << ")\n";
  }
  return exit_code;
}
