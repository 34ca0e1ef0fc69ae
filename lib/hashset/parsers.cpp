// md5sum/sha1sum/sha256sum, hashdeep, CSV and NSRL RDS 2.x hash lists: detection (JSON too) and
// parsing, line by line.
#include "hashset/parsers.h"

#include <algorithm>
#include <charconv>

#include "hashset/vics_parser.h"

namespace ferret::hashset {

const char* format_name(Format format) {
  switch (format) {
    case Format::md5sum: return "md5sum";
    case Format::sha1sum: return "sha1sum";
    case Format::sha256sum: return "sha256sum";
    case Format::hashdeep: return "hashdeep";
    case Format::csv: return "csv";
    case Format::nsrl_rds2: return "nsrl-rds2";
    case Format::nsrl_rdsv3: return "nsrl-rdsv3";
    case Format::vics_json: return "vics-json";
  }
  return "unknown";
}

std::optional<Format> format_from_name(std::string_view name) {
  for (Format f : kAllFormats) {
    if (name == format_name(f)) return f;
  }
  return std::nullopt;
}

const char* record_noun(Format format) {
  return format == Format::nsrl_rdsv3 ? "rows" : format == Format::vics_json ? "Media objects" : "lines";
}

namespace {

constexpr std::uint64_t kCancelCheckEvery = 4096;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Column names are compared folded: lower case, without spaces, '-' and '_' ("Rights holder" = rights_holder).
std::string fold(std::string_view name) {
  std::string out;
  for (char c : trim(name)) {
    if (c == ' ' || c == '-' || c == '_') continue;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

Algorithm algorithm_of(Format format) {
  return format == Format::sha1sum ? Algorithm::sha1 : format == Format::sha256sum ? Algorithm::sha256 : Algorithm::md5;
}

Format sum_format_of(Algorithm algorithm) {
  return algorithm == Algorithm::sha1 ? Format::sha1sum : algorithm == Algorithm::sha256 ? Format::sha256sum : Format::md5sum;
}

// GNU coreutils escapes a name holding '\\', '\n' or '\r' and marks the line with a leading '\\'.
bool unescape_name(std::string_view name, std::string& out, std::string& reason) {
  out.clear();
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '\\') {
      out.push_back(name[i]);
      continue;
    }
    if (i + 1 == name.size()) {
      reason = "the escaped file name ends with a lone backslash";
      return false;
    }
    const char c = name[++i];
    if (c == '\\') out.push_back('\\');
    else if (c == 'n') out.push_back('\n');
    else if (c == 'r') out.push_back('\r');
    else {
      reason = std::string("unknown escape \\") + c + " in the file name";
      return false;
    }
  }
  return true;
}

// A BSD tag line's algorithm name: letters and digits before " (".
std::optional<std::string_view> bsd_tag(std::string_view s) {
  const std::size_t paren = s.find(" (");
  if (paren == std::string_view::npos || paren == 0 || paren > 16) return std::nullopt;
  for (char c : s.substr(0, paren)) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
  }
  return s.substr(0, paren);
}

struct SumLine {
  DigestValue digest;
  std::string_view name;  // points into the line, or into the scratch string when escaped
};

// One checksum line. `expected` is the list's algorithm; nullopt accepts any (detection).
// Returns the reason when the line is not a valid checksum line.
std::optional<std::string> parse_sum_line(std::string_view line, std::optional<Algorithm> expected, SumLine& out,
                                          std::string& scratch) {
  std::string_view s = line;
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  bool escaped = false;
  if (!s.empty() && s.front() == '\\') {
    escaped = true;
    s.remove_prefix(1);
  }
  std::string_view hex, name;
  std::optional<Algorithm> algorithm = expected;
  if (auto tag = bsd_tag(s)) {
    const std::size_t eq = s.rfind(") = ");
    if (eq == std::string_view::npos || eq < tag->size() + 2) return "a BSD-style checksum line without ') = '";
    name = s.substr(tag->size() + 2, eq - tag->size() - 2);
    hex = trim(s.substr(eq + 4));
    const auto tagged = algorithm_from_name(*tag);
    if (!tagged) return "algorithm " + std::string(*tag) + " is not one a hash set keeps (md5, sha1, sha256)";
    if (expected && *tagged != *expected) {
      return "a " + std::string(*tag) + " line in a " + format_name(sum_format_of(*expected)) + " list";
    }
    algorithm = tagged;
  } else {
    std::size_t end = 0;
    while (end < s.size() && !is_blank(s[end])) ++end;
    hex = s.substr(0, end);
    if (end < s.size() && !trim(s.substr(end)).empty()) {  // else a bare hash, perhaps with trailing blanks
      std::size_t start = end + 1;  // "HEX  name" (text), "HEX *name" (binary), "HEX name" (BSD -r)
      if (start < s.size() && (s[start] == ' ' || s[start] == '*')) ++start;
      name = s.substr(std::min(start, s.size()));
    }
    if (!algorithm) {
      algorithm = algorithm_for_hex_length(hex.size());
      if (!algorithm) return "not a checksum line: '" + std::string(hex.substr(0, 80)) + "' is not an md5, sha1 or sha256";
    }
  }
  auto digest = parse_hex_digest(*algorithm, hex);
  if (!digest.ok()) return "not a checksum line: " + digest.error().message;
  out.digest = *digest;
  out.name = name;
  if (escaped) {
    std::string reason;
    if (!unescape_name(name, scratch, reason)) return reason;
    out.name = scratch;
  }
  return std::nullopt;
}

bool is_hashdeep_header(std::string_view line) { return starts_with(line, "%%%% HASHDEEP-"); }

bool looks_like_json(std::string_view line) {
  line = trim(line);
  return !line.empty() && (line.front() == '{' || line.front() == '[');
}

bool is_nsrl_rds2_header(const std::vector<std::string>& fields) {
  bool crc = false, product = false;
  for (const auto& f : fields) {
    const auto folded = fold(f);
    crc = crc || folded == "crc32";
    product = product || folded == "productcode";
  }
  return crc && product;
}

// iLook exports name their first column "V1Hash" ... "V4Hash" (the MD5).
bool is_ilook_header(const std::vector<std::string>& fields) {
  if (fields.empty()) return false;
  const std::string first = fold(fields.front());
  return first.size() == 6 && first[0] == 'v' && first[1] >= '1' && first[1] <= '4' && first.substr(2) == "hash";
}

bool names_hash_column(const std::vector<std::string>& fields) {
  return std::any_of(fields.begin(), fields.end(), [](const std::string& f) { return algorithm_from_name(fold(f)).has_value(); });
}

// What the line-based parsers share: the line reader, what they count, and the loop's cancel check.
class LineParser : public Parser {
 public:
  explicit LineParser(ByteSource& source) : lines_(source) {}

