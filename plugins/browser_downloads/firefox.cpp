// Firefox places.sqlite (Firefox 26 and later): downloads are pages annotated with
// downloads/destinationFileURI and downloads/metaData (JSON) in moz_annos.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "downloads.h"

namespace ferret_downloads {
namespace {

constexpr std::int64_t kMaxUnixSeconds = 253402300799;  // 9999-12-31T23:59:59Z
constexpr std::size_t kMaxJsonDepth = 64;

// DownloadHistory's METADATA_STATE_* values (toolkit/components/downloads/DownloadHistory.sys.mjs).
std::string state_name(std::int64_t state) {
  switch (state) {
    case 1: return "complete";
    case 2: return "failed";
    case 3: return "cancelled";
    case 4: return "paused";
    case 6: return "blocked_parental";
    case 8: return "blocked_dirty";  // blocked by the reputation check
    default: return "unknown(" + std::to_string(state) + ")";
  }
}

// The top-level members of the metaData JSON object this plugin uses. Returns false when the text is
// not a JSON object (what was read before the damage is kept).
struct MetaData {
  std::optional<double> state, end_time_ms, file_size;
  std::optional<bool> deleted;
};

class JsonScanner {
 public:
  explicit JsonScanner(const std::string& s) : s_(s) {}

  bool object(MetaData& out) {
    ws();
    if (!eat('{')) return false;
    ws();
    if (eat('}')) return true;
    for (;;) {
      ws();
      std::string key;
      if (!string(&key)) return false;
      ws();
      if (!eat(':')) return false;
      ws();
      if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
        double v;
        if (!number(v)) return false;
        if (key == "state") out.state = v;
        else if (key == "endTime") out.end_time_ms = v;
        else if (key == "fileSize") out.file_size = v;
      } else if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
        const bool v = s_[i_] == 't';
        i_ += v ? 4 : 5;
        if (key == "deleted") out.deleted = v;
      } else if (!skip_value()) {
        return false;
      }
      ws();
      if (eat('}')) return true;
      if (!eat(',')) return false;
    }
  }

 private:
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  // A string; its text (escapes left as written: keys here are plain ASCII) into `out` when given.
  bool string(std::string* out) {
    if (!eat('"')) return false;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\') {
        if (out) *out += s_[i_];
        ++i_;
        if (i_ >= s_.size()) return false;
      }
      if (out) *out += s_[i_];
      ++i_;
    }
    return eat('"');
  }
  bool number(double& v) {
    const auto r = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
    if (r.ec != std::errc()) return false;
    i_ = static_cast<std::size_t>(r.ptr - s_.data());
    return true;
  }
  // Any other value, nested arrays and objects included, without recursion.
  bool skip_value() {
    std::size_t depth = 0;
    do {
      ws();
      const char c = peek();
      if (c == '"') {
        if (!string(nullptr)) return false;
      } else if (c == '{' || c == '[') {
        if (++depth > kMaxJsonDepth) return false;
        ++i_;
      } else if (c == '}' || c == ']') {
        if (depth == 0) return false;
        --depth;
        ++i_;
      } else if (c == ',' || c == ':') {
        if (depth == 0) return false;
        ++i_;
      } else if (c == '\0') {
        return false;
      } else {
        const std::size_t start = i_;  // a number or a literal
        while (i_ < s_.size() && std::string_view(",:]} \t\r\n").find(s_[i_]) == std::string_view::npos) ++i_;
        if (i_ == start) return false;
      }
    } while (depth > 0);
    return true;
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < s.size() && (hi = hex_digit(s[i + 1])) >= 0 && (lo = hex_digit(s[i + 2])) >= 0) {
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A file: URI as the path the user's system knows (what Firefox shows): "file:///home/a/x" is
// "/home/a/x", "file:///C:/Users/x" is "C:\Users\x", "file://server/share/x" is "\\server\share\x".
// Anything else is kept as stored.
std::string path_of_file_uri(const std::string& uri) {
  if (uri.size() < 7 || !std::equal(uri.begin(), uri.begin() + 7, "file://", [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? a + 32 : a) == b;
      })) {
    return uri;
  }
  std::string rest = uri.substr(7);
  const std::size_t q = rest.find_first_of("?#");
  if (q != std::string::npos) rest.resize(q);
  const std::size_t slash = rest.find('/');
  std::string host = rest.substr(0, slash);
  std::string path = percent_decoded(slash == std::string::npos ? std::string() : rest.substr(slash));
  const auto windows = [](std::string p) {
    std::replace(p.begin(), p.end(), '/', '\\');
    return p;
  };
  if (!host.empty() && host != "localhost") return "\\\\" + percent_decoded(host) + windows(path);
  if (path.size() >= 3 && path[0] == '/' && ((path[1] >= 'A' && path[1] <= 'Z') || (path[1] >= 'a' && path[1] <= 'z')) &&
      (path[2] == ':' || path[2] == '|') && (path.size() == 3 || path[3] == '/')) {
    path[2] = ':';
    return windows(path.substr(1));
  }
  return path;
}

