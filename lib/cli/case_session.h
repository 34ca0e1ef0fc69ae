// The part of every case-writing tool that is the same: open (or create) the case, record the run,
// hand out the one writer, and record the run's end with its exit code and JSON summary.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>

#include "casedb/case_store.h"
#include "casedb/case_writer.h"
#include "core/clock.h"
#include "core/result.h"
#include "custody/custody.h"

namespace ferret::cli {

// --examiner's default: $FERRET_EXAMINER, else $USER, else "".
std::string default_examiner();

struct CaseSession {
  casedb::CaseDirectory dir;
  std::int64_t run_id = 0;
  std::unique_ptr<casedb::CaseWriter> writer;
  std::unique_ptr<custody::Signer> signer;  // signs the run's custody entries (--sign-key)
  std::vector<custody::Input> inputs;       // what the run read, recorded at its end
};

struct SessionRequest {
  std::string tool;  // "ferret-hash"
  std::filesystem::path case_dir;
  bool create = false;  // create the case when it does not exist
  std::string examiner;
  int argc = 0;
  const char* const* argv = nullptr;
  const Clock* clock = nullptr;
  std::filesystem::path sign_key;  // an Ed25519 PEM private key; empty: entries are not signed
  bool seal_unfinished = true;     // seal earlier runs the custody log never closed (see custody::record_run_start)
  // The tools that make cases (ingest, process): record case_info (created_at/created_by the first
  // time, the case number when given) in the same transaction as the run's start, so that a case
  // never exists with runs but without its creation facts (a kill -9 right after the start).
  bool record_case_info = false;
  std::string case_number{};
};

// Errors name what failed ("cannot record the run: ..."); map them with exit_code_for().
Result<CaseSession> open_case_session(const SessionRequest& request);

// Adds the evidence the run read (one evidence, or all) to the run's inputs, with its SHA-256 as
// ingested; `ingested_by_run`: only the evidence this run ingested.
Status add_evidence_inputs(CaseSession& session, std::optional<std::int64_t> evidence_id, bool ingested_by_run = false);

// Records the end of the run. Returns an error message to print, or "" when all went well.
std::string finish_case_session(CaseSession& session, const Clock& clock, int exit_code, const std::string& summary_json);

// A run's JSON summary: {"tool", "version", "case", "database", "run_id", "exit_code", then `members`}.
std::string run_summary_json(const CaseSession& session, std::string_view tool, int exit_code, const std::string& members);

// Ends a tool's run: its JSON summary {"tool", "version", "case", "database", "run_id", "exit_code",
// then `members` (e.g. "\"hash\":{...}", may be empty)} recorded as the run's end, printed on stdout
// under --json, then the "case: ... (run N, exit N)" line on `human` unless quiet. Returns exit_code.
int end_tool_run(CaseSession& session, const Clock& clock, std::string_view tool, int exit_code, const std::string& members,
                 bool json, bool quiet, std::ostream& human);

}  // namespace ferret::cli
