// The browser_downloads plugin: the download history of Chrome/Chromium (History) and Firefox
// (places.sqlite), one `download` artifact per download, read from a private read-only copy.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "downloads.h"
#include "ferret/plugin.h"

namespace ferret_downloads {

bool Database::has_table(const std::string& name) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &stmt, nullptr);
  bool found = false;
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(stmt);
    found = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) warn_sqlite("reading the schema", rc);
  } else {
    warn_sqlite("reading the schema", rc);
  }
  sqlite3_finalize(stmt);
  return found;
}

std::vector<std::string> Database::columns(const std::string& table) {
  std::vector<std::string> out;
  sqlite3_stmt* stmt = nullptr;
  // table_xinfo also lists generated columns, which a hostile database may use to compute values.
  int rc = sqlite3_prepare_v2(db_, ("PRAGMA table_xinfo(" + quoted(table) + ")").c_str(), -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const auto* name = sqlite3_column_text(stmt, 1);
      if (name) out.emplace_back(reinterpret_cast<const char*>(name));
    }
  }
  if (rc != SQLITE_DONE) warn_sqlite("reading the columns of " + table, rc);
  sqlite3_finalize(stmt);
  return out;
}

void Database::warn(std::string message) {
  // A damaged schema fails every query the same way: once in the log is enough.
  if (warnings_.size() < 32 && std::find(warnings_.begin(), warnings_.end(), message) == warnings_.end()) {
    warnings_.push_back(std::move(message));
  }
}

void Database::warn_sqlite(const std::string& doing, int rc) {
  if (rc == SQLITE_INTERRUPT) return;  // the host asked to stop; reported once by the caller
  warn(doing + ": " + sqlite3_errmsg(db_) + " (SQLite code " + std::to_string(rc) + ")");
}

std::string clean_text(const unsigned char* p, std::size_t n) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    const std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) ok = false;
      else cp = cp << 6 | (p[i + k] & 0x3Fu);
    }
    static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok && (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok || (len == 1 && ((c < 0x20 && c != '\t') || c == 0x7F))) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
      continue;
    }
    out.append(reinterpret_cast<const char*>(p + i), len);
    i += len;
  }
  return out;
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return {};
  const auto* p = sqlite3_column_text(stmt, column);
  const int n = sqlite3_column_bytes(stmt, column);
  return p && n > 0 ? clean_text(p, static_cast<std::size_t>(n)) : std::string();
}

