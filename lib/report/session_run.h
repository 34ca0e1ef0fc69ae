// A report written as the run of a case session: what ferret-report does, and what ferret-process
// does at its end (one code path, so that both give the same bytes and the same custody record).
#pragma once

#include <ostream>
#include <string>

#include "cli/case_session.h"
#include "report/report.h"

namespace ferret::report {

struct SessionReport {
  int exit_code = 0;   // cli::kExitOk, or the failure's exit code (never kExitUsage: the options were checked)
  std::string member;  // on success: "\"report\":{...}" (summary_json), for the run's JSON summary
  std::string error;   // on failure: the message (printable), also printed on stderr after `who: `
};

// Writes the report `options` describes, timing it; prints summary_text on `human` unless quiet
// (prefixed by `human_prefix`); adds every written file with its SHA-256 to the session's custody
// inputs. Does not end the run.
SessionReport run_report(cli::CaseSession& session, const ReportOptions& options, const std::string& who, bool quiet,
                         std::ostream& human, const std::string& human_prefix = "");

}  // namespace ferret::report
