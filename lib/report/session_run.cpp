#include "report/session_run.h"

#include <chrono>
#include <iostream>

#include "cli/cli.h"
#include "core/text.h"

namespace ferret::report {

SessionReport run_report(cli::CaseSession& session, const ReportOptions& options, const std::string& who, bool quiet,
                         std::ostream& human, const std::string& human_prefix) {
  SessionReport out;
  const auto started = std::chrono::steady_clock::now();
  auto outcome = write_report(options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!outcome.ok()) {
    out.error = display_text(outcome.error().message);
    std::cerr << who << ": " << out.error << "\n";
    out.exit_code = cli::exit_code_for(outcome.error());
    if (out.exit_code == cli::kExitUsage) out.exit_code = cli::kExitFailure;
    return out;
  }
  if (!quiet) human << human_prefix << summary_text(*outcome, seconds);
  out.exit_code = cli::kExitOk;
  out.member = "\"report\":" + summary_json(*outcome, seconds);
  // The report is what this run produced: its SHA-256 goes into the custody log with the run.
  for (const auto& f : outcome->files) session.inputs.push_back({"report", f.path.string(), f.sha256});
  return out;
}

}  // namespace ferret::report
