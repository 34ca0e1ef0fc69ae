// A thin RAII layer over one SQLite connection: open, exec, prepared statements, migrations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ferret::casedb {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds by 1-based index. std::nullopt binds NULL.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances: true when a row is available, false when done.
  Result<bool> step();
  // Runs to completion (for statements that return no rows) and resets for reuse.
  Status run();
  void reset();

  std::int64_t column_int(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;
  std::string column_text(int index) const;  // "" for NULL
  std::optional<std::string> column_optional_text(int index) const;
  bool column_is_null(int index) const;
  // 'N' null, 'I' integer, 'F' real, 'T' text, 'B' blob.
  char column_type(int index) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  enum class Mode { read_only, read_write_create };

  static Result<Database> open(const std::filesystem::path& file, Mode mode);
  Database() = default;
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  std::int64_t changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  int user_version();

  // Applies every migration newer than PRAGMA user_version, each in its own transaction.
  // Refuses a database written by a newer Ferret (unknown version).
  Status migrate();

  sqlite3* handle() const { return db_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

// The message of the connection's last error, prefixed with what we were doing.
Error sqlite_error(sqlite3* db, std::string_view doing);

// Runs `body` (returning Status) so that all of its writes are kept or none: in a transaction of its
// own (BEGIN IMMEDIATE ... COMMIT), or, when the connection is already inside one, in a savepoint
// named `name` (rolled back to on failure), so that such blocks nest.
bool in_open_transaction(const Database& db);
template <class F>
Status all_or_nothing(Database& db, const char* name, F&& body) {
  const bool nested = in_open_transaction(db);
  FERRET_TRY(db.exec(nested ? std::string("SAVEPOINT ") + name : std::string("BEGIN IMMEDIATE")));
  Status s = body();
  if (s.ok()) s = db.exec(nested ? std::string("RELEASE ") + name : std::string("COMMIT"));
  if (!s.ok()) {
    if (nested) {
      (void)db.exec(std::string("ROLLBACK TO ") + name);
      (void)db.exec(std::string("RELEASE ") + name);
    } else {
      (void)db.exec("ROLLBACK");
    }
  }
  return s;
}

}  // namespace ferret::casedb
