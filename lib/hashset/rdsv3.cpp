// RDSv3 through the SQLite C API: an immutable read-only connection, a look at the schema, and one
// SELECT stepped row by row (constant memory, interruptible).
#include "hashset/rdsv3.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>

namespace ferret::hashset {

namespace {

constexpr std::uint64_t kCancelCheckEvery = 4096;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += "\"\"";
    else out.push_back(c);
  }
  return out + "\"";
}

// SQLite URI paths: everything but unreserved characters and '/' percent-encoded ('?', '#' and
// '%' in a file name must not be read as URI syntax).
std::string uri_for(const std::filesystem::path& path) {
  std::string out = "file:";
  for (unsigned char c : path.string()) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '_' ||
                       c == '-' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out + "?immutable=1";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class Database {
 public:
  ~Database() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    auto out = std::make_unique<Database>();
    // immutable=1: SQLite takes no lock and never writes a journal or WAL beside the file, so
    // reading evidence-grade input leaves it and its directory untouched.
    const int rc = sqlite3_open_v2(uri_for(ec ? path : absolute).c_str(), &out->db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK) {
      return make_error(Errc::io, "SQLite cannot open it: " + std::string(out->db_ != nullptr ? sqlite3_errmsg(out->db_) : sqlite3_errstr(rc)));
    }
    // The database is not ours: its schema gets no trust (no functions with side effects from
    // views) and no value may be huge.
    sqlite3_db_config(out->db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    sqlite3_db_config(out->db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
#endif
    sqlite3_limit(out->db_, SQLITE_LIMIT_LENGTH, 16 << 20);
    FERRET_TRY(out->exec("PRAGMA query_only = 1"));
    return out;
  }

  Status exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      Error e = error(message != nullptr ? message : sqlite3_errmsg(db_));
      sqlite3_free(message);
      return e;
    }
    return {};
  }

  Error error(const std::string& what) const {
    const int code = sqlite3_errcode(db_) & 0xff;
    const Errc errc = code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? Errc::corrupt : code == SQLITE_IOERR ? Errc::io : Errc::corrupt;
    return make_error(errc, "SQLite cannot read it: " + what);
  }

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  static Result<std::unique_ptr<Statement>> prepare(Database& db, const std::string& sql) {
    auto out = std::make_unique<Statement>();
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &out->stmt_, nullptr) != SQLITE_OK) return db.error(sqlite3_errmsg(db.handle()));
    return out;
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

struct Relation {
  std::string type, name;
};