  ParseSummary summary() const override {
    ParseSummary out = summary_;
    out.lines = lines_.lines();
    return out;
  }

 protected:
  // The next line, nothing at the end; Errc::interrupted once `cancel` is set (checked every
  // kCancelCheckEvery lines).
  Result<std::optional<Line>> next_line(const std::atomic<bool>* cancel) {
    auto next = lines_.next();
    if (next.ok() && *next && (*next)->number % kCancelCheckEvery == 0 && cancel != nullptr && cancel->load()) {
      return make_error(Errc::interrupted, "interrupted");
    }
    return next;
  }

  LineReader lines_;
  ParseSummary summary_;
};

// ---------------------------------------------------------------------------------------------
class SumParser final : public LineParser {
 public:
  SumParser(Algorithm algorithm, ByteSource& source) : LineParser(source), algorithm_(algorithm) {}

  Status run(EntrySink& sink, const std::atomic<bool>* cancel) override {
    SumLine parsed;
    std::string scratch;
    for (;;) {
      auto next = next_line(cancel);
      if (!next.ok()) return next.error();
      if (!*next) break;
      const Line& line = **next;
      if (line.too_long) {
        sink.reject(line.number, "line longer than 1 MiB");
        continue;
      }
      // Only leading blanks go: a name may end with spaces, and md5sum writes them as they are.
      const std::string_view trimmed = trim(line.text);
      if (trimmed.empty() || trimmed.front() == '#') continue;
      if (auto reason = parse_sum_line(line.text, algorithm_, parsed, scratch)) {
        sink.reject(line.number, std::move(*reason));
        continue;
      }
      Entry entry;
      entry.add(parsed.digest);
      entry.meta.file_name = parsed.name;
      entry.line = line.number;
      FERRET_TRY(sink.entry(entry));
    }
    return {};
  }