std::string quoted(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace ferret_downloads

namespace {

using ferret_downloads::Database;
using ferret_downloads::Download;

const ferret_attr_decl kDownloadAttrs[] = {
    {"browser", FERRET_ATTR_TEXT, 1, "Chrome (any Chromium-based browser's History) or Firefox"},
    {"url", FERRET_ATTR_TEXT, 0, "where the file came from: the last URL of Chrome's redirect chain (else the tab's URL), Firefox's page URL"},
    {"target_path", FERRET_ATTR_TEXT, 0, "where the browser saved it, as a path of the user's system"},
    {"start_time", FERRET_ATTR_TIME, 0, "when the download started"},
    {"end_time", FERRET_ATTR_TIME, 0, "when it ended (finished, failed or was cancelled)"},
    {"total_bytes", FERRET_ATTR_INT, 0, "the file's size: Chrome's expected total (0: unknown), Firefox's final size"},
    {"received_bytes", FERRET_ATTR_INT, 0, "bytes received (Chrome)"},
    {"state", FERRET_ATTR_TEXT, 0, "complete, in_progress, cancelled, interrupted, failed, paused, blocked_parental, blocked_dirty, unknown(N)"},
    {"referrer", FERRET_ATTR_TEXT, 0, "the referring page (Chrome)"},
    {"mime_type", FERRET_ATTR_TEXT, 0, "the MIME type the server gave (Chrome)"},
    {"danger_type", FERRET_ATTR_INT, 0, "Chrome's danger verdict as stored (0: not dangerous, 1: dangerous file, 3: dangerous content ...)"},
    {"file_deleted", FERRET_ATTR_INT, 0, "1 when Firefox recorded that the downloaded file was deleted afterwards"},
    {"record_id", FERRET_ATTR_INT, 0, "the row the download came from: downloads.id (Chrome) or moz_places.id (Firefox)"},
};
const ferret_kind_decl kKinds[] = {
    {"download", "a file download recorded in a browser's history", kDownloadAttrs, sizeof kDownloadAttrs / sizeof kDownloadAttrs[0]},
};
// By name only: every SQLite file would match the magic, and most are not browser histories.
const char* const kFileNames[] = {"History", "places.sqlite"};

constexpr std::uint64_t kMaxDatabase = 4ull << 30;  // larger "histories" are not read (logged)
constexpr std::size_t kCopyChunk = 1 << 20;
constexpr int kMaxValueBytes = 16 << 20;  // no text or blob SQLite hands back is larger

std::string iso_utc(std::int64_t seconds) {
  std::int64_t days = seconds / 86400, rem = seconds % 86400;
  if (rem < 0) rem += 86400, --days;
  // civil_from_days (Howard Hinnant's algorithm).
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

// The database's bytes in a private temporary file (SQLite reads files, the plugin sees only the
// host's reader), removed when this goes.
class TempCopy {
 public:
  ~TempCopy() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

  // Copies the file; `error` says why not. Unreadable stretches become zeros and are listed in `damage`.
  bool make(ferret_file* file, const ferret_host_api* host, std::string& error, std::vector<std::string>& damage) {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/ferret-browser-XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
      error = "cannot create a temporary copy in " + tmpl.substr(0, tmpl.rfind('/')) + ": " + std::strerror(errno);
      return false;
    }
    path_ = tmpl;
    const std::uint64_t size = host->file_size(file);
    std::vector<unsigned char> buf(kCopyChunk);
    bool ok = true;
    for (std::uint64_t at = 0; at < size && ok; at += buf.size()) {
      if (host->should_stop(file) != 0) {
        error = "stopped at the host's request while copying";
        ok = false;
        break;
      }
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - at));
      std::int64_t got = host->read(file, at, buf.data(), want);
      if (got < 0) {
        if (damage.size() < 8) damage.push_back("content unreadable at offset " + std::to_string(at) + "; read as zeros");
        std::memset(buf.data(), 0, want);
        got = static_cast<std::int64_t>(want);
      }
      if (static_cast<std::size_t>(got) < want) std::memset(buf.data() + got, 0, want - static_cast<std::size_t>(got));
      for (std::size_t done = 0; done < want;) {
        const ssize_t w = ::write(fd, buf.data() + done, want - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          error = std::string("cannot write the temporary copy: ") + std::strerror(errno);
          ok = false;
          break;
        }
        done += static_cast<std::size_t>(w);
      }
    }
    if (::close(fd) != 0 && ok) {
      error = std::string("cannot write the temporary copy: ") + std::strerror(errno);
      ok = false;
    }
    return ok;
  }

 private:
  std::string path_;
};

// A file: URI for SQLite (immutable=1: no locks, no journal, no -wal or -shm files are looked for).
std::string sqlite_uri(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = "file:";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + "?immutable=1";
}

struct StopCheck {
  ferret_file* file;
  const ferret_host_api* host;
  bool interrupted = false;
};

int progress(void* context) {
  auto* check = static_cast<StopCheck*>(context);
  if (check->host->should_stop(check->file) != 0) check->interrupted = true;
  return check->interrupted;  // nonzero interrupts the query
}

class Emitter {
 public:
  Emitter(ferret_file* file, const ferret_host_api* host, const char* kind)
      : host_(host), artifact_(host->begin_artifact(file, kind)) {}
  void text(const char* name, const std::string& value) {
    if (artifact_ && !value.empty() && host_->set_text(artifact_, name, value.data(), value.size()) != 0) ok_ = false;
  }
  void integer(const char* name, const std::optional<std::int64_t>& value) {
    if (artifact_ && value && host_->set_int(artifact_, name, *value) != 0) ok_ = false;
  }
  void time(const char* name, const std::optional<std::int64_t>& seconds) {
    if (seconds) text(name, iso_utc(*seconds));
  }
  bool end() { return artifact_ && host_->end_artifact(artifact_) == 0 && ok_; }

 private:
  const ferret_host_api* host_;
  ferret_artifact* artifact_;
  bool ok_ = true;
};