Result<std::vector<Relation>> relations(Database& db) {
  auto stmt = Statement::prepare(db, "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name");
  if (!stmt.ok()) return stmt.error();
  std::vector<Relation> out;
  for (;;) {
    const int rc = sqlite3_step((*stmt)->get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return db.error(sqlite3_errmsg(db.handle()));
    const auto text = [&](int i) {
      const auto* p = sqlite3_column_text((*stmt)->get(), i);
      return p != nullptr ? std::string(reinterpret_cast<const char*>(p)) : std::string();
    };
    out.push_back({text(0), text(1)});
  }
  return out;
}

Result<std::vector<std::string>> columns(Database& db, const std::string& relation) {
  auto stmt = Statement::prepare(db, "PRAGMA table_info(" + quote_identifier(relation) + ")");
  if (!stmt.ok()) return stmt.error();
  std::vector<std::string> out;
  for (;;) {
    const int rc = sqlite3_step((*stmt)->get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return db.error(sqlite3_errmsg(db.handle()));
    const auto* p = sqlite3_column_text((*stmt)->get(), 1);
    if (p != nullptr) out.emplace_back(reinterpret_cast<const char*>(p));
  }
  return out;
}

Result<Rdsv3Layout> layout_of(Database& db) {
  auto all = relations(db);
  if (!all.ok()) return all.error();
  for (const char* wanted : {"DISTINCT_HASH", "FILE"}) {
    const auto found = std::find_if(all->begin(), all->end(), [&](const Relation& r) { return same_name(r.name, wanted); });
    if (found == all->end()) continue;
    auto cols = columns(db, found->name);
    if (!cols.ok()) return cols.error();
    Rdsv3Layout layout;
    layout.relation = found->name;
    const bool file_table = same_name(wanted, "FILE");
    for (const auto& c : *cols) {
      if (algorithm_from_name(c) && (same_name(c, "sha256") || same_name(c, "sha1") || same_name(c, "md5"))) layout.digests.push_back(c);
      else if (file_table && same_name(c, "file_name")) layout.file_name = c;
      else if (file_table && same_name(c, "file_size")) layout.file_size = c;
      else layout.ignored.push_back(c);
    }
    if (!layout.digests.empty()) return layout;
  }
  std::string have;
  std::size_t listed = 0;
  for (const auto& r : *all) {
    if (++listed > 20) {
      have += ", ...";
      break;
    }
    have += (have.empty() ? "" : ", ") + r.type + " " + r.name;
  }
  return make_error(Errc::unsupported, "an SQLite database that is not an NSRL RDSv3 hash set: it has no DISTINCT_HASH view or FILE table "
                                       "with a sha256, sha1 or md5 column (it has " +
                                           (have.empty() ? std::string("no table or view") : have) + ")");
}

class Rdsv3Parser final : public Parser {
 public:
  Rdsv3Parser(std::unique_ptr<Database> db, Rdsv3Layout layout) : db_(std::move(db)), layout_(std::move(layout)) {}

  Status run(EntrySink& sink, const std::atomic<bool>* cancel) override {
    cancel_ = cancel;
    // Also stops a long first step (the DISTINCT of a view over hundreds of millions of rows).
    sqlite3_progress_handler(
        db_->handle(), 100000, [](void* flag) { return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0; },
        const_cast<std::atomic<bool>*>(cancel_ != nullptr ? cancel_ : &never_));
    std::string sql = "SELECT ";
    std::vector<Algorithm> algorithms;
    for (const auto& c : layout_.digests) {
      sql += (algorithms.empty() ? "" : ", ") + quote_identifier(c);
      algorithms.push_back(*algorithm_from_name(c));
    }
    const int name_col = layout_.file_name.empty() ? -1 : static_cast<int>(algorithms.size());
    if (name_col >= 0) sql += ", " + quote_identifier(layout_.file_name);
    const int size_col = layout_.file_size.empty() ? -1 : static_cast<int>(algorithms.size()) + (name_col >= 0 ? 1 : 0);
    if (size_col >= 0) sql += ", " + quote_identifier(layout_.file_size);
    sql += " FROM " + quote_identifier(layout_.relation);
    auto stmt = Statement::prepare(*db_, sql);
    if (!stmt.ok()) return stmt.error();
    sqlite3_stmt* s = (*stmt)->get();
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        if ((rc & 0xff) == SQLITE_INTERRUPT && cancel_ != nullptr && cancel_->load()) return make_error(Errc::interrupted, "interrupted");
        return db_->error(std::string(sqlite3_errmsg(db_->handle())) + " (after row " + std::to_string(rows_) + ")");
      }
      ++rows_;
      if (rows_ % kCancelCheckEvery == 0 && cancel_ != nullptr && cancel_->load()) return make_error(Errc::interrupted, "interrupted");
      Entry entry;
      std::string reason;
      if (!row(s, algorithms, name_col, size_col, entry, reason)) {
        sink.reject(rows_, reason);
        continue;
      }
      entry.line = rows_;
      FERRET_TRY(sink.entry(entry));
    }
    return {};
  }

  ParseSummary summary() const override {
    ParseSummary out;
    out.lines = rows_;
    out.ignored_columns = layout_.ignored;
    return out;
  }

 private:
  bool row(sqlite3_stmt* s, const std::vector<Algorithm>& algorithms, int name_col, int size_col, Entry& entry, std::string& reason) {
    for (std::size_t i = 0; i < algorithms.size(); ++i) {
      const int col = static_cast<int>(i);
      const int type = sqlite3_column_type(s, col);
      if (type == SQLITE_NULL) continue;
      if (type != SQLITE_TEXT) {
        reason = layout_.digests[i] + " is not text";
        return false;
      }
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
      const std::string_view hex = trim(std::string_view(p != nullptr ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s, col))));
      if (hex.empty()) continue;
      auto digest = parse_hex_digest(algorithms[i], hex);
      if (!digest.ok()) {
        reason = digest.error().message;
        return false;
      }
      entry.add(*digest);
    }
    if (entry.digest_count == 0) {
      reason = "no sha256, sha1 or md5 value";
      return false;
    }
    if (name_col >= 0 && sqlite3_column_type(s, name_col) != SQLITE_NULL) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, name_col));
      if (p != nullptr) entry.meta.file_name = std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, name_col)));
    }
    if (size_col >= 0) {
      const int type = sqlite3_column_type(s, size_col);
      if (type == SQLITE_INTEGER) {
        const sqlite3_int64 v = sqlite3_column_int64(s, size_col);
        if (v < 0) {
          reason = layout_.file_size + " is negative (" + std::to_string(v) + ")";
          return false;
        }
        entry.meta.size = static_cast<std::uint64_t>(v);
      } else if (type == SQLITE_TEXT) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, size_col));
        const std::string_view text = trim(std::string_view(p != nullptr ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s, size_col))));
        std::uint64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (!text.empty() && (ec != std::errc() || end != text.data() + text.size())) {
          reason = layout_.file_size + " '" + std::string(text.substr(0, 40)) + "' is not a number";
          return false;
        }
        if (!text.empty()) entry.meta.size = v;
      } else if (type != SQLITE_NULL) {
        reason = layout_.file_size + " is not a number";
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<Database> db_;
  Rdsv3Layout layout_;
  const std::atomic<bool>* cancel_ = nullptr;
  std::atomic<bool> never_{false};
  std::uint64_t rows_ = 0;
};

}  // namespace

Result<Rdsv3Layout> inspect_rdsv3(const std::filesystem::path& path) {
  auto db = Database::open(path);
  if (!db.ok()) return db.error();
  return layout_of(**db);
}

Result<std::unique_ptr<Parser>> open_rdsv3_parser(const std::filesystem::path& path) {
  auto db = Database::open(path);
  if (!db.ok()) return db.error();
  auto layout = layout_of(**db);
  if (!layout.ok()) return layout.error();
  return std::unique_ptr<Parser>(std::make_unique<Rdsv3Parser>(std::move(*db), std::move(*layout)));
}

}  // namespace ferret::hashset
