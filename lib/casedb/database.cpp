// A thin RAII layer over one SQLite connection.
#include "casedb/database.h"

#include <sqlite3.h>

#include <cstring>
#include <string>
#include <utility>

#include "casedb/migrations.h"

namespace ferret::casedb {

Error sqlite_error(sqlite3* db, std::string_view doing) {
  const int code = db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  const Errc errc = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED ? Errc::busy
                    : (code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_FULL ? Errc::io
                    : (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB ? Errc::corrupt
                                                                                         : Errc::internal;
  std::string message(doing);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  if (errc == Errc::io) {
    // SQLite says only "disk I/O error": name the system's reason (a full disk, EFBIG) and the way out.
    if (const int e = sqlite3_system_errno(db); e != 0) message += std::string(" (") + std::strerror(e) + ")";
    message += "; check that the case's file system has free space and is writable, then run the command again";
  }
  return make_error(errc, message);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }
Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}
Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, std::string("executing ") + sqlite3_sql(stmt_));
}

Status Statement::run() {
  Result<bool> r = step();
  while (r.ok() && *r) r = step();
  reset();
  if (!r.ok()) return r.error();
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_int(index);
}
std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}
std::optional<std::string> Statement::column_optional_text(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_text(index);
}
bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
char Statement::column_type(int index) const {
  switch (sqlite3_column_type(stmt_, index)) {
    case SQLITE_INTEGER: return 'I';
    case SQLITE_FLOAT: return 'F';
    case SQLITE_TEXT: return 'T';
    case SQLITE_BLOB: return 'B';
    default: return 'N';
  }
}

Result<Database> Database::open(const std::filesystem::path& file, Mode mode) {
  Database db;
  db.path_ = file;
  const int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY
                                            : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(file.c_str(), &db.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db.db_, "opening case database " + file.string());
    return e;
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, 10000);
  if (mode != Mode::read_only) {
    FERRET_TRY(db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  } else {
    FERRET_TRY(db.exec("PRAGMA foreign_keys=ON;"));
  }
  // Touch the schema so that "not a database" surfaces here, with the path in the message.
  FERRET_TRY(db.exec("SELECT count(*) FROM sqlite_master;"));
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }
Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}
Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Status Database::exec(std::string_view sql) {
  std::string copy(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    Error e = sqlite_error(db_, "executing SQL on " + path_.string());
    if (e.code != Errc::io) e.message = "executing SQL on " + path_.string() + ": " + text;  // io keeps its hint
    return e;
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, "preparing " + std::string(sql));
  return Statement(db_, stmt);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Database::user_version() {
  auto stmt = prepare("PRAGMA user_version");
  if (!stmt.ok()) return -1;
  auto row = stmt->step();
  return row.ok() && *row ? static_cast<int>(stmt->column_int(0)) : -1;
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

bool in_open_transaction(const Database& db) { return db.handle() != nullptr && sqlite3_get_autocommit(db.handle()) == 0; }

Status Database::migrate() {
  const int current = user_version();
  const auto& all = migrations();
  const int newest = all.empty() ? 0 : all.back().version;
  if (current > newest) {
    return make_error(Errc::unsupported, path_.string() + " has schema version " + std::to_string(current) +
                                             ", newer than this Ferret knows (" + std::to_string(newest) +
                                             "): use a newer Ferret");
  }
  for (const Migration& m : all) {
    if (m.version <= current) continue;
    FERRET_TRY(exec("BEGIN IMMEDIATE"));
    Status applied = exec(m.sql);
    if (applied.ok()) applied = exec("PRAGMA user_version = " + std::to_string(m.version));
    if (!applied.ok()) {
      (void)exec("ROLLBACK");
      return applied.error().with_context(std::string("applying migration ") + m.name);
    }
    FERRET_TRY(exec("COMMIT"));
  }
  return {};
}

}  // namespace ferret::casedb
