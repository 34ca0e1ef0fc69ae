// A case directory (DIR/case.db plus its lock) and the run records every tool writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "casedb/database.h"

namespace ferret::casedb {

// Holds DIR/case.lock exclusively for as long as it lives, so that two tools never write one case
// at the same time (the second is refused with a message naming the first).
class CaseDirectory {
 public:
  enum class Create { no, yes };

  static Result<CaseDirectory> open(const std::filesystem::path& dir, Create create, std::string_view tool);
  CaseDirectory() = default;
  ~CaseDirectory();
  CaseDirectory(CaseDirectory&& other) noexcept;
  CaseDirectory& operator=(CaseDirectory&& other) noexcept;
  CaseDirectory(const CaseDirectory&) = delete;
  CaseDirectory& operator=(const CaseDirectory&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path database_path() const { return dir_ / "case.db"; }

  // A read-write connection with the schema brought up to date.
  Result<Database> connect() const;

 private:
  std::filesystem::path dir_;
  int lock_fd_ = -1;
};

struct RunStart {
  std::string tool;
  std::string version;
  std::string build_id;
  std::string command_line;
  std::string examiner;
  std::string host;
  std::string started_at;  // UTC ISO-8601
};

Result<std::int64_t> insert_run(Database& db, const RunStart& run);
// Records in case_info when and by whom the case was created and its number (when given), if `run_id`
// is the case's first run: case_info is that run's, sealed with it. A later run changes nothing; one
// that names another case number than the recorded one (or one for a case created without) is
// Errc::invalid_argument, since the first run's seal covers case_info.
Status record_case_info(Database& db, std::int64_t run_id, const std::string& created_at, const std::string& examiner,
                        const std::string& case_number);
Status finish_run(Database& db, std::int64_t run_id, const std::string& finished_at, int exit_code,
                  const std::string& summary_json);

// argv joined with POSIX shell quoting, so that the recorded command line can be re-run as is.
std::string quoted_command_line(int argc, const char* const* argv);
std::string host_name();

}  // namespace ferret::casedb
