// Matching a case's file hashes against hash sets (files.known, matches).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "casedb/case_writer.h"
#include "core/result.h"

namespace ferret::match {

struct MatchOptions {
  std::vector<std::filesystem::path> hashsets;
  std::int64_t run_id = 0;
  const std::atomic<bool>* cancel = nullptr;
};

struct SetSummary {
  std::string name;
  std::string category;
  std::string path;
  std::string sha256;            // of the set file
  std::uint64_t files_matched = 0;  // files with at least one new or existing match in this set
  std::uint64_t new_matches = 0;    // rows added by this run
};

struct MatchSummary {
  std::uint64_t files_checked = 0;  // hashed files looked up
  std::uint64_t notable = 0;        // files.known after the run
  std::uint64_t known_good = 0;
  std::vector<SetSummary> sets;
  bool interrupted = false;
};

// Looks every hashed file (content_state 'intact') up in every set, on every algorithm both sides
// have, strongest first (SHA-256, SHA-1, MD5), and records each hit once in `matches` (running
// again with the same sets adds nothing), then sets files.known (notable wins over known-good).
// The sets are opened (and their headers checked) before anything is written.
Result<MatchSummary> match_files(casedb::CaseWriter& writer, const MatchOptions& options);

std::string summary_json(const MatchSummary& summary, double seconds);
std::string summary_text(const MatchSummary& summary, double seconds);

}  // namespace ferret::match