 private:
  Algorithm algorithm_;
};

// ---------------------------------------------------------------------------------------------
enum class DeepColumn { size, md5, sha1, sha256, tiger, whirlpool, filename };

class HashdeepParser final : public LineParser {
 public:
  explicit HashdeepParser(ByteSource& source) : LineParser(source) {}

  Status run(EntrySink& sink, const std::atomic<bool>* cancel) override {
    bool have_columns = false;
    std::string declaration_problem = "a data line before the '%%%% size,md5,...,filename' column declaration";
    for (;;) {
      auto next = next_line(cancel);
      if (!next.ok()) return next.error();
      if (!*next) break;
      const Line& line = **next;
      if (line.too_long) {
        sink.reject(line.number, "line longer than 1 MiB");
        continue;
      }
      const std::string_view text = line.text;
      if (trim(text).empty() || starts_with(text, "##")) continue;
      if (starts_with(text, "%%%%")) {
        const std::string_view rest = trim(text.substr(4));
        if (starts_with(rest, "HASHDEEP-")) {
          // A new file's header (hashdeep outputs are often concatenated): its declaration follows.
          have_columns = false;
          declaration_problem = "a data line before the '%%%% size,md5,...,filename' column declaration";
          if (rest != "HASHDEEP-1.0") sink.reject(line.number, "unsupported hashdeep version '" + std::string(rest) + "'");
          continue;
        }
        std::string reason;
        have_columns = declare(rest, reason, summary_);
        if (!have_columns) {
          sink.reject(line.number, reason);
          declaration_problem = "no valid column declaration before this line (see line " + std::to_string(line.number) + ")";
        }
        continue;
      }
      if (!have_columns) {
        sink.reject(line.number, declaration_problem);
        continue;
      }
      std::string reason;
      Entry entry;
      if (!parse_data(text, entry, reason)) {
        sink.reject(line.number, reason);
        continue;
      }
      entry.line = line.number;
      FERRET_TRY(sink.entry(entry));
    }
    return {};
  }

