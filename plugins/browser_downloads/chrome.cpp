// Chrome/Chromium History: the downloads table joined to the last entry of each download's URL chain.
#include <algorithm>
#include <set>

#include "downloads.h"

namespace ferret_downloads {
namespace {

// WebKit/Chrome times count microseconds since 1601-01-01 UTC; this many lie before 1970.
constexpr std::int64_t kWebkitToUnixMicros = 11644473600LL * 1000000;
constexpr std::int64_t kMaxUnixSeconds = 253402300799;  // 9999-12-31T23:59:59Z, the last ISO-8601 second

// The downloads columns read, in the order the query returns them.
const char* const kColumns[] = {"id",       "target_path", "start_time", "end_time",  "received_bytes", "total_bytes",
                                "state",    "danger_type", "referrer",   "tab_url",   "mime_type"};
enum Column { kId, kTargetPath, kStartTime, kEndTime, kReceived, kTotal, kState, kDanger, kReferrer, kTabUrl, kMime, kChainUrl };

// history::DownloadDatabase's values (components/history/core/browser/download_database.cc).
std::string state_name(std::int64_t state) {
  switch (state) {
    case 0: return "in_progress";
    case 1: return "complete";
    case 2: return "cancelled";
    case 3:  // kStateBug140687: interrupted downloads as an old Chrome wrote them
    case 4: return "interrupted";
    default: return "unknown(" + std::to_string(state) + ")";
  }
}

class ChromeReader {
 public:
  ChromeReader(Database& db, const DownloadSink& sink) : db_(db), sink_(sink) {}

  bool run() {
    if (!db_.has_table("downloads")) return false;
    const auto have = db_.columns("downloads");
    const auto has = [&](const char* c) { return std::find(have.begin(), have.end(), c) != have.end(); };
    if (!has("id") || !has("start_time")) return false;
    if (!has("target_path")) {
      // Chrome before 2013 (full_path, times in seconds): a layout this plugin does not read.
      db_.warn("downloads table without target_path: a Chrome History from before 2013, not read");
      return true;
    }
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < std::size(kColumns); ++i) {
      sql += i ? ", " : "";
      sql += has(kColumns[i]) ? "d." + quoted(kColumns[i]) : "NULL";
    }
    // The URL chain holds the redirects in order: the last one is where the bytes came from.
    const auto chain = db_.has_table("downloads_url_chains") ? db_.columns("downloads_url_chains") : std::vector<std::string>{};
    const auto chain_has = [&](const char* c) { return std::find(chain.begin(), chain.end(), c) != chain.end(); };
    if (chain_has("id") && chain_has("chain_index") && chain_has("url")) {
      sql += ", (SELECT c.url FROM downloads_url_chains c WHERE c.id = d.id ORDER BY c.chain_index DESC LIMIT 1)";
    } else {
      sql += ", NULL";
    }
    sql += " FROM downloads d ORDER BY d.id";

    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_.handle(), sql.c_str(), -1, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      db_.warn_sqlite("reading the downloads table", rc);
      return true;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!sink_(row(stmt))) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) db_.warn_sqlite("reading the downloads table", rc);
    sqlite3_finalize(stmt);
    return true;
  }

 private:
  // An integer column; a value of another type is damage (noted once per column).
  std::optional<std::int64_t> integer(sqlite3_stmt* stmt, int column) {
    const int type = sqlite3_column_type(stmt, column);
    if (type == SQLITE_INTEGER) return sqlite3_column_int64(stmt, column);
    if (type != SQLITE_NULL && odd_columns_.insert(column).second) {
      db_.warn(std::string("downloads.") + (column < kChainUrl ? kColumns[column] : "url") + " holds a value that is not an integer");
    }
    return std::nullopt;
  }

  std::optional<std::int64_t> time(sqlite3_stmt* stmt, int column) {
    const auto t = integer(stmt, column);
    if (!t || *t == 0) return std::nullopt;  // 0: not set (an unfinished download has no end time)
    if (*t < 0 || (*t - kWebkitToUnixMicros) / 1000000 > kMaxUnixSeconds) {
      if (odd_columns_.insert(column + 100).second) db_.warn(std::string("downloads.") + kColumns[column] + " holds an impossible time");
      return std::nullopt;
    }
    // Whole seconds, rounded down (towards the past) also before 1970.
    const std::int64_t micros = *t - kWebkitToUnixMicros;
    return micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  }

  Download row(sqlite3_stmt* stmt) {
    Download d;
    d.browser = "Chrome";
    d.record_id = integer(stmt, kId);
    d.target_path = column_text(stmt, kTargetPath);
    d.start_time = time(stmt, kStartTime);
    d.end_time = time(stmt, kEndTime);
    d.received_bytes = integer(stmt, kReceived);
    d.total_bytes = integer(stmt, kTotal);
    if (const auto s = integer(stmt, kState)) d.state = state_name(*s);
    d.danger_type = integer(stmt, kDanger);
    d.referrer = column_text(stmt, kReferrer);
    d.mime_type = column_text(stmt, kMime);
    d.url = column_text(stmt, kChainUrl);
    if (d.url.empty()) d.url = column_text(stmt, kTabUrl);
    return d;
  }

  Database& db_;
  const DownloadSink& sink_;
  std::set<int> odd_columns_;
};

}  // namespace

bool read_chrome(Database& db, const DownloadSink& sink) { return ChromeReader(db, sink).run(); }

}  // namespace ferret_downloads
