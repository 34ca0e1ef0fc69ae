// The bodies of custody entries, built from the rows they vouch for (custody internals): the
// writer builds them to append, the verifier builds them again to compare.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "casedb/database.h"
#include "core/result.h"

namespace ferret::custody {

inline constexpr const char* kSidecarHeader =
    "# Ferret custody log: the chain head after each run (seq, entry hash, run, tool, exit code, end, tab-separated). "
    "ferret-verify compares it with the case database.";

struct AbandonedBy {
  std::int64_t run_id = 0;  // the run that found it unfinished and sealed it
  std::string at;
};

// SHA-256 of prev_hash, "\n" and the body, lowercase hex.
std::string chain_hash(const std::string& prev_hash, const std::string& body);

// {"build_id","command_line","examiner","host","kind":"run-start","run_id","started_at","tool","version"}
Result<std::string> start_body(casedb::Database& db, std::int64_t run_id);

// {"inputs":[...],"kind","run":{every runs column, the summary as its SHA-256},"run_id","seals":[...]}
// plus "sealed_by_run"/"sealed_at" for an abandoned run.
Result<std::string> end_body(casedb::Database& db, std::int64_t run_id, const char* kind, const std::optional<AbandonedBy>& abandoned);

// The run's fields as they appear in bodies ("\"exit_code\":0" ...), to say which one differs.
Result<std::vector<std::string>> run_fragments(casedb::Database& db, std::int64_t run_id);

}  // namespace ferret::custody