 private:
  bool declare(std::string_view list, std::string& reason, ParseSummary& summary) {
    columns_.clear();
    bool digest = false;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = list.find(',', start);
      const std::string_view name = trim(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      std::optional<DeepColumn> column;
      if (name == "size") column = DeepColumn::size;
      else if (name == "md5") column = DeepColumn::md5;
      else if (name == "sha1") column = DeepColumn::sha1;
      else if (name == "sha256") column = DeepColumn::sha256;
      else if (name == "tiger") column = DeepColumn::tiger;
      else if (name == "whirlpool") column = DeepColumn::whirlpool;
      else if (name == "filename") column = DeepColumn::filename;
      if (!column) {
        reason = "unknown column '" + std::string(name) + "' in the hashdeep column declaration";
        return false;
      }
      if (std::find(columns_.begin(), columns_.end(), *column) != columns_.end()) {
        reason = "column '" + std::string(name) + "' declared twice";
        return false;
      }
      if (*column == DeepColumn::tiger || *column == DeepColumn::whirlpool) {
        if (std::find(summary.ignored_columns.begin(), summary.ignored_columns.end(), name) == summary.ignored_columns.end()) {
          summary.ignored_columns.emplace_back(name);
        }
      }
      digest = digest || *column == DeepColumn::md5 || *column == DeepColumn::sha1 || *column == DeepColumn::sha256;
      columns_.push_back(*column);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (columns_.back() != DeepColumn::filename) {
      reason = "the hashdeep column declaration does not end with 'filename'";
      return false;
    }
    if (!digest) {
      reason = "the hashdeep column declaration has no md5, sha1 or sha256 column";
      return false;
    }
    return true;
  }

  // Everything after the declared columns but the last is the file name: it may hold commas.
  bool parse_data(std::string_view text, Entry& entry, std::string& reason) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      std::string_view field;
      if (i + 1 == columns_.size()) {
        field = text.substr(pos);
      } else {
        const std::size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos) {
          reason = std::to_string(i + 1) + " field(s), the column declaration has " + std::to_string(columns_.size());
          return false;
        }
        field = text.substr(pos, comma - pos);
        pos = comma + 1;
      }
      switch (columns_[i]) {
        case DeepColumn::size: {
          const auto size = parse_u64(trim(field));
          if (!size) {
            reason = "size '" + std::string(field.substr(0, 40)) + "' is not a number";
            return false;
          }
          entry.meta.size = size;
          break;
        }
        case DeepColumn::md5:
        case DeepColumn::sha1:
        case DeepColumn::sha256: {
          const Algorithm a = columns_[i] == DeepColumn::md5 ? Algorithm::md5 : columns_[i] == DeepColumn::sha1 ? Algorithm::sha1 : Algorithm::sha256;
          auto digest = parse_hex_digest(a, trim(field));
          if (!digest.ok()) {
            reason = digest.error().message;
            return false;
          }
          entry.add(*digest);
          break;
        }
        case DeepColumn::tiger:
        case DeepColumn::whirlpool: {
          // Checked, not kept: nothing Ferret computes can match them.
          const std::size_t want = columns_[i] == DeepColumn::tiger ? 48 : 128;
          const char* name = columns_[i] == DeepColumn::tiger ? "tiger" : "whirlpool";
          const std::string_view hex = trim(field);
          const bool is_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
          });
          if (!is_hex || hex.size() != want) {
            reason = std::string(name) + " is not " + std::to_string(want) + " hex digits";
            return false;
          }
          break;
        }
        case DeepColumn::filename:
          entry.meta.file_name = field;
          break;
      }
    }
    return true;
  }

  std::vector<DeepColumn> columns_;
};

// ---------------------------------------------------------------------------------------------
enum class CsvRole { ignored, md5, sha1, sha256, title, release, rights_holder, url, file_name, size };

class CsvParser final : public LineParser {
 public:
  explicit CsvParser(ByteSource& source) : LineParser(source) {}

  Status run(EntrySink& sink, const std::atomic<bool>* cancel) override {
    bool have_header = false;
    std::string record;
    std::uint64_t record_line = 0;
    bool continuing = false;
    for (;;) {
      auto next = next_line(cancel);
      if (!next.ok()) return next.error();
      if (!*next) break;
      const Line& line = **next;
      if (line.too_long) {
        sink.reject(continuing ? record_line : line.number, "line longer than 1 MiB");
        continuing = false;
        continue;
      }
      std::string_view text = line.text;
      if (continuing) {
        record += '\n';
        record.append(text);
        if (record.size() > kMaxLineBytes) {
          sink.reject(record_line, "a quoted field is not closed within 1 MiB");
          continuing = false;
          continue;
        }
        text = record;
      } else {
        if (trim(text).empty()) continue;
        record_line = line.number;
      }
      bool incomplete = false;
      std::string error;
      if (!split_csv_record(text, fields_, incomplete, error)) {
        sink.reject(record_line, error);
        continuing = false;
        continue;
      }
      if (incomplete) {
        if (!continuing) record.assign(text);
        continuing = true;
        continue;
      }
      continuing = false;
      if (!have_header) {
        FERRET_TRY(read_header(record_line, summary_));
        have_header = true;
        continue;
      }
      std::string reason;
      Entry entry;
      if (!parse_record(entry, reason)) {
        sink.reject(record_line, reason);
        continue;
      }
      entry.line = record_line;
      FERRET_TRY(sink.entry(entry));
    }
    if (continuing) sink.reject(record_line, "a quoted field is not closed before the end of the file");
    return {};
  }

