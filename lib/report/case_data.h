// Reading a case for a report: one read-only connection in one read transaction (a consistent
// snapshot), and the facts every format shares.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casedb/database.h"
#include "core/result.h"

namespace ferret::report {

// `column` (a run_id) belongs to a run the report covers: any run but a ferret-report one.
std::string covered_run(std::string_view column);

struct CaseSnapshot {
  casedb::Database db;
  bool has_artifacts = false;  // tables artifacts and artifact_attributes exist
  std::string as_of;           // finished_at of the last covered run ("" when none finished)
  std::string case_number;     // case_info.case_number ("" when none)
  const std::atomic<bool>* cancel = nullptr;

  // Runs `sql` (after `bind`), calling `row` for each result row; stops at the first error.
  // Errc::interrupted when cancelled.
  Status each(std::string_view sql, const std::function<Status(const casedb::Statement&)>& row,
              const std::function<void(casedb::Statement&)>& bind = {});
  // First column of the first row as an integer (0 when none).
  Result<std::int64_t> count(std::string_view sql);
  bool cancelled() const { return cancel != nullptr && cancel->load(); }
};

Result<CaseSnapshot> open_snapshot(const std::filesystem::path& database, const std::atomic<bool>* cancel);

// One evidence row, as every format shows it.
struct EvidenceRow {
  std::int64_t evidence_id = 0;
  std::string path, format;
  std::int64_t size = 0, sector_size = 0;
  std::string md5, sha1, sha256;
  std::optional<std::string> case_number, evidence_number, examiner, description, notes, acquired_at,
      acquisition_software, stored_md5, stored_sha1;
  std::optional<std::int64_t> stored_hashes_match;
  std::int64_t unreadable_bytes = 0;
  std::optional<std::int64_t> ingest_run_id;
};
Result<std::vector<EvidenceRow>> read_evidence(CaseSnapshot& snap);

struct VolumeRow {
  std::int64_t volume_id = 0, evidence_id = 0, start_offset = 0, length = 0;
  std::optional<std::string> description, fs_type, partition_slot, fs_error;
  std::optional<std::int64_t> block_size;
};
Result<std::vector<VolumeRow>> read_volumes(CaseSnapshot& snap);  // by evidence, start offset

struct RunRow {
  std::int64_t run_id = 0;
  std::string tool, version, build_id, command_line, examiner, host, started_at;
  std::optional<std::string> finished_at;
  std::optional<std::int64_t> exit_code;
};
Result<std::vector<RunRow>> read_runs(CaseSnapshot& snap);  // covered runs, by run_id

// The columns of `files` every format lists, in this order (SELECT list for file rows).
inline constexpr const char* kFileColumns =
    "f.file_id, f.evidence_id, f.volume_id, f.origin, f.path, f.name, f.meta_addr, f.type, f.size, f.allocated, "
    "f.meta_allocated, f.reallocated, f.orphan, f.virtual, f.mtime, f.atime, f.ctime, f.crtime, f.md5, f.sha1, "
    "f.sha256, f.mime, f.content_state, f.known, f.carve_status, f.carve_detail, f.carve_type, f.carve_offset";

struct FileRow {
  std::int64_t file_id = 0, evidence_id = 0;
  std::optional<std::int64_t> volume_id;
  std::string origin, path, name;
  std::optional<std::int64_t> meta_addr;
  std::string type;
  std::optional<std::int64_t> size;
  bool allocated = false;
  std::optional<std::int64_t> meta_allocated;
  bool reallocated = false, orphan = false, is_virtual = false;
  std::optional<std::string> mtime, atime, ctime, crtime, md5, sha1, sha256, mime, content_state, known, carve_status,
      carve_detail, carve_type;
  std::optional<std::int64_t> carve_offset;
};
// Reads a FileRow from the columns of kFileColumns starting at `first`.
FileRow file_row(const casedb::Statement& s, int first = 0);

struct ByteRun {
  std::int64_t file_offset = 0;
  std::optional<std::int64_t> image_offset;  // none: sparse
  std::int64_t length = 0;
};

// file_runs of one file at a time, through one prepared statement.
class RunReader {
 public:
  static Result<RunReader> prepare(casedb::Database& db);
  Result<std::vector<ByteRun>> runs_of(std::int64_t file_id);

 private:
  casedb::Statement stmt_;
};

}  // namespace ferret::report
