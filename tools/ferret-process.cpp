// ferret-process: from seized image to results in one command (ingest, hash, carve, match, ...).
#include <boost/program_options.hpp>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <mutex>

#include "carve/scanner.h"
#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"
#include "ingest/ingest.h"
#include "process/process.h"
#include "process/stages.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-process";
}  // namespace

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-process --case DIR [--hashset SET ...] [options] IMAGE...\n\n"
      "Does everything for the officer in one command: ingests each image (raw, split raw, E01) with every\n"
      "volume and file system, hashes every file (MD5, SHA-1, SHA-256), carves deleted files out of\n"
      "unallocated space, matches all of them against the hash sets, runs the artifact-parser plugins\n"
      "(torrents, releases, client state, media, EXIF, browser downloads) and records it all, with its chain of\n"
      "custody, in DIR/case.db. Stopped or killed at any point, the same command started again goes on\n"
      "where it stopped and ends with the results an uninterrupted run gives, nothing twice.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure (an image or a stage could not be processed), 3 finished\n"
      "but met corrupt or unreadable evidence (recorded in the case), 130 interrupted (run it again).\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "case directory (created when it does not exist)")
      ("hashset", po::value<std::vector<std::string>>()->value_name("SET"), "a hash-set file to match against (repeatable)")
      ("case-number", po::value<std::string>()->value_name("TEXT"), "the case number, recorded with the case")
      ("no-carve", "do not carve unallocated space")
      ("no-parse", "do not run the artifact-parser plugins")
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
  if (vm.count("case-number")) options.case_number = vm["case-number"].as<std::string>();
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();
  const std::string examiner = cli::examiner_option(vm);
  auto session = cli::open_case_session(
      {kTool, vm["case"].as<std::string>(), /*create=*/true, examiner, argc, argv, &clock, cli::sign_key_option(vm)});
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  if (Status s = ingest::record_case_info(*session->writer, options.case_number, examiner, clock); !s.ok()) {
    std::cerr << kTool << ": " << s.error().message << "\n";
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
  return cli::end_tool_run(*session, clock, kTool, exit_code, body, json, quiet, human);
}
