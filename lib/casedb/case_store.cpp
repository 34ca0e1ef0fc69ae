// A case directory and the run records every tool writes.
#include "casedb/case_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ferret::casedb {

namespace {
std::string read_small_file(int fd) {
  char buf[256];
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}
}  // namespace

Result<CaseDirectory> CaseDirectory::open(const std::filesystem::path& dir, Create create, std::string_view tool) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (create == Create::no) return make_error(Errc::not_found, "case directory " + dir.string() + " does not exist");
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(Errc::io, "cannot create case directory " + dir.string() + ": " + ec.message());
  } else if (!std::filesystem::is_directory(dir, ec)) {
    return make_error(Errc::invalid_argument, dir.string() + " exists and is not a directory");
  }
  if (create == Create::no && !std::filesystem::exists(dir / "case.db", ec)) {
    return make_error(Errc::not_found, "no case database in " + dir.string() + " (expected " +
                                           (dir / "case.db").string() + "; run ferret-ingest first)");
  }
  CaseDirectory out;
  out.dir_ = std::filesystem::absolute(dir, ec).lexically_normal();
  const auto lock_path = dir / "case.lock";
  out.lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (out.lock_fd_ < 0) return make_error(Errc::io, "cannot open " + lock_path.string() + ": " + std::strerror(errno));
  if (flock(out.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    std::string holder = read_small_file(out.lock_fd_);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    return make_error(Errc::busy, "case " + dir.string() + " is in use by another Ferret process" +
                                      (holder.empty() ? std::string() : " (" + holder + ")") +
                                      "; wait for it to finish, then run this command again");
  }
  const std::string holder = std::string(tool) + ", pid " + std::to_string(getpid()) + "\n";
  if (ftruncate(out.lock_fd_, 0) == 0) {
    (void)!pwrite(out.lock_fd_, holder.data(), holder.size(), 0);
  }
  return out;
}

CaseDirectory::~CaseDirectory() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}
CaseDirectory::CaseDirectory(CaseDirectory&& other) noexcept
    : dir_(std::move(other.dir_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}
CaseDirectory& CaseDirectory::operator=(CaseDirectory&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    dir_ = std::move(other.dir_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

Result<Database> CaseDirectory::connect() const {
  auto db = Database::open(database_path(), Database::Mode::read_write_create);
  if (!db.ok()) return db.error();
  FERRET_TRY(db->migrate());
  return std::move(db).value();
}

Result<std::int64_t> insert_run(Database& db, const RunStart& run) {
  auto stmt = db.prepare(
      "INSERT INTO runs(tool, version, build_id, command_line, examiner, host, started_at) VALUES (?,?,?,?,?,?,?)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, run.tool).bind(2, run.version).bind(3, run.build_id).bind(4, run.command_line);
  if (run.examiner.empty()) stmt->bind_null(5); else stmt->bind(5, run.examiner);
  stmt->bind(6, run.host).bind(7, run.started_at);
  FERRET_TRY(stmt->run());
  return db.last_insert_rowid();
}

Status record_case_info(Database& db, std::int64_t run_id, const std::string& created_at, const std::string& examiner,
                        const std::string& case_number) {
  // case_info belongs to the case's first run (its custody seal covers it): only that run writes it.
  auto first = db.prepare("SELECT min(run_id) FROM runs");
  if (!first.ok()) return first.error();
  auto row = first->step();
  if (!row.ok()) return row.error();
  const bool creating = *row && first->column_int(0) == run_id;
  if (!creating) {
    if (case_number.empty()) return {};
    auto current = db.prepare("SELECT value FROM case_info WHERE key = 'case_number'");
    if (!current.ok()) return current.error();
    auto found = current->step();
    if (!found.ok()) return found.error();
    const std::string recorded = *found ? current->column_text(0) : std::string();
    if (recorded == case_number) return {};
    return make_error(Errc::invalid_argument,
                      recorded.empty() ? "this case was created without a case number, and a case's number is recorded only "
                                         "when the case is created (run without --case-number, or make a new case)"
                                       : "this case's number is " + recorded + ", recorded when the case was created; it is not "
                                         "changed by a later run (run without --case-number, or with that number)");
  }
  auto put = db.prepare("INSERT OR IGNORE INTO case_info(key, value) VALUES (?, ?)");
  if (!put.ok()) return put.error();
  put->bind(1, "created_at").bind(2, created_at);
  FERRET_TRY(put->run());
  if (!examiner.empty()) {
    put->reset();
    put->bind(1, "created_by").bind(2, examiner);
    FERRET_TRY(put->run());
  }
  if (!case_number.empty()) {
    put->reset();
    put->bind(1, "case_number").bind(2, case_number);
    FERRET_TRY(put->run());
  }
  return {};
}

Status finish_run(Database& db, std::int64_t run_id, const std::string& finished_at, int exit_code,
                  const std::string& summary_json) {
  auto stmt = db.prepare("UPDATE runs SET finished_at = ?, exit_code = ?, summary = ? WHERE run_id = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, finished_at).bind(2, std::int64_t{exit_code}).bind(3, summary_json).bind(4, run_id);
  return stmt->run();
}

std::string quoted_command_line(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) out += ' ';
    std::string_view arg = argv[i];
    const bool plain = !arg.empty() && arg.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == std::string_view::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'') out += "'\\''"; else out += c;
    }
    out += '\'';
  }
  return out;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace ferret::casedb