ferret_parse_result parse_file(ferret_file* file, const ferret_host_api* host) {
  unsigned char magic[16];
  if (host->read(file, 0, magic, 16) != 16 || std::memcmp(magic, "SQLite format 3\0", 16) != 0) return FERRET_PARSE_NOT_MINE;
  if (host->file_size(file) > kMaxDatabase) {
    host->log(file, FERRET_LOG_ERROR, "database larger than 4 GiB: not read");
    return FERRET_PARSE_FAILED;
  }

  TempCopy copy;
  std::string error;
  std::vector<std::string> warnings;
  if (!copy.make(file, host, error, warnings)) {
    host->log(file, FERRET_LOG_ERROR, error.c_str());
    return FERRET_PARSE_FAILED;
  }
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(sqlite_uri(copy.path()).c_str(), &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) {
    host->log(file, FERRET_LOG_WARNING, (std::string("SQLite cannot open the database: ") + sqlite3_errstr(rc)).c_str());
    sqlite3_close(handle);
    return FERRET_PARSE_MALFORMED;
  }
  // The file is evidence from anywhere: its schema's functions are not trusted, values are bounded,
  // SQLite checks cell sizes while reading, and the host can interrupt a long query.
  sqlite3_db_config(handle, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(handle, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, kMaxValueBytes);
  sqlite3_exec(handle, "PRAGMA cell_size_check = ON; PRAGMA query_only = ON", nullptr, nullptr, nullptr);
  StopCheck stop_check{file, host};
  sqlite3_progress_handler(handle, 10000, progress, &stop_check);

  Database db(handle);
  std::size_t emitted = 0, refused = 0;
  bool stopped = false;
  const ferret_downloads::DownloadSink sink = [&](const Download& d) {
    if (host->should_stop(file) != 0) {
      stopped = true;
      return false;
    }
    Emitter a(file, host, "download");
    a.text("browser", d.browser);
    a.text("url", d.url);
    a.text("target_path", d.target_path);
    a.time("start_time", d.start_time);
    a.time("end_time", d.end_time);
    a.integer("total_bytes", d.total_bytes);
    a.integer("received_bytes", d.received_bytes);
    a.text("state", d.state);
    a.text("referrer", d.referrer);
    a.text("mime_type", d.mime_type);
    a.integer("danger_type", d.danger_type);
    a.integer("file_deleted", d.file_deleted);
    a.integer("record_id", d.record_id);
    if (a.end()) ++emitted;
    else ++refused;
    return true;
  };
  const bool mine = ferret_downloads::read_chrome(db, sink) || ferret_downloads::read_firefox(db, sink);
  if (stop_check.interrupted) stopped = true;
  sqlite3_close(handle);

  warnings.insert(warnings.end(), db.warnings().begin(), db.warnings().end());
  for (const auto& w : warnings) host->log(file, FERRET_LOG_WARNING, w.c_str());
  if (!mine && warnings.empty()) return FERRET_PARSE_NOT_MINE;  // a SQLite file of another application
  if (refused > 0) {
    host->log(file, FERRET_LOG_ERROR, (std::to_string(refused) + " download artifacts refused by the host").c_str());
    return FERRET_PARSE_FAILED;
  }
  if (stopped) {
    host->log(file, FERRET_LOG_WARNING, ("stopped at the host's request after " + std::to_string(emitted) + " downloads").c_str());
    return FERRET_PARSE_FAILED;
  }
  return warnings.empty() ? FERRET_PARSE_OK : FERRET_PARSE_MALFORMED;
}

// No exception may cross into the host.
ferret_parse_result parse(ferret_file* file, const ferret_host_api* host) {
  try {
    return parse_file(file, host);
  } catch (const std::exception& e) {
    host->log(file, FERRET_LOG_ERROR, (std::string("browser_downloads plugin failed: ") + e.what()).c_str());
  } catch (...) {
    host->log(file, FERRET_LOG_ERROR, "browser_downloads plugin failed with an unknown error");
  }
  return FERRET_PARSE_FAILED;
}

const ferret_plugin kPlugin = {
    sizeof(ferret_plugin),
    FERRET_PLUGIN_ABI_VERSION,
    "browser_downloads",
    "1.0.0",
    "download history of Chrome/Chromium (History) and Firefox (places.sqlite)",
    {nullptr, 0, nullptr, 0, kFileNames, 2, nullptr, 0},
    kKinds,
    1,
    parse,
};

}  // namespace

extern "C" FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host) {
  if (!host || host->abi_version < 1 || host->struct_size < sizeof(ferret_host_api)) return nullptr;
  return &kPlugin;
}
