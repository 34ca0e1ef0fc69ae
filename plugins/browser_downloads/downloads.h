// What the browser_downloads plugin reads from a browser database: one download, the read-only
// database handle with its warnings, and the readers for Chrome's History and Firefox's places.sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ferret_downloads {

struct Download {
  std::string browser, url, target_path, state, referrer, mime_type;
  std::optional<std::int64_t> start_time, end_time;  // seconds since 1970-01-01 UTC
  std::optional<std::int64_t> total_bytes, received_bytes, danger_type, record_id, file_deleted;
};

// Called for each download read; returns false to stop reading (the host asked to stop).
using DownloadSink = std::function<bool(const Download&)>;

// A database opened read-only, with the checks every query needs.
class Database {
 public:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* handle() const { return db_; }

  // Whether `name` is a table (not a view: a view's query is the database author's code, not data).
  bool has_table(const std::string& name);
  // The table's column names (empty when it cannot be read).
  std::vector<std::string> columns(const std::string& table);

  // Damage found: the parse ends MALFORMED and the message goes to the host's log.
  void warn(std::string message);
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Records a failed SQLite call: what was being done and SQLite's own message.
  void warn_sqlite(const std::string& doing, int rc);

 private:
  sqlite3* db_;
  std::vector<std::string> warnings_;
};

// Text of a column as valid UTF-8 ("" for NULL): invalid bytes and control characters shown as \xNN.
std::string column_text(sqlite3_stmt* stmt, int column);
std::string clean_text(const unsigned char* p, std::size_t n);

// Each reader returns false when the database is not that browser's after all.
bool read_chrome(Database& db, const DownloadSink& sink);
bool read_firefox(Database& db, const DownloadSink& sink);

// Quotes an SQL identifier ("name" with doubled quotes).
std::string quoted(const std::string& identifier);

}  // namespace ferret_downloads