 private:
  Status read_header(std::uint64_t line, ParseSummary& summary) {
    roles_.clear();
    bool any_hash = false;
    for (const auto& name : fields_) {
      const std::string f = fold(name);
      CsvRole role = CsvRole::ignored;
      if (auto a = algorithm_from_name(f)) role = *a == Algorithm::md5 ? CsvRole::md5 : *a == Algorithm::sha1 ? CsvRole::sha1 : CsvRole::sha256;
      else if (f == "title") role = CsvRole::title;
      else if (f == "release") role = CsvRole::release;
      else if (f == "rightsholder") role = CsvRole::rights_holder;
      else if (f == "url") role = CsvRole::url;
      else if (f == "filename" || f == "name") role = CsvRole::file_name;
      else if (f == "size" || f == "filesize") role = CsvRole::size;
      if (role != CsvRole::ignored && std::find(roles_.begin(), roles_.end(), role) != roles_.end()) {
        return make_error(Errc::unsupported, "the CSV header (line " + std::to_string(line) + ") names column '" + name + "' twice");
      }
      if (role == CsvRole::ignored) summary.ignored_columns.push_back(name);
      any_hash = any_hash || role == CsvRole::md5 || role == CsvRole::sha1 || role == CsvRole::sha256;
      roles_.push_back(role);
    }
    if (!any_hash) {
      return make_error(Errc::unsupported, "the CSV header (line " + std::to_string(line) + ") names no md5, sha1 or sha256 column");
    }
    return {};
  }

  bool parse_record(Entry& entry, std::string& reason) {
    if (fields_.size() != roles_.size()) {
      reason = std::to_string(fields_.size()) + " field(s), the header has " + std::to_string(roles_.size());
      return false;
    }
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const std::string_view value = fields_[i];
      switch (roles_[i]) {
        case CsvRole::md5:
        case CsvRole::sha1:
        case CsvRole::sha256: {
          const std::string_view hex = trim(value);
          if (hex.empty()) break;
          const Algorithm a = roles_[i] == CsvRole::md5 ? Algorithm::md5 : roles_[i] == CsvRole::sha1 ? Algorithm::sha1 : Algorithm::sha256;
          auto digest = parse_hex_digest(a, hex);
          if (!digest.ok()) {
            reason = digest.error().message;
            return false;
          }
          entry.add(*digest);
          break;
        }
        case CsvRole::title: entry.meta.title = value; break;
        case CsvRole::release: entry.meta.release = value; break;
        case CsvRole::rights_holder: entry.meta.rights_holder = value; break;
        case CsvRole::url: entry.meta.url = value; break;
        case CsvRole::file_name: entry.meta.file_name = value; break;
        case CsvRole::size: {
          const std::string_view s = trim(value);
          if (s.empty()) break;
          const auto size = parse_u64(s);
          if (!size) {
            reason = "size '" + std::string(s.substr(0, 40)) + "' is not a number";
            return false;
          }
          entry.meta.size = size;
          break;
        }
        case CsvRole::ignored: break;
      }
    }
    if (entry.digest_count == 0) {
      reason = "no hash value";
      return false;
    }
    return true;
  }

  std::vector<std::string> fields_;
  std::vector<CsvRole> roles_;
};

}  // namespace

