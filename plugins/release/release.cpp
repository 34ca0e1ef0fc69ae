// The release plugin: scene/P2P release names in a file's path (folder and file names) and in .nfo
// text, and the file listing of .sfv files.
#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "artifact.h"
#include "ferret/plugin.h"
#include "release_name.h"

namespace {

using ferret_plugins::Row;
using ferret_plugins::release::ReleaseName;

constexpr std::size_t kMaxNfo = 1024 * 1024;      // NFOs are a few KiB; more is not one
constexpr std::size_t kMaxSfv = 4 * 1024 * 1024;  // 4 MiB of lines is ~50 000 entries
constexpr std::size_t kMaxLine = 4096;
constexpr std::size_t kMaxNfoReleases = 32;  // distinct names taken from one NFO
constexpr std::size_t kMaxSize = 64;         // characters of an NFO's Size: value

const ferret_attr_decl kReleaseAttrs[] = {
    {"name", FERRET_ATTR_TEXT, 1, "the release name as written (Title.Of.Film.2019.1080p.BluRay.x264-EVO)"},
    {"group", FERRET_ATTR_TEXT, 1, "the releasing group, after the last '-'"},
    {"title", FERRET_ATTR_TEXT, 0, "the title's tokens joined by spaces"},
    {"year", FERRET_ATTR_INT, 0, "the year in the name"},
    {"season_episode", FERRET_ATTR_TEXT, 0, "season and episode (S02E05), or the season of a pack (S02)"},
    {"source", FERRET_ATTR_TEXT, 0, "where it was ripped from (BluRay, WEB-DL, HDTV ...), canonical spelling"},
    {"resolution", FERRET_ATTR_TEXT, 0, "720p, 1080p, 2160p ..."},
    {"codec", FERRET_ATTR_TEXT, 0, "x264, x265, H.264, HEVC, XviD, AV1 ..."},
    {"where", FERRET_ATTR_TEXT, 1, "where it was found: folder name, file name, nfo (several joined by \", \")"},
    {"size", FERRET_ATTR_TEXT, 0, "the NFO's Size: field as written"},
    {"nfo_group", FERRET_ATTR_TEXT, 0, "the group the NFO names (\"X presents\", Group:)"},
};

const ferret_attr_decl kSfvAttrs[] = {
    {"file_name", FERRET_ATTR_TEXT, 1, "the file the line checks"},
    {"crc32", FERRET_ATTR_HEX, 1, "its CRC-32, 8 lowercase hex digits"},
    {"line", FERRET_ATTR_INT, 0, "the line of the .sfv file, from 1"},
};

const ferret_kind_decl kKinds[] = {
    {"release", "a scene/P2P release name found in a path or an NFO", kReleaseAttrs, sizeof kReleaseAttrs / sizeof kReleaseAttrs[0]},
    {"sfv_entry", "one file and its CRC-32 listed by an .sfv file", kSfvAttrs, sizeof kSfvAttrs / sizeof kSfvAttrs[0]},
};

const char* const kExtensions[] = {"nfo", "sfv", "mkv", "mp4", "avi", "m4v", "mov", "wmv", "ts", "iso", "rar", "zip", "srt"};

// A release found in this file, with every place it was found.
struct Found {
  ReleaseName release;
  std::vector<std::string> places;
  std::string size, nfo_group;
};

// The file's releases in order of first appearance, one per name (case aside: scene file names are
// often the lowercase twin of their folder's).
class Releases {
 public:
  Found* add(const ReleaseName& r, const char* place) {
    const std::string key = ferret_plugins::lower(r.name);
    for (auto& f : found_) {
      if (ferret_plugins::lower(f.release.name) != key) continue;
      if (std::find(f.places.begin(), f.places.end(), place) == f.places.end()) f.places.emplace_back(place);
      return &f;
    }
    found_.push_back({r, {place}, {}, {}});
    return &found_.back();
  }
  const std::deque<Found>& all() const { return found_; }

 private:
  std::deque<Found> found_;  // a deque: the pointers add() hands out stay valid as it grows
};

// Reads the first `cap` bytes of the file; false when the host cannot read them.
bool read_head(ferret_file* file, const ferret_host_api* host, std::size_t cap, std::string& out) {
  const std::uint64_t size = host->file_size(file);
  out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(size, cap)));
  std::size_t have = 0;
  while (have < out.size()) {
    const std::int64_t got = host->read(file, have, out.data() + have, out.size() - have);
    if (got < 0) return false;
    if (got == 0) break;
    have += static_cast<std::size_t>(got);
  }
  out.resize(have);
  return true;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ---- NFO ----

