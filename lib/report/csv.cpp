// The CSV report: one RFC 4180 file per table of the case, every column, in key order.

#include <string>
#include <vector>

#include "report/escape.h"
#include "report/writers.h"

namespace ferret::report {

namespace {

struct Table {
  const char* file;    // "files.csv"
  const char* table;   // "files"
  std::string where;   // "" or a condition
  const char* order;   // ORDER BY list: the key, so that rows come in a stable order ("": every column)
};

struct Column {
  std::string name;
  bool blob = false;
};

Result<std::vector<Column>> columns_of(CaseSnapshot& snap, const std::string& table) {
  std::vector<Column> out;
  // PRAGMA table_info lists the columns in table order, including ones a later migration adds.
  FERRET_TRY(snap.each("SELECT name, upper(type) FROM pragma_table_info(?1) ORDER BY cid",
                       [&](const casedb::Statement& s) -> Status {
                         out.push_back({s.column_text(0), s.column_text(1) == "BLOB"});
                         return {};
                       },
                       [&](casedb::Statement& s) { s.bind(1, table); }));
  if (out.empty()) return make_error(Errc::corrupt, "the case has no table " + table);
  return out;
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Status write_table(WriteContext& ctx, Staging& staging, const Table& t) {
  auto columns = columns_of(ctx.snap, t.table);
  if (!columns.ok()) return columns.error();
  auto file = staging.create(t.file);
  if (!file.ok()) return file.error();
  OutputFile& out = **file;
  // A byte order mark, as in ferret-extract's manifest, so that spreadsheets read UTF-8 names right.
  out << "\xEF\xBB\xBF";
  std::string select, every_column;
  for (std::size_t i = 0; i < columns->size(); ++i) {
    const Column& c = (*columns)[i];
    if (i != 0) {
      out << ",";
      select += ", ";
    }
    // A BLOB (files.name_raw: the bytes of a name that is not UTF-8) is written as hex.
    out << csv_cell(c.blob ? c.name + "_hex" : c.name);
    select += c.blob ? "lower(hex(" + quote_identifier(c.name) + "))" : quote_identifier(c.name);
    every_column += (i != 0 ? ", " : "") + quote_identifier(c.name);
  }
  out << "\r\n";
  const std::string sql = "SELECT " + select + " FROM " + quote_identifier(t.table) +
                          (t.where.empty() ? "" : " WHERE " + t.where) + " ORDER BY " + (*t.order != '\0' ? std::string(t.order) : every_column);
  const int n = static_cast<int>(columns->size());
  std::string line;
  FERRET_TRY(ctx.snap.each(sql, [&](const casedb::Statement& s) -> Status {
    line.clear();
    for (int i = 0; i < n; ++i) {
      if (i != 0) line += ',';
      switch (s.column_type(i)) {
        case 'N': break;  // NULL: an empty cell
        case 'I': line += csv_cell(std::to_string(s.column_int(i))); break;
        default: line += csv_cell(s.column_text(i));
      }
    }
    line += "\r\n";
    out.write(line);
    return {};
  }));
  auto written = out.finish();
  if (!written.ok()) return written.error();
  ctx.summary.files.push_back(std::move(*written));
  return {};
}

}  // namespace

Status write_csv(WriteContext& ctx, Staging& staging) {
  const std::string covered = covered_run("run_id");
  std::vector<Table> tables = {
      {"case_info.csv", "case_info", "", "key"},
      {"evidence.csv", "evidence", "", "evidence_id"},
      {"evidence_segments.csv", "evidence_segments", "", "evidence_id, seq"},
      {"volumes.csv", "volumes", "", "evidence_id, start_offset, volume_id"},
      {"files.csv", "files", "", "file_id"},
      {"file_runs.csv", "file_runs", "", "file_id, seq"},
      {"unallocated.csv", "unallocated", "", "evidence_id, start_offset, length, volume_id"},
      {"matches.csv", "matches", "", "match_id"},
      {"extractions.csv", "extractions", "", "extraction_id"},
      {"carve_scans.csv", "carve_scans", "", "run_id, evidence_id"},
      {"errors.csv", "errors", "", "error_id"},
      {"runs.csv", "runs", covered, "run_id"},
      {"custody.csv", "custody_log", covered, "seq"},
      {"custody_inputs.csv", "custody_inputs", covered, "run_id, seq"},
      {"custody_seals.csv", "custody_seals", covered, "run_id, result_set"},
  };
  if (ctx.snap.has_artifacts) {
    tables.push_back({"artifacts.csv", "artifacts", "", "artifact_id"});
    tables.push_back({"artifact_attributes.csv", "artifact_attributes", "", ""});
  }
  for (const Table& t : tables) FERRET_TRY(write_table(ctx, staging, t));
  return {};
}

}  // namespace ferret::report