const char* const kQuery =
    "WITH attrs AS (SELECT id, name FROM moz_anno_attributes"
    "               WHERE name IN ('downloads/destinationFileURI', 'downloads/metaData')) "
    "SELECT p.id, p.url, "
    " (SELECT a.content FROM moz_annos a JOIN attrs n ON n.id = a.anno_attribute_id"
    "  WHERE a.place_id = p.id AND n.name = 'downloads/destinationFileURI' ORDER BY a.id LIMIT 1), "
    " (SELECT a.dateAdded FROM moz_annos a JOIN attrs n ON n.id = a.anno_attribute_id"
    "  WHERE a.place_id = p.id AND n.name = 'downloads/destinationFileURI' ORDER BY a.id LIMIT 1), "
    " (SELECT a.content FROM moz_annos a JOIN attrs n ON n.id = a.anno_attribute_id"
    "  WHERE a.place_id = p.id AND n.name = 'downloads/metaData' ORDER BY a.id LIMIT 1) "
    "FROM moz_places p "
    "WHERE p.id IN (SELECT a.place_id FROM moz_annos a JOIN attrs n ON n.id = a.anno_attribute_id) "
    "ORDER BY p.id";

class FirefoxReader {
 public:
  FirefoxReader(Database& db, const DownloadSink& sink) : db_(db), sink_(sink) {}

  bool run() {
    if (!db_.has_table("moz_annos") || !db_.has_table("moz_anno_attributes") || !db_.has_table("moz_places")) return false;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_.handle(), kQuery, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      db_.warn_sqlite("reading the download annotations", rc);
      return true;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!sink_(row(stmt))) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) db_.warn_sqlite("reading the download annotations", rc);
    sqlite3_finalize(stmt);
    return true;
  }

 private:
  Download row(sqlite3_stmt* stmt) {
    Download d;
    d.browser = "Firefox";
    if (sqlite3_column_type(stmt, 0) == SQLITE_INTEGER) d.record_id = sqlite3_column_int64(stmt, 0);
    d.url = column_text(stmt, 1);
    const std::string path = path_of_file_uri(raw_text(stmt, 2));
    d.target_path = clean_text(reinterpret_cast<const unsigned char*>(path.data()), path.size());
    // dateAdded of the destination annotation: set when the download started (PRTime, microseconds).
    if (sqlite3_column_type(stmt, 3) == SQLITE_INTEGER) {
      const std::int64_t us = sqlite3_column_int64(stmt, 3);
      if (us > 0 && us / 1000000 <= kMaxUnixSeconds) d.start_time = us / 1000000;
      else if (us != 0) db_.warn("a download annotation's dateAdded is an impossible time");
    }
    const std::string json = raw_text(stmt, 4);
    if (!json.empty()) {
      MetaData m;
      if (!JsonScanner(json).object(m)) {
        db_.warn("downloads/metaData of moz_places.id " + std::to_string(d.record_id.value_or(0)) + " is not a JSON object");
      }
      if (m.state && std::isfinite(*m.state) && *m.state == std::floor(*m.state) && std::fabs(*m.state) < 1e9) {
        d.state = state_name(static_cast<std::int64_t>(*m.state));
      }
      // endTime: milliseconds since 1970 (JavaScript's Date).
      if (m.end_time_ms && std::isfinite(*m.end_time_ms) && *m.end_time_ms > 0 && *m.end_time_ms / 1000 <= kMaxUnixSeconds) {
        d.end_time = static_cast<std::int64_t>(std::floor(*m.end_time_ms / 1000));
      }
      if (m.file_size && std::isfinite(*m.file_size) && *m.file_size >= 0 && *m.file_size < 9.2e18) {
        d.total_bytes = static_cast<std::int64_t>(*m.file_size);
      }
      if (m.deleted) d.file_deleted = *m.deleted ? 1 : 0;
    }
    return d;
  }

  // A text column's bytes as stored ("" for NULL).
  static std::string raw_text(sqlite3_stmt* stmt, int column) {
    if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return {};
    const auto* p = sqlite3_column_text(stmt, column);
    const int n = sqlite3_column_bytes(stmt, column);
    return p && n > 0 ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
  }

  Database& db_;
  const DownloadSink& sink_;
};

}  // namespace

bool read_firefox(Database& db, const DownloadSink& sink) { return FirefoxReader(db, sink).run(); }

}  // namespace ferret_downloads
