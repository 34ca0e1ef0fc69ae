// Reports of a case for a prosecutor and for experts: one self-contained HTML file, CSV tables,
// DFXML 1.2 and CASE/UCO JSON-LD. The same case gives the same bytes (see docs/reports.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "report/output.h"

namespace ferret::report {

enum class Format { html, csv, dfxml, case_uco };

// "html", "csv", "dfxml", "case"; nothing for anything else.
std::optional<Format> parse_format(std::string_view name);
const char* format_name(Format format);

// The tool whose runs a report leaves out of what it lists: making a report adds a run to the
// case, and leaving those out is what lets the same case give the same report twice.
inline constexpr const char* kReportTool = "ferret-report";

struct ReportOptions {
  std::filesystem::path database;  // DIR/case.db, read through a read-only connection
  Format format = Format::html;
  std::filesystem::path out;       // a file, or for csv a directory
  bool force = false;              // replace `out` when it exists
  std::string examiner;            // who made the report (shown in it)
  std::size_t html_match_rows = 50000;   // rows of the HTML match table; the rest is counted, not shown
  std::size_t html_artifacts = 10000;    // artifacts listed in HTML
  const std::atomic<bool>* cancel = nullptr;
};

struct ReportSummary {
  Format format = Format::html;
  std::filesystem::path out;        // absolute
  std::vector<WrittenFile> files;   // what was written (csv: one per table), in order
  std::string as_of;                // the end of the last run the report covers ("" when none)
  std::uint64_t evidence = 0, volumes = 0, files_in_case = 0, matches = 0, notable_files = 0, runs = 0;  // in the case (runs: covered)
  std::uint64_t matches_shown = 0;  // html: rows of the match table (<= matches)
  bool artifacts = false;           // the case has the artifacts tables
};

// Writes the report of the case to options.out (atomically: nothing appears at `out` unless the
// whole report was written). Errc::exists when `out` exists and `force` is not set,
// Errc::interrupted when cancelled (nothing is left behind).
Result<ReportSummary> write_report(const ReportOptions& options);

// {"format":"html","out":...,"files":[{"path","sha256","bytes"}],...}: for --json and runs.summary.
std::string summary_json(const ReportSummary& summary, double seconds);
// A few human lines: what was written, its SHA-256.
std::string summary_text(const ReportSummary& summary, double seconds);

}  // namespace ferret::report