bool split_csv_record(std::string_view record, std::vector<std::string>& fields, bool& incomplete, std::string& error) {
  fields.clear();
  incomplete = false;
  std::size_t i = 0;
  for (;;) {
    std::string& field = fields.emplace_back();
    if (i < record.size() && record[i] == '"') {
      ++i;
      for (;;) {
        const std::size_t q = record.find('"', i);
        if (q == std::string_view::npos) {
          incomplete = true;
          return true;
        }
        field.append(record.substr(i, q - i));
        if (q + 1 < record.size() && record[q + 1] == '"') {
          field.push_back('"');
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < record.size() && record[i] != ',') {
        error = "a character after a closing quote (column " + std::to_string(i + 1) + ")";
        return false;
      }
    } else {
      const std::size_t comma = std::min(record.find(',', i), record.size());
      const std::string_view raw = record.substr(i, comma - i);
      if (const std::size_t q = raw.find('"'); q != std::string_view::npos) {
        error = "a quote inside an unquoted field (column " + std::to_string(i + q + 1) + ")";
        return false;
      }
      field.assign(raw);
      i = comma;
    }
    if (i >= record.size()) return true;
    ++i;  // the comma
  }
}

Result<Format> detect_format(std::span<const std::string_view> first_lines) {
  std::vector<std::string_view> lines;
  for (auto l : first_lines) {
    if (!trim(l).empty()) lines.push_back(l);
  }
  if (lines.empty()) return make_error(Errc::unsupported, "it is empty (no line with any content)");
  const std::string_view first = lines.front();
  if (is_hashdeep_header(first)) return Format::hashdeep;
  if (looks_like_json(first)) {
    std::string joined;
    for (auto l : lines) (joined += l) += '\n';
    return *detect_json(joined);
  }
  std::vector<std::string> fields;
  bool incomplete = false;
  std::string error;
  const bool csv_ok = split_csv_record(first, fields, incomplete, error) && !incomplete;
  if (csv_ok && is_nsrl_rds2_header(fields)) return Format::nsrl_rds2;
  if (csv_ok && is_ilook_header(fields)) {
    return make_error(Errc::unsupported, "it is an iLook hash export (first column '" + fields.front() +
                                             "'), a format Ferret does not read (renaming its hash columns to md5, sha1 and sha256 makes it a CSV list Ferret reads)");
  }
  SumLine parsed;
  std::string scratch;
  const auto sum_format = [&](std::string_view line) -> std::optional<Format> {
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '#') return std::nullopt;
    if (parse_sum_line(t, std::nullopt, parsed, scratch)) return std::nullopt;
    return sum_format_of(parsed.digest.algorithm);
  };
  if (auto f = sum_format(first)) return *f;
  if (csv_ok && names_hash_column(fields)) return Format::csv;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (auto f = sum_format(lines[i])) return *f;
  }
  return make_error(Errc::unsupported,
                    "cannot tell its format from the first lines (expected md5sum/sha1sum/sha256sum output, hashdeep, "
                    "CSV with a header naming an md5, sha1 or sha256 column, an NSRL RDS 2.x NSRLFile.txt, Project VIC VICS "
                    "JSON, an NSRL RDSv3 database, or a zip of lists); pass --format");
}

namespace {
// Ends the stream after `limit` bytes, so detection never reads far into a file (a 5 GB first line).
class LimitedSource final : public ByteSource {
 public:
  LimitedSource(ByteSource& inner, std::uint64_t limit) : inner_(inner), left_(limit) {}
  Result<std::size_t> read(std::span<char> out) override {
    if (left_ == 0) {
      cut_ = true;
      return std::size_t{0};
    }
    auto n = inner_.read(out.first(static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_))));
    if (n.ok()) left_ -= *n;
    return n;
  }
  bool cut() const { return cut_; }

 private:
  ByteSource& inner_;
  std::uint64_t left_;
  bool cut_ = false;
};
}  // namespace

