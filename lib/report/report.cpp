// Writing a report of a case: the snapshot, the staging of the output, the format writer.
#include "report/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/text.h"
#include "report/writers.h"

namespace ferret::report {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "html") return Format::html;
  if (name == "csv") return Format::csv;
  if (name == "dfxml") return Format::dfxml;
  if (name == "case") return Format::case_uco;
  return std::nullopt;
}

const char* format_name(Format format) {
  switch (format) {
    case Format::html: return "html";
    case Format::csv: return "csv";
    case Format::dfxml: return "dfxml";
    case Format::case_uco: return "case";
  }
  return "?";
}

std::string bytes_text(std::int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  return human_bytes(static_cast<double>(bytes)) + " (" + std::to_string(bytes) + " bytes)";
}

namespace {

// A report never replaces the case it describes: not its directory (nor one holding it), not its
// database, journal, lock or custody log.
Status refuse_case_paths(const ReportOptions& options) {
  std::error_code ec;
  const auto target = std::filesystem::weakly_canonical(std::filesystem::absolute(options.out, ec), ec);
  const auto case_dir = std::filesystem::weakly_canonical(std::filesystem::absolute(options.database, ec).parent_path(), ec);
  if (ec) return {};  // nothing to compare: the case itself will fail to open
  const auto [diverge, rest] = std::mismatch(target.begin(), target.end(), case_dir.begin(), case_dir.end());
  (void)rest;
  if (diverge == target.end()) {
    return make_error(Errc::invalid_argument, "--out " + options.out.string() + " is the case directory or holds it: refused");
  }
  if (target.parent_path() == case_dir) {
    for (const char* name : {"case.db", "case.db-wal", "case.db-shm", "case.db-journal", "case.lock", "custody.log"}) {
      if (target.filename() == name) return make_error(Errc::invalid_argument, "--out " + options.out.string() + " is part of the case: refused");
    }
  }
  return {};
}

}  // namespace

Result<ReportSummary> write_report(const ReportOptions& options) {
  FERRET_TRY(refuse_case_paths(options));
  auto staging = Staging::begin(options.out, options.format == Format::csv ? Staging::Kind::directory : Staging::Kind::file,
                                options.force);
  if (!staging.ok()) return staging.error();
  auto snap = open_snapshot(options.database, options.cancel);
  if (!snap.ok()) return snap.error();
  ReportSummary summary;
  summary.format = options.format;
  summary.out = staging->path();
  summary.as_of = snap->as_of;
  summary.artifacts = snap->has_artifacts;
  // What the case holds, for the summary (and the HTML's script).
  const std::pair<std::uint64_t*, std::string> counts[] = {
      {&summary.evidence, "SELECT count(*) FROM evidence"},
      {&summary.volumes, "SELECT count(*) FROM volumes"},
      {&summary.files_in_case, "SELECT count(*) FROM files"},
      {&summary.matches, "SELECT count(*) FROM matches"},
      {&summary.notable_files, "SELECT count(DISTINCT file_id) FROM matches WHERE category = 'notable'"},
      {&summary.runs, "SELECT count(*) FROM runs WHERE " + covered_run("run_id")},
  };
  for (const auto& [field, sql] : counts) {
    auto n = snap->count(sql);
    if (!n.ok()) return n.error();
    *field = static_cast<std::uint64_t>(*n);
  }
  WriteContext ctx{*snap, options, summary};
  if (options.format == Format::csv) {
    FERRET_TRY(write_csv(ctx, *staging));
  } else {
    auto file = staging->create("");
    if (!file.ok()) return file.error();
    switch (options.format) {
      case Format::html: FERRET_TRY(write_html(ctx, **file)); break;
      case Format::dfxml: FERRET_TRY(write_dfxml(ctx, **file)); break;
      case Format::case_uco: FERRET_TRY(write_case_uco(ctx, **file)); break;
      case Format::csv: break;
    }
    auto written = (*file)->finish();
    if (!written.ok()) return written.error();
    summary.files.push_back(std::move(*written));
  }
  if (snap->cancelled()) return make_error(Errc::interrupted, "interrupted: no report was written");
  FERRET_TRY(staging->commit());
  return summary;
}

std::string summary_json(const ReportSummary& s, double seconds) {
  std::ostringstream out;
  out << "{\"format\":\"" << format_name(s.format) << "\",\"out\":\"" << json_escape(s.out.string()) << "\",\"as_of\":";
  if (s.as_of.empty()) out << "null"; else out << "\"" << json_escape(s.as_of) << "\"";
  out << ",\"files\":[";
  for (std::size_t i = 0; i < s.files.size(); ++i) {
    out << (i ? "," : "") << "{\"path\":\"" << json_escape(s.files[i].path.string()) << "\",\"sha256\":\"" << s.files[i].sha256
        << "\",\"bytes\":" << s.files[i].bytes << "}";
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  out << "],\"evidence\":" << s.evidence << ",\"volumes\":" << s.volumes << ",\"files_in_case\":" << s.files_in_case
      << ",\"matches\":" << s.matches << ",\"notable_files\":" << s.notable_files << ",\"runs\":" << s.runs
      << ",\"matches_shown\":" << s.matches_shown << ",\"artifacts_tables\":" << (s.artifacts ? "true" : "false")
      << ",\"seconds\":" << secs << "}";
  return out.str();
}

std::string summary_text(const ReportSummary& s, double seconds) {
  std::ostringstream out;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
  out << format_name(s.format) << " report of the case" << (s.as_of.empty() ? "" : " as of " + s.as_of) << " written in "
      << secs << " s: " << display_text(s.out.string()) << "\n";
  if (s.format == Format::html && s.matches_shown < s.matches) {
    out << "  the match table shows " << s.matches_shown << " of " << s.matches << " matches (the CSV report has them all)\n";
  }
  for (const WrittenFile& f : s.files) {
    out << "  sha256 " << f.sha256 << "  " << display_text(f.path.filename().string()) << " (" << f.bytes << " bytes)\n";
  }
  return out.str();
}

}  // namespace ferret::report