// An NFO line with its CP437 art and control bytes as spaces: names and fields are ASCII.
std::string plain(std::string_view line) {
  std::string out(line.substr(0, kMaxLine));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) c = ' ';
  }
  return out;
}

// The words of a line, split at spaces and the ASCII characters NFO art is drawn with.
std::vector<std::string> words(std::string_view line) {
  static constexpr std::string_view kArt = " |*:<>=~#\"`^{}/\\[]";
  std::vector<std::string> out;
  std::string word;
  for (const char c : line) {
    if (kArt.find(c) != std::string_view::npos) {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

std::string trim(std::string_view s, std::string_view junk = " ") {
  const std::size_t b = s.find_first_not_of(junk);
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(junk);
  return std::string(s.substr(b, e - b + 1));
}

// "Release Name.....: value", "SIZE ...... 4.37 GB": a key of words, a separator holding ':' or a
// run of dots, a value. False for lines that are not fields.
bool field(const std::string& line, std::string& key, std::string& value) {
  std::size_t i = 0;
  while (i < line.size() && !is_alnum(line[i])) ++i;  // art before the key
  const std::size_t key_begin = i;
  while (i < line.size() && (is_alnum(line[i]) || line[i] == ' ')) ++i;
  const std::size_t sep_begin = i;
  while (i < line.size() && std::string_view(" .:=->").find(line[i]) != std::string_view::npos) ++i;
  const std::string_view sep(line.data() + sep_begin, i - sep_begin);
  if (i >= line.size() || (sep.find(':') == std::string_view::npos && sep.find("..") == std::string_view::npos)) return false;
  key = ferret_plugins::lower(trim(std::string_view(line).substr(key_begin, sep_begin - key_begin)));
  // Collapse inner runs of spaces so "Release   Name" is "release name".
  std::string collapsed;
  for (const char c : key) {
    if (c != ' ' || (!collapsed.empty() && collapsed.back() != ' ')) collapsed += c;
  }
  key = collapsed;
  value = trim(std::string_view(line).substr(i), " |*<>=~#[]");
  return !key.empty() && !value.empty();
}

template <std::size_t N>
bool one_of(const std::string& s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

constexpr std::string_view kNameKeys[] = {"release", "release name", "releasename", "rls", "rls name", "rlsname", "name", "title", "release title"};
constexpr std::string_view kSizeKeys[] = {"size", "total size", "release size", "rls size", "filesize", "file size"};
constexpr std::string_view kSourceKeys[] = {"source", "src", "rip source", "source media"};
constexpr std::string_view kGroupKeys[] = {"group", "release group", "released by"};

struct NfoFields {
  std::string size, source, group;
  std::vector<ReleaseName> releases;
};

bool plausible_group(const std::string& w) {
  if (w.size() < 2 || w.size() > 32) return false;
  bool letter = false;
  for (const char c : w) {
    if (!is_alnum(c) && c != '_' && c != '-') return false;
    letter = letter || !(c >= '0' && c <= '9');
  }
  return letter;
}

// Conservative on purpose: a release name counts only as a field's value or alone on its line, not
// inside prose (where NFOs advertise other releases); fields only from lines shaped like fields.
NfoFields read_nfo(std::string_view text, const ferret_host_api* host, ferret_file* file) {
  NfoFields nfo;
  std::size_t n = 0;
  for (const std::string_view raw : lines_of(text)) {
    if (++n % 1024 == 0 && host->should_stop(file)) break;
    const std::string line = plain(raw);
    const std::vector<std::string> ws = words(line);
    if (ws.empty()) continue;
    std::vector<std::string> candidates;
    std::string key, value;
    if (field(line, key, value)) {
      if (one_of(key, kNameKeys)) {
        for (const auto& w : words(value)) candidates.push_back(w);
      } else if (one_of(key, kSizeKeys) && nfo.size.empty() && value.find_first_of("0123456789") != std::string::npos) {
        nfo.size = value.substr(0, kMaxSize);
      } else if (one_of(key, kSourceKeys) && nfo.source.empty()) {
        std::string token;
        for (const char c : value + " ") {
          if (is_alnum(c) || c == '-') {
            token += c;
          } else if (!token.empty()) {
            if (nfo.source.empty()) nfo.source = ferret_plugins::release::source_of(token);
            token.clear();
          }
        }
      } else if (one_of(key, kGroupKeys) && nfo.group.empty()) {
        const auto vw = words(value);
        if (!vw.empty() && plausible_group(vw[0])) nfo.group = vw[0];
      }
    } else if (ws.size() == 1) {
      candidates.push_back(ws[0]);
    }
    // "SPARKS PRESENTS", "EVO proudly presents".
    for (std::size_t i = 1; i < ws.size() && nfo.group.empty(); ++i) {
      const std::string w = ferret_plugins::lower(ws[i]);
      if (w != "presents" && w != "present") continue;
      std::size_t g = i - 1;
      if (ferret_plugins::lower(ws[g]) == "proudly" && g > 0) --g;
      if (plausible_group(ws[g])) nfo.group = ws[g];
    }
    for (const auto& c : candidates) {
      if (nfo.releases.size() >= kMaxNfoReleases) break;
      if (auto r = ferret_plugins::release::recognise(c)) nfo.releases.push_back(std::move(*r));
    }
  }
  return nfo;
}

// ---- SFV ----

bool is_hex(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// Emits one sfv_entry per "name crc32" line; returns the result for the file's content.
ferret_parse_result read_sfv(std::string_view text, const ferret_host_api* host, ferret_file* file, bool emitted_before,
                             ferret_plugins::Budget& budget) {
  std::size_t valid = 0, invalid = 0, first_invalid = 0, number = 0;
  for (const std::string_view raw : lines_of(text)) {
    ++number;
    if (number % 1024 == 0 && host->should_stop(file)) {
      ferret_plugins::log(host, file, FERRET_LOG_WARNING, "stopped at the host's request at line " + std::to_string(number));
      return FERRET_PARSE_FAILED;
    }
    const std::string line = trim(raw, " \t");
    if (line.empty() || line[0] == ';') continue;  // comments: the tool's banner, file sizes and dates
    const std::size_t space = line.find_last_of(" \t");
    const std::string crc = space == std::string::npos ? std::string() : line.substr(space + 1);
    const std::string name = space == std::string::npos ? std::string() : trim(std::string_view(line).substr(0, space), " \t");
    if (line.size() > kMaxLine || crc.size() != 8 || !is_hex(crc) || name.empty()) {
      if (invalid++ == 0) first_invalid = number;
      continue;
    }
    Row row;
    row.text("file_name", ferret_plugins::clean_text(name));
    row.text("crc32", ferret_plugins::lower(crc));
    row.integer("line", static_cast<std::int64_t>(number));
    if (!budget.take(row)) {
      ferret_plugins::log(host, file, FERRET_LOG_WARNING,
                          "entries from line " + std::to_string(number) + " on not recorded: more would pass the host's limits for one file");
      break;
    }
    if (row.emit(host, file, "sfv_entry") >= 0) ++valid;
  }
  if (invalid == 0) return FERRET_PARSE_OK;
  if (valid == 0) {
    // Not an SFV listing at all (a binary file with the extension).
    if (!emitted_before) return FERRET_PARSE_NOT_MINE;
    ferret_plugins::log(host, file, FERRET_LOG_INFO, "the content is not an SFV listing");
    return FERRET_PARSE_OK;
  }
  ferret_plugins::log(host, file, FERRET_LOG_WARNING,
                      std::to_string(invalid) + " lines are neither comments nor \"name crc32\" entries (the first is line " +
                          std::to_string(first_invalid) + ")");
  return FERRET_PARSE_MALFORMED;
}

// ---- the plugin ----

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (!part.empty()) out.emplace_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string extension_of(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? std::string() : ferret_plugins::lower(name.substr(dot + 1));
}

ferret_parse_result run(ferret_file* file, const ferret_host_api* host) {
  Releases releases;
  ferret_plugins::Budget budget;
  const std::string name = host->file_name(file);
  auto parts = components(host->file_path(file));
  if (!parts.empty() && parts.back() == name) parts.pop_back();
  Found* innermost_folder = nullptr;
  for (const auto& folder : parts) {
    if (auto r = ferret_plugins::release::recognise(folder)) innermost_folder = releases.add(*r, "folder name");
  }
  Found* from_name = nullptr;
  if (auto r = ferret_plugins::release::recognise(name)) from_name = releases.add(*r, "file name");

  ferret_parse_result result = FERRET_PARSE_OK;
  const std::string ext = extension_of(name);
  if (ext == "nfo") {
    std::string text;
    if (!read_head(file, host, kMaxNfo, text)) {
      ferret_plugins::log(host, file, FERRET_LOG_WARNING, "the NFO cannot be read; only its path was used");
      result = FERRET_PARSE_MALFORMED;
    }
    if (host->file_size(file) > kMaxNfo) {
      ferret_plugins::log(host, file, FERRET_LOG_INFO, "only the first " + std::to_string(kMaxNfo) + " bytes of the NFO were read");
    }
    const NfoFields nfo = read_nfo(text, host, file);
    // The NFO's fields describe the release it names, else the one its own name gives, else its folder's.
    std::vector<Found*> described;
    for (const auto& r : nfo.releases) described.push_back(releases.add(r, "nfo"));
    if (described.empty() && from_name) described.push_back(from_name);
    if (described.empty() && innermost_folder) described.push_back(innermost_folder);
    for (Found* f : described) {
      if (f->size.empty()) f->size = nfo.size;
      if (f->nfo_group.empty()) f->nfo_group = nfo.group;
      if (f->release.source.empty()) f->release.source = nfo.source;
    }
  }

  for (const Found& f : releases.all()) {
    const ReleaseName& r = f.release;
    Row row;
    row.text("name", r.name);
    row.text("group", r.group);
    row.text("title", r.title);
    if (r.year) row.integer("year", r.year);
    if (!r.season_episode.empty()) row.text("season_episode", r.season_episode);
    if (!r.source.empty()) row.text("source", r.source);
    if (!r.resolution.empty()) row.text("resolution", r.resolution);
    if (!r.codec.empty()) row.text("codec", r.codec);
    std::string where;
    for (const auto& p : f.places) where += (where.empty() ? "" : ", ") + p;
    row.text("where", where);
    if (!f.size.empty()) row.text("size", f.size);
    if (!f.nfo_group.empty()) row.text("nfo_group", f.nfo_group);
    budget.take(row);  // a path and an NFO give a few releases: always within the budget
    row.emit(host, file, "release");
  }

  if (ext == "sfv") {
    std::string text;
    if (!read_head(file, host, kMaxSfv, text)) {
      ferret_plugins::log(host, file, FERRET_LOG_WARNING, "the SFV file cannot be read");
      return FERRET_PARSE_MALFORMED;
    }
    if (host->file_size(file) > kMaxSfv) {
      ferret_plugins::log(host, file, FERRET_LOG_WARNING, "only the first " + std::to_string(kMaxSfv) + " bytes of the SFV file were read");
    }
    return read_sfv(text, host, file, !releases.all().empty(), budget);
  }
  return result;
}

ferret_parse_result parse(ferret_file* file, const ferret_host_api* host) {
  // Nothing may cross the C boundary: an exception (bad_alloc) becomes a logged failure.
  try {
    return run(file, host);
  } catch (const std::exception& e) {
    host->log(file, FERRET_LOG_ERROR, (std::string("release plugin failed: ") + e.what()).c_str());
  } catch (...) {
    host->log(file, FERRET_LOG_ERROR, "release plugin failed: unknown exception");
  }
  return FERRET_PARSE_FAILED;
}

const ferret_plugin kPlugin = {
    sizeof(ferret_plugin),
    FERRET_PLUGIN_ABI_VERSION,
    "release",
    "1.0.0",
    "scene/P2P release names in folder and file names and NFOs; SFV file listings",
    {nullptr, 0, kExtensions, sizeof kExtensions / sizeof kExtensions[0], nullptr, 0, nullptr, 0},
    kKinds,
    sizeof kKinds / sizeof kKinds[0],
    parse,
};

}  // namespace

extern "C" FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host) {
  if (!host || host->abi_version != FERRET_PLUGIN_ABI_VERSION || host->struct_size < sizeof(ferret_host_api)) return nullptr;
  return &kPlugin;
}
