// ferret-carve: deleted media and other files out of unallocated space, validated by their structure.
#include <boost/program_options.hpp>

#include <chrono>
#include <iostream>

#include "carve/carve.h"
#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-carve";
}  // namespace

int main(int argc, char** argv) {
  std::string type_list;
  for (auto f : carve::families()) type_list += (type_list.empty() ? "" : ", ") + std::string(f);
  po::options_description visible(
      "Usage: ferret-carve --case DIR [options]\n\n"
      "Finds files in the evidence's unallocated space (free blocks of every file system, partitions\n"
      "without one, space outside every partition) or, with --all-space, on the whole media: every\n"
      "signature is found in one pass, then a validator walks the format's structure to its true end.\n"
      "Each item is 'complete' (the structure ends consistently: the whole file) or 'partial' (only what\n"
      "was proven, with what is missing). Items are recorded as files with origin 'carved' under the\n"
      "virtual folder /$Carved/, named by their byte offset on the media, with their byte run and their\n"
      "MD5/SHA-1/SHA-256, so matching and reports treat them like any file; nothing is copied out\n"
      "(ferret-extract --where \"origin = 'carved'\" does that). Items that are the content of a file\n"
      "the case already lists are counted as already known, not recorded. Running again adds nothing twice.\n\n"
      "Types: " + type_list + "\n(aliases: jpg, mov, 3gp, mkv, webm, avi, wav, webp, docx, ...)\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure, 3 finished but part of the space was unreadable\n"
      "(recorded in errors), 130 interrupted (the evidence being carved is not recorded).\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "an existing case directory (after ferret-ingest)")
      ("evidence", po::value<std::int64_t>()->value_name("ID"), "only this evidence (default: all)")
      ("types", po::value<std::string>()->value_name("LIST"), "comma-separated types to carve (default: all)")
      ("all-space", "scan the whole media, allocated space included")
      ("threads", po::value<unsigned>()->value_name("N"), "worker threads (default: one per core)")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no progress line and no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, po::options_description(), po::positional_options_description(),
                                           "  ferret-carve --case cases/2026-042\n  ferret-carve --case cases/2026-042 --types jpg,mp4,avi --all-space\n",
                                           vm)) {
    return *leave;
  }
  if (!vm.count("case")) return cli::usage_error(kTool, "--case DIR is required");
  carve::CarveOptions options;
  if (vm.count("types")) {
    auto families = carve::parse_families(vm["types"].as<std::string>());
    if (!families.ok()) return cli::usage_error(kTool, families.error().message);
    if (families->empty()) return cli::usage_error(kTool, "--types names no type");
    options.families = std::move(*families);
  }
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();

  auto session = cli::open_case_session({kTool, vm["case"].as<std::string>(), /*create=*/false, cli::examiner_option(vm), argc, argv, &clock, cli::sign_key_option(vm)});
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  options.run_id = session->run_id;
  options.cancel = &interrupted;
  options.all_space = vm.count("all-space") > 0;
  if (vm.count("evidence")) options.evidence_id = vm["evidence"].as<std::int64_t>();
  if (vm.count("threads")) options.threads = vm["threads"].as<unsigned>();
  cli::ProgressLine progress_line;
  const auto started = std::chrono::steady_clock::now();
  if (!quiet && progress_line.enabled()) {
    options.progress = [&](std::size_t index, std::size_t count, const carve::ScanProgress& p) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      progress_line.update("carving evidence " + std::to_string(index) + "/" + std::to_string(count) + " " +
                           human_bytes(static_cast<double>(p.bytes_done)) + "/" + human_bytes(static_cast<double>(p.bytes_total)) +
                           ", " + std::to_string(p.items) + " item(s) " + cli::rate_and_eta(p.bytes_done, p.bytes_total, secs));
    };
  }
  auto outcome = carve::carve_case(*session->writer, options);
  progress_line.clear();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int exit_code = cli::kExitOk;
  std::string body;
  if (!outcome.ok()) {
    std::cerr << kTool << ": " << display_text(outcome.error().message) << "\n";
    exit_code = cli::exit_code_for(outcome.error());
    if (exit_code == cli::kExitUsage) exit_code = cli::kExitFailure;
    body = "\"error\":\"" + json_escape(outcome.error().message) + "\"";
  } else {
    if (!quiet) human << carve::summary_text(*outcome, seconds);
    if (outcome->interrupted) exit_code = cli::kExitInterrupted;
    else if (outcome->met_unreadable()) exit_code = cli::kExitBadEvidence;
    body = "\"carve\":" + carve::summary_json(*outcome, seconds);
  }
  if (Status s = cli::add_evidence_inputs(*session, options.evidence_id); !s.ok()) std::cerr << kTool << ": " << s.error().message << "\n";
  return cli::end_tool_run(*session, clock, kTool, exit_code, body, json, quiet, human);
}
