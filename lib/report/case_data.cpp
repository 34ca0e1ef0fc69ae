// Reading a case for a report: one consistent read-only snapshot.
#include "report/case_data.h"

#include "report/report.h"

namespace ferret::report {

std::string covered_run(std::string_view column) {
  return std::string(column) + " NOT IN (SELECT run_id FROM runs WHERE tool = '" + kReportTool + "')";
}

Status CaseSnapshot::each(std::string_view sql, const std::function<Status(const casedb::Statement&)>& row,
                          const std::function<void(casedb::Statement&)>& bind) {
  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.error();
  if (bind) bind(*stmt);
  for (std::uint64_t n = 0;; ++n) {
    if ((n & 1023) == 0 && cancelled()) return make_error(Errc::interrupted, "interrupted");
    auto more = stmt->step();
    if (!more.ok()) return more.error();
    if (!*more) return {};
    FERRET_TRY(row(*stmt));
  }
}

Result<std::int64_t> CaseSnapshot::count(std::string_view sql) {
  std::int64_t value = 0;
  FERRET_TRY(each(sql, [&](const casedb::Statement& s) -> Status {
    value = s.column_int(0);
    return {};
  }));
  return value;
}

Result<CaseSnapshot> open_snapshot(const std::filesystem::path& database, const std::atomic<bool>* cancel) {
  auto db = casedb::Database::open(database, casedb::Database::Mode::read_only);
  if (!db.ok()) return db.error();
  CaseSnapshot snap;
  snap.db = std::move(*db);
  snap.cancel = cancel;
  // Every query of the report sees the same state of the case, even if it were written meanwhile.
  FERRET_TRY(snap.db.exec("BEGIN"));
  auto tables = snap.count(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('artifacts', 'artifact_attributes')");
  if (!tables.ok()) return tables.error();
  snap.has_artifacts = *tables == 2;
  FERRET_TRY(snap.each("SELECT finished_at FROM runs WHERE finished_at IS NOT NULL AND " + covered_run("run_id") +
                           " ORDER BY run_id DESC LIMIT 1",
                       [&](const casedb::Statement& s) -> Status {
                         snap.as_of = s.column_text(0);
                         return {};
                       }));
  FERRET_TRY(snap.each("SELECT value FROM case_info WHERE key = 'case_number'", [&](const casedb::Statement& s) -> Status {
    snap.case_number = s.column_text(0);
    return {};
  }));
  return snap;
}

Result<std::vector<EvidenceRow>> read_evidence(CaseSnapshot& snap) {
  std::vector<EvidenceRow> out;
  FERRET_TRY(snap.each(
      "SELECT evidence_id, path, format, size, sector_size, coalesce(md5, ''), coalesce(sha1, ''), coalesce(sha256, ''), "
      "case_number, evidence_number, examiner, description, notes, acquired_at, acquisition_software, stored_md5, "
      "stored_sha1, stored_hashes_match, unreadable_bytes, ingest_run_id FROM evidence ORDER BY evidence_id",
      [&](const casedb::Statement& s) -> Status {
        EvidenceRow e;
        e.evidence_id = s.column_int(0);
        e.path = s.column_text(1);
        e.format = s.column_text(2);
        e.size = s.column_int(3);
        e.sector_size = s.column_int(4);
        e.md5 = s.column_text(5);
        e.sha1 = s.column_text(6);
        e.sha256 = s.column_text(7);
        e.case_number = s.column_optional_text(8);
        e.evidence_number = s.column_optional_text(9);
        e.examiner = s.column_optional_text(10);
        e.description = s.column_optional_text(11);
        e.notes = s.column_optional_text(12);
        e.acquired_at = s.column_optional_text(13);
        e.acquisition_software = s.column_optional_text(14);
        e.stored_md5 = s.column_optional_text(15);
        e.stored_sha1 = s.column_optional_text(16);
        e.stored_hashes_match = s.column_optional_int(17);
        e.unreadable_bytes = s.column_int(18);
        e.ingest_run_id = s.column_optional_int(19);
        out.push_back(std::move(e));
        return {};
      }));
  return out;
}

Result<std::vector<VolumeRow>> read_volumes(CaseSnapshot& snap) {
  std::vector<VolumeRow> out;
  FERRET_TRY(snap.each(
      "SELECT volume_id, evidence_id, start_offset, length, description, fs_type, partition_slot, block_size, fs_error "
      "FROM volumes ORDER BY evidence_id, start_offset, volume_id",
      [&](const casedb::Statement& s) -> Status {
        VolumeRow v;
        v.volume_id = s.column_int(0);
        v.evidence_id = s.column_int(1);
        v.start_offset = s.column_int(2);
        v.length = s.column_int(3);
        v.description = s.column_optional_text(4);
        v.fs_type = s.column_optional_text(5);
        v.partition_slot = s.column_optional_text(6);
        v.block_size = s.column_optional_int(7);
        v.fs_error = s.column_optional_text(8);
        out.push_back(std::move(v));
        return {};
      }));
  return out;
}

Result<std::vector<RunRow>> read_runs(CaseSnapshot& snap) {
  std::vector<RunRow> out;
  FERRET_TRY(snap.each(
      "SELECT run_id, tool, version, coalesce(build_id, ''), command_line, coalesce(examiner, ''), coalesce(host, ''), "
      "started_at, finished_at, exit_code FROM runs WHERE " + covered_run("run_id") + " ORDER BY run_id",
      [&](const casedb::Statement& s) -> Status {
        RunRow r;
        r.run_id = s.column_int(0);
        r.tool = s.column_text(1);
        r.version = s.column_text(2);
        r.build_id = s.column_text(3);
        r.command_line = s.column_text(4);
        r.examiner = s.column_text(5);
        r.host = s.column_text(6);
        r.started_at = s.column_text(7);
        r.finished_at = s.column_optional_text(8);
        r.exit_code = s.column_optional_int(9);
        out.push_back(std::move(r));
        return {};
      }));
  return out;
}

FileRow file_row(const casedb::Statement& s, int c) {
  FileRow f;
  f.file_id = s.column_int(c + 0);
  f.evidence_id = s.column_int(c + 1);
  f.volume_id = s.column_optional_int(c + 2);
  f.origin = s.column_text(c + 3);
  f.path = s.column_text(c + 4);
  f.name = s.column_text(c + 5);
  f.meta_addr = s.column_optional_int(c + 6);
  f.type = s.column_text(c + 7);
  f.size = s.column_optional_int(c + 8);
  f.allocated = s.column_int(c + 9) != 0;
  f.meta_allocated = s.column_optional_int(c + 10);
  f.reallocated = s.column_int(c + 11) != 0;
  f.orphan = s.column_int(c + 12) != 0;
  f.is_virtual = s.column_int(c + 13) != 0;
  f.mtime = s.column_optional_text(c + 14);
  f.atime = s.column_optional_text(c + 15);
  f.ctime = s.column_optional_text(c + 16);
  f.crtime = s.column_optional_text(c + 17);
  f.md5 = s.column_optional_text(c + 18);
  f.sha1 = s.column_optional_text(c + 19);
  f.sha256 = s.column_optional_text(c + 20);
  f.mime = s.column_optional_text(c + 21);
  f.content_state = s.column_optional_text(c + 22);
  f.known = s.column_optional_text(c + 23);
  f.carve_status = s.column_optional_text(c + 24);
  f.carve_detail = s.column_optional_text(c + 25);
  f.carve_type = s.column_optional_text(c + 26);
  f.carve_offset = s.column_optional_int(c + 27);
  return f;
}

Result<RunReader> RunReader::prepare(casedb::Database& db) {
  auto stmt = db.prepare("SELECT file_offset, image_offset, length FROM file_runs WHERE file_id = ?1 ORDER BY seq");
  if (!stmt.ok()) return stmt.error();
  RunReader r;
  r.stmt_ = std::move(*stmt);
  return r;
}

Result<std::vector<ByteRun>> RunReader::runs_of(std::int64_t file_id) {
  stmt_.reset();
  stmt_.bind(1, file_id);
  std::vector<ByteRun> out;
  for (;;) {
    auto more = stmt_.step();
    if (!more.ok()) return more.error();
    if (!*more) break;
    out.push_back({stmt_.column_int(0), stmt_.column_optional_int(1), stmt_.column_int(2)});
  }
  return out;
}

}  // namespace ferret::report
