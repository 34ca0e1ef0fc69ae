// ferret-ingest: seized images into a case database (evidence, volumes, every file, unallocated space).
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
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
#include "ingest/ingest.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {

constexpr const char* kTool = "ferret-ingest";


std::string json_string_or_null(const std::optional<std::string>& s) {
  return s ? "\"" + json_escape(*s) + "\"" : "null";
}

std::string evidence_json(const ingest::EvidenceOutcome& e) {
  std::ostringstream o;
  o << "{\"evidence_id\":" << e.evidence_id << ",\"path\":\"" << json_escape(e.path) << "\",\"format\":\""
    << e.format << "\",\"size\":" << e.size << ",\"md5\":\"" << e.md5 << "\",\"sha1\":\"" << e.sha1
    << "\",\"sha256\":\"" << e.sha256 << "\",\"stored_md5\":" << json_string_or_null(e.stored_md5)
    << ",\"stored_sha1\":" << json_string_or_null(e.stored_sha1) << ",\"stored_hashes_match\":"
    << (e.stored_hashes_match ? (*e.stored_hashes_match ? "true" : "false") : "null") << ",\"volumes\":" << e.volumes
    << ",\"file_systems\":" << e.file_systems << ",\"files\":" << e.files << ",\"deleted\":" << e.deleted
    << ",\"problems\":" << e.problems << ",\"unreadable_bytes\":" << e.unreadable_bytes << ",\"seconds\":" << e.seconds
    << ",\"warnings\":[";
  for (std::size_t i = 0; i < e.warnings.size(); ++i) o << (i ? "," : "") << "\"" << json_escape(e.warnings[i]) << "\"";
  o << "]}";
  return o.str();
}

