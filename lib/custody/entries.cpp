// Canonical bodies of custody entries from the runs, custody_inputs and custody_seals rows.
#include "custody/entries.h"

#include <map>
#include <vector>

#include "custody/result_sets.h"

namespace ferret::custody {

namespace {

std::string text_or_null(const casedb::Statement& s, int index) {
  return s.column_is_null(index) ? "null" : canonical_string(s.column_text(index));
}
std::string int_or_null(const casedb::Statement& s, int index) {
  return s.column_is_null(index) ? "null" : std::to_string(s.column_int(index));
}

struct RunRow {
  std::map<std::string, std::string> start;  // encoded values
  std::map<std::string, std::string> all;
};

Result<RunRow> load_run(casedb::Database& db, std::int64_t run_id) {
  auto s = db.prepare(
      "SELECT tool, version, build_id, command_line, examiner, host, started_at, finished_at, exit_code, summary FROM runs WHERE run_id = ?1");
  if (!s.ok()) return s.error();
  s->bind(1, run_id);
  auto row = s->step();
  if (!row.ok()) return row.error();
  if (!*row) return make_error(Errc::not_found, "run " + std::to_string(run_id) + " is not in the runs table");
  RunRow r;
  const char* names[] = {"tool", "version", "build_id", "command_line", "examiner", "host", "started_at"};
  for (int i = 0; i < 7; ++i) r.start[names[i]] = text_or_null(*s, i);
  r.all = r.start;
  r.all["finished_at"] = text_or_null(*s, 7);
  r.all["exit_code"] = int_or_null(*s, 8);
  r.all["summary_sha256"] = s->column_is_null(9) ? "null" : canonical_string(sha256_hex(s->column_text(9)));
  return r;
}

}  // namespace

std::string chain_hash(const std::string& prev_hash, const std::string& body) { return sha256_hex(prev_hash + "\n" + body); }

Result<std::string> start_body(casedb::Database& db, std::int64_t run_id) {
  auto run = load_run(db, run_id);
  if (!run.ok()) return run.error();
  auto members = run->start;
  members["kind"] = canonical_string("run-start");
  members["run_id"] = std::to_string(run_id);
  return canonical_object(members);
}

Result<std::string> end_body(casedb::Database& db, std::int64_t run_id, const char* kind, const std::optional<AbandonedBy>& abandoned) {
  auto run = load_run(db, run_id);
  if (!run.ok()) return run.error();
  std::string inputs = "[";
  {
    auto s = db.prepare("SELECT kind, path, sha256 FROM custody_inputs WHERE run_id = ?1 ORDER BY seq");
    if (!s.ok()) return s.error();
    s->bind(1, run_id);
    for (bool first = true;; first = false) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      if (!first) inputs += ",";
      inputs += canonical_object({{"kind", text_or_null(*s, 0)}, {"path", text_or_null(*s, 1)}, {"sha256", text_or_null(*s, 2)}});
    }
  }
  inputs += "]";
  std::string seals = "[";
  {
    auto s = db.prepare("SELECT result_set, columns, rows, digest FROM custody_seals WHERE run_id = ?1 ORDER BY result_set");
    if (!s.ok()) return s.error();
    s->bind(1, run_id);
    for (bool first = true;; first = false) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      if (!first) seals += ",";
      seals += canonical_object({{"columns", text_or_null(*s, 1)},
                                 {"digest", text_or_null(*s, 3)},
                                 {"result_set", text_or_null(*s, 0)},
                                 {"rows", int_or_null(*s, 2)}});
    }
  }
  seals += "]";
  std::map<std::string, std::string> members{{"inputs", inputs},
                                             {"kind", canonical_string(kind)},
                                             {"run", canonical_object(run->all)},
                                             {"run_id", std::to_string(run_id)},
                                             {"seals", seals}};
  if (abandoned) {
    members["sealed_by_run"] = std::to_string(abandoned->run_id);
    members["sealed_at"] = canonical_string(abandoned->at);
  }
  return canonical_object(members);
}

Result<std::vector<std::string>> run_fragments(casedb::Database& db, std::int64_t run_id) {
  auto run = load_run(db, run_id);
  if (!run.ok()) return run.error();
  std::vector<std::string> out;
  for (const auto& [name, value] : run->all) out.push_back(canonical_string(name) + ":" + value);
  return out;
}

}  // namespace ferret::custody