std::optional<Result<Format>> detect_json(std::string_view first) {
  if (first.substr(0, 3) == "\xef\xbb\xbf") first.remove_prefix(3);
  const std::size_t start = first.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || (first[start] != '{' && first[start] != '[')) return std::nullopt;
  if (first[start] == '[') {
    return Result<Format>(make_error(Errc::unsupported, "it is a JSON array, not a Project VIC VICS document (an object with a \"value\" array)"));
  }
  if (first.find("\"odata.metadata\"") != std::string_view::npos || first.find("\"@odata.context\"") != std::string_view::npos) {
    return Result<Format>(Format::vics_json);
  }
  for (std::size_t at = first.find("\"value\""); at != std::string_view::npos; at = first.find("\"value\"", at + 1)) {
    const std::size_t colon = first.find_first_not_of(" \t\r\n", at + 7);
    if (colon == std::string_view::npos || first[colon] != ':') continue;
    const std::size_t open = first.find_first_not_of(" \t\r\n", colon + 1);
    if (open != std::string_view::npos && first[open] == '[') return Result<Format>(Format::vics_json);
  }
  return Result<Format>(make_error(Errc::unsupported, "it is JSON but not a Project VIC VICS document (no \"odata.metadata\", "
                                                      "\"@odata.context\" or \"value\" array in its first 64 KiB)"));
}

Result<Format> detect_format(ByteSource& raw, std::size_t max_lines) {
  // JSON first, from the raw bytes: a VICS file is often one line of hundreds of MB. A source
  // damaged early (a small gzip or zip member that fails its check at the end) is detected from
  // what could be read; the parser reports the damage where it is.
  auto head = read_prefix(raw, 64u << 10);
  if (!head.ok()) return head.error();
  if (auto json = detect_json(*head)) return *json;
  ReplaySource source(std::move(*head), raw);
  LimitedSource limited(source, 16u << 20);
  LineReader reader(limited);
  std::vector<std::string> kept;
  while (kept.size() < max_lines) {
    auto next = reader.next();
    if (!next.ok()) {
      if (kept.empty()) return next.error();
      break;  // detect from what could be read; the parser reports the damage at its line
    }
    if (!*next) {
      if (limited.cut() && !kept.empty()) kept.pop_back();  // possibly cut short
      break;
    }
    if ((*next)->too_long || trim((*next)->text).empty()) continue;
    kept.emplace_back((*next)->text);
  }
  std::vector<std::string_view> views(kept.begin(), kept.end());
  return detect_format(views);
}

namespace {
// RDSv3 is a database: it cannot come through a stream (a zip member, a forced --format).
class StreamedDatabaseParser final : public Parser {
 public:
  Status run(EntrySink&, const std::atomic<bool>*) override {
    return make_error(Errc::unsupported, "an NSRL RDSv3 database is read from its own file (SQLite), not from a stream");
  }
  ParseSummary summary() const override { return {}; }
};
}  // namespace

std::unique_ptr<Parser> make_parser(Format format, ByteSource& source) {
  switch (format) {
    case Format::md5sum:
    case Format::sha1sum:
    case Format::sha256sum: return std::make_unique<SumParser>(algorithm_of(format), source);
    case Format::hashdeep: return std::make_unique<HashdeepParser>(source);
    // NSRLFile.txt is a quoted CSV: SHA-1 and MD5 columns, FileName and FileSize are what the CSV
    // reader keeps; CRC32, ProductCode, OpSystemCode, SpecialCode (and MD4 in RDS 1.5) are listed as not kept.
    case Format::csv:
    case Format::nsrl_rds2: return std::make_unique<CsvParser>(source);
    case Format::vics_json: return make_vics_parser(source);
    case Format::nsrl_rdsv3: return std::make_unique<StreamedDatabaseParser>();
  }
  return nullptr;
}

}  // namespace ferret::hashset