void print_evidence(std::ostream& out, const ingest::EvidenceOutcome& e) {
  out << "evidence " << e.evidence_id << ": " << e.path << " (" << e.format << ", " << human_bytes(static_cast<double>(e.size))
      << ", " << e.size << " bytes)\n"
      << "  md5    " << e.md5 << "\n  sha1   " << e.sha1 << "\n  sha256 " << e.sha256 << "\n";
  if (e.stored_hashes_match) {
    out << "  stored hashes in the container: " << (*e.stored_hashes_match ? "verified, they match" : "MISMATCH") << "\n";
  }
  out << "  " << e.volumes << " volume(s), " << e.file_systems << " file system(s), " << e.files << " files ("
      << e.deleted << " deleted), " << e.problems << " problem(s)";
  if (e.unreadable_bytes > 0) out << ", " << e.unreadable_bytes << " unreadable bytes";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", e.seconds);
  out << ", " << secs << " s\n";
  for (const auto& w : e.warnings) out << "  warning: " << display_text(w) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-ingest --case DIR [options] IMAGE...\n\n"
      "Ingests seized images (raw/dd, split raw .001/.002..., E01 incl. segmented) into the case database\n"
      "DIR/case.db: evidence hashes and acquisition metadata (E01 stored hashes are verified), every volume,\n"
      "every file and directory (deleted and orphaned ones included) with its byte runs on the media, and\n"
      "unallocated space. Images are opened read-only. Give the first segment of a split set.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure (nothing recorded for the failed image), 3 finished but\n"
      "the evidence was partly unreadable or damaged (recorded in the case), 130 interrupted.\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "case directory (created if missing)")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("case-number", po::value<std::string>()->value_name("N"), "case number recorded in the case")
      ("allow-duplicate", "ingest evidence even if the same image is already in the case")
      ("hash", "then hash every file of the ingested evidence, as ferret-hash does")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no progress line and no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::options_description hidden;
  hidden.add_options()("image", po::value<std::vector<std::string>>(), "image");
  po::positional_options_description positional;
  positional.add("image", -1);

  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, hidden, positional,
                                           "  ferret-ingest --case cases/2026-042 --examiner 'Det. Example' seized.E01\n", vm)) {
    return *leave;
  }
  if (!vm.count("case") || !vm.count("image")) {
    std::cerr << kTool << ": " << (!vm.count("case") ? "--case DIR is required" : "no IMAGE given")
              << "\nTry '" << kTool << " --help'.\n";
    return cli::kExitUsage;
  }
  const auto images = vm["image"].as<std::vector<std::string>>();
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  const std::string examiner = cli::examiner_option(vm);
  const std::string case_number = vm.count("case-number") ? vm["case-number"].as<std::string>() : "";
  std::ostream& human = json ? std::cerr : std::cout;

  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();

  cli::SessionRequest request{kTool, vm["case"].as<std::string>(), /*create=*/true, examiner, argc, argv, &clock, cli::sign_key_option(vm)};
  request.record_case_info = true;
  request.case_number = case_number;
  auto session = cli::open_case_session(request);
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  casedb::CaseWriter& writer = *session->writer;
  const std::int64_t run_id = session->run_id;

  int exit_code = cli::kExitOk;
  std::vector<ingest::EvidenceOutcome> done;
  std::vector<std::string> failures;
  cli::ProgressLine progress_line;
  // --hash: every file of each evidence is hashed inside its ingest, while the media hash runs.
  const bool hashing = vm.count("hash") > 0;
  filehash::HashSummary hash_total;
  double hash_seconds = 0;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto started = std::chrono::steady_clock::now();
    ingest::IngestOptions options;
    options.run_id = run_id;
    options.case_number = case_number;
    options.allow_duplicate = vm.count("allow-duplicate") > 0;
    options.cancel = &interrupted;
    options.clock = &clock;
    const std::string label = "[" + std::to_string(i + 1) + "/" + std::to_string(images.size()) + "] ";
    if (!quiet && progress_line.enabled()) {
      options.progress = [&](const ingest::Progress& p) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const int pct = p.total_bytes ? static_cast<int>(100.0 * static_cast<double>(p.hashed_bytes) / static_cast<double>(p.total_bytes)) : 100;
        progress_line.update(label + "hashing " + std::to_string(pct) + "% " + human_bytes(static_cast<double>(p.hashed_bytes)) + "/" +
                             human_bytes(static_cast<double>(p.total_bytes)) + " " + cli::rate_and_eta(p.hashed_bytes, p.total_bytes, secs) +
                             " | files " + std::to_string(p.files_seen) + (p.walk_done ? " (walk done)" : ""));
      };
    }
    filehash::HashSummary hashed_here;
    if (hashing) {
      options.after_walk = [&](std::int64_t evidence_id) -> Status {
        const auto hash_started = std::chrono::steady_clock::now();
        filehash::HashOptions hash_options;
        hash_options.run_id = run_id;
        hash_options.cancel = &interrupted;
        hash_options.evidence_id = evidence_id;
        hash_options.own_transactions = false;
        auto hashed = filehash::hash_files(writer, hash_options);
        hash_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - hash_started).count();
        if (!hashed.ok()) return hashed.error();
        if (hashed->interrupted) return make_error(Errc::interrupted, "interrupted while hashing files");
        hashed_here = std::move(*hashed);
        return {};
      };
    }
    auto outcome = ingest::ingest_evidence(writer, images[i], options);
    if (outcome.ok() && hashing) filehash::merge_into(hash_total, hashed_here);
    progress_line.clear();
    if (!outcome.ok()) {
      const Error& e = outcome.error();
      std::cerr << kTool << ": " << images[i] << ": " << e.message << "\n";
      failures.push_back(images[i] + ": " + e.message);
      const int code = cli::exit_code_for(e);
      if (code == cli::kExitInterrupted) {
        exit_code = code;
        break;
      }
      exit_code = std::max(exit_code, code == cli::kExitUsage ? int{cli::kExitFailure} : code);
      continue;
    }
    if (!quiet) print_evidence(human, *outcome);
    if (outcome->met_bad_evidence() && exit_code == cli::kExitOk) exit_code = cli::kExitBadEvidence;
    done.push_back(std::move(*outcome));
  }
  std::string hash_json;
  if (hashing) {
    if (!quiet) human << filehash::summary_text(hash_total, hash_seconds);
    if ((hash_total.unreadable > 0 || !hash_total.problems.empty()) && exit_code == cli::kExitOk) exit_code = cli::kExitBadEvidence;
    hash_json = ",\"hash\":" + filehash::summary_json(hash_total, hash_seconds);
  }

  // Failure (2) outranks bad evidence (3) only when nothing succeeded; a mix reports the failure.
  std::ostringstream members;
  members << "\"evidence\":[";
  for (std::size_t i = 0; i < done.size(); ++i) members << (i ? "," : "") << evidence_json(done[i]);
  members << "],\"failures\":[";
  for (std::size_t i = 0; i < failures.size(); ++i) members << (i ? "," : "") << "\"" << json_escape(failures[i]) << "\"";
  members << "]" << hash_json;
  if (Status s = cli::add_evidence_inputs(*session, std::nullopt, /*ingested_by_run=*/true); !s.ok()) std::cerr << kTool << ": " << s.error().message << "\n";
  return cli::end_tool_run(*session, clock, kTool, exit_code, members.str(), json, quiet, human);
}
