// The torrent_client plugin: what BitTorrent clients keep about each torrent they had, from qBittorrent's
// BT_backup/<info-hash>.fastresume, Deluge's torrents.fastresume and uTorrent/BitTorrent's resume.dat.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "artifact.h"
#include "bencode.h"
#include "ferret/plugin.h"
#include "host_source.h"
#include "sha.h"

namespace {

using ferret_plugins::Row;
using ferret_plugins::bencode::Kind;
using ferret_plugins::bencode::Reader;
using ferret_plugins::bencode::Value;

constexpr std::size_t kMaxText = 4096;  // bytes of a name, a path or a .torrent key

const ferret_attr_decl kStateAttrs[] = {
    {"client", FERRET_ATTR_TEXT, 1, "the client that wrote the file: qBittorrent, Deluge or uTorrent"},
    {"info_hash_v1", FERRET_ATTR_HEX, 0, "the torrent's v1 info-hash"},
    {"info_hash_v2", FERRET_ATTR_HEX, 0, "the torrent's v2 info-hash (qBittorrent with libtorrent 2)"},
    {"name", FERRET_ATTR_TEXT, 0, "the torrent's name as the client showed it"},
    {"save_path", FERRET_ATTR_TEXT, 0, "where the client saved the content"},
    {"added_on", FERRET_ATTR_TIME, 0, "when the torrent was added to the client"},
    {"completed_on", FERRET_ATTR_TIME, 0, "when the download completed (absent when it never did)"},
    {"uploaded", FERRET_ATTR_INT, 0, "bytes uploaded to peers"},
    {"downloaded", FERRET_ATTR_INT, 0, "bytes downloaded from peers"},
    {"torrent_file", FERRET_ATTR_TEXT, 0, "the .torrent file resume.dat keys the entry by"},
};

const ferret_kind_decl kKinds[] = {
    {"torrent_client_state", "a torrent as a BitTorrent client recorded it", kStateAttrs, sizeof kStateAttrs / sizeof kStateAttrs[0]},
};

const char* const kExtensions[] = {"fastresume"};
const char* const kFileNames[] = {"resume.dat", "resume.dat.old"};

enum class Type { hash20, hash32, text, time, time_nonzero, count };

// One key of a client's dictionary and the attribute it gives; of two keys giving one attribute the
// lower rank wins.
struct Field {
  std::string_view key;
  const char* attr;
  Type type;
  int rank;
};

// libtorrent's resume data, as qBittorrent and Deluge write it, with qBittorrent's own keys second.
constexpr Field kLibtorrentFields[] = {
    {"info-hash", "info_hash_v1", Type::hash20, 0},      {"info-hash2", "info_hash_v2", Type::hash32, 0},
    {"name", "name", Type::text, 0},                     {"qBt-name", "name", Type::text, 1},
    {"save_path", "save_path", Type::text, 0},           {"qBt-savePath", "save_path", Type::text, 1},
    {"added_time", "added_on", Type::time, 0},           {"completed_time", "completed_on", Type::time_nonzero, 0},
    {"total_uploaded", "uploaded", Type::count, 0},      {"total_downloaded", "downloaded", Type::count, 0},
};

constexpr Field kUTorrentFields[] = {
    {"info", "info_hash_v1", Type::hash20, 0},      {"caption", "name", Type::text, 0},
    {"path", "save_path", Type::text, 0},           {"added_on", "added_on", Type::time, 0},
    {"completed_on", "completed_on", Type::time_nonzero, 0}, {"uploaded", "uploaded", Type::count, 0},
    {"downloaded", "downloaded", Type::count, 0},
};

bool is_hex40(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}

class ClientParser {
 public:
  ClientParser(const ferret_host_api* host, ferret_file* file) : host_(host), file_(file) {}
  ferret_parse_result run();

 private:
  void warn(const std::string& message) {
    damaged_ = true;
    ferret_plugins::log(host_, file_, FERRET_LOG_WARNING, message);
  }
  // The attributes `fields` find in the dictionary at `dict` (read by `reader`).
  struct Collected {
    std::map<std::string, std::pair<int, std::string>> text;  // attribute -> (rank, value)
    std::map<std::string, std::int64_t> integer;
  };
  template <std::size_t N>
  bool collect(Reader& reader, std::uint64_t dict, const Field (&fields)[N], Collected& out, const std::string& what);
  bool emit(const char* client, const Collected& c, const std::string& torrent_file, const std::string& what);
  ferret_parse_result qbittorrent(Reader& reader, const std::string& file_name);
  ferret_parse_result resume_dat(Reader& reader);
  ferret_parse_result deluge(Reader& reader);

  const ferret_host_api* host_;
  ferret_file* file_;
  bool damaged_ = false;
  std::size_t emitted_ = 0;
  ferret_plugins::Budget budget_;
  bool budget_logged_ = false;
};

template <std::size_t N>
bool ClientParser::collect(Reader& reader, std::uint64_t dict, const Field (&fields)[N], Collected& out, const std::string& what) {
  const bool whole = reader.for_each_entry(dict, [&](const Value& key, const Value& value) {
    for (const Field& f : fields) {
      if (!reader.equals(key, f.key)) continue;
      const auto better = [&](const char* attr) {
        const auto it = out.text.find(attr);
        return it == out.text.end() || it->second.first > f.rank;
      };
      switch (f.type) {
        case Type::hash20:
        case Type::hash32: {
          const std::size_t size = f.type == Type::hash20 ? 20 : 32;
          if (value.kind != Kind::string || value.text_length != size) {
            warn(what + ": " + std::string(f.key) + " is not a " + std::to_string(size) + "-byte hash");
            break;
          }
          const std::string raw = reader.bytes(value, size);
          // libtorrent writes zeros for the hash a torrent does not have (v1 of a v2-only torrent).
          if (raw.size() != size || std::all_of(raw.begin(), raw.end(), [](char c) { return c == 0; })) break;
          char hex[2 * 32 + 1];
          plugin_hex(reinterpret_cast<const unsigned char*>(raw.data()), size, hex);
          if (better(f.attr)) out.text[f.attr] = {f.rank, hex};
          break;
        }
        case Type::text: {
          if (value.kind != Kind::string || value.text_length == 0 || !better(f.attr)) break;
          out.text[f.attr] = {f.rank, ferret_plugins::clean_text(reader.bytes(value, kMaxText), kMaxText)};
          break;
        }
        case Type::time:
        case Type::time_nonzero: {
          if (value.kind != Kind::integer || (f.type == Type::time_nonzero && value.integer == 0)) break;
          const std::string when = ferret_plugins::utc_time(value.integer);
          if (when.empty()) {
            warn(what + ": " + std::string(f.key) + " " + std::to_string(value.integer) + " is not a time between 1970 and 9999");
          } else if (better(f.attr)) {
            out.text[f.attr] = {f.rank, when};
          }
          break;
        }
        case Type::count: {
          if (value.kind != Kind::integer) break;
          if (value.integer < 0) warn(what + ": " + std::string(f.key) + " is negative");
          else out.integer[f.attr] = value.integer;
          break;
        }
      }
    }
    return true;
  });
  if (!whole && !reader.stopped()) warn(what + " is damaged (" + ferret_plugins::bencode::describe(reader.failure()) + ")");
  return whole;
}

bool ClientParser::emit(const char* client, const Collected& c, const std::string& torrent_file, const std::string& what) {
  // A state with nothing that identifies a torrent is not worth a row (a resume.dat key alone is not:
  // other dictionaries sit beside the torrents').
  if (!c.text.count("info_hash_v1") && !c.text.count("info_hash_v2") && !c.text.count("name") && !c.text.count("save_path")) {
    if (torrent_file.empty()) warn(what + " names no torrent (no info-hash, name or path)");
    else ferret_plugins::log(host_, file_, FERRET_LOG_DEBUG, what + " (" + torrent_file + ") is not a torrent's state; skipped");
    return false;
  }
  Row row;
  row.text("client", client);
  for (const ferret_attr_decl& decl : kStateAttrs) {
    if (const auto t = c.text.find(decl.name); t != c.text.end()) row.text(decl.name, t->second.second);
    if (const auto i = c.integer.find(decl.name); i != c.integer.end()) row.integer(decl.name, i->second);
  }
  if (!torrent_file.empty()) row.text("torrent_file", torrent_file);
  if (!budget_.take(row)) {
    if (!budget_logged_) {
      ferret_plugins::log(host_, file_, FERRET_LOG_WARNING, what + " and those after it not recorded: more would pass the host's limits for one file");
    }
    budget_logged_ = true;
    return false;
  }
  if (row.emit(host_, file_, "torrent_client_state") < 0) return false;
  ++emitted_;
  return true;
}

ferret_parse_result ClientParser::qbittorrent(Reader& reader, const std::string& file_name) {
  Collected c;
  collect(reader, 0, kLibtorrentFields, c, "the fastresume dictionary");
  // qBittorrent names the file by the torrent's id: the v1 info-hash unless the torrent is v2-only.
  const std::string stem = file_name.substr(0, file_name.find('.'));
  if (!c.text.count("info_hash_v1") && !c.text.count("info_hash_v2") && is_hex40(stem)) c.text["info_hash_v1"] = {9, ferret_plugins::lower(stem)};
  emit("qBittorrent", c, {}, "the fastresume dictionary");
  return damaged_ ? FERRET_PARSE_MALFORMED : FERRET_PARSE_OK;
}

ferret_parse_result ClientParser::resume_dat(Reader& reader) {
  std::size_t entry = 0;
  const bool whole = reader.for_each_entry(0, [&](const Value& key, const Value& value) {
    ++entry;
    // .fileguard is a checksum of the file, rec holds records that are not torrents.
    if (reader.equals(key, ".fileguard") || reader.equals(key, "rec") || value.kind != Kind::dict) return true;
    const std::string torrent_file = ferret_plugins::clean_text(reader.bytes(key, kMaxText), kMaxText);
    Collected c;
    const std::string what = "resume.dat entry " + std::to_string(entry);
    // The entry parsed whole as the top level was walked; this second walk cannot fail short of a read error.
    collect(reader, value.begin, kUTorrentFields, c, what);
    emit("uTorrent", c, torrent_file, what);
    return !host_->should_stop(file_);
  });
  if (!whole && !reader.stopped()) {
    warn("resume.dat is damaged after " + std::to_string(entry) + " entries (" + ferret_plugins::bencode::describe(reader.failure()) + ")");
  }
  if (reader.stopped() || (whole && host_->should_stop(file_))) {
    ferret_plugins::log(host_, file_, FERRET_LOG_WARNING, "stopped at the host's request");
    return FERRET_PARSE_FAILED;
  }
  return damaged_ ? FERRET_PARSE_MALFORMED : FERRET_PARSE_OK;
}

// Deluge keeps every torrent's libtorrent resume data in one dictionary: info-hash (hex) -> the
// bencoded resume data as a string. Each string is read as a file of its own.
ferret_parse_result ClientParser::deluge(Reader& reader) {
  const bool whole = reader.for_each_entry(0, [&](const Value& key, const Value& value) {
    if (value.kind != Kind::string || value.text_length < 2) return true;
    const std::string hash = reader.bytes(key, 64);
    ferret_plugins::bencode::Source inner = ferret_plugins::host_source(host_, file_);
    const std::uint64_t base = value.text;
    inner.read = [outer = inner.read, base](std::uint64_t offset, void* buffer, std::size_t length) { return outer(base + offset, buffer, length); };
    Reader sub(std::move(inner), value.text_length);
    Collected c;
    const std::string what = "the resume data of " + ferret_plugins::clean_text(hash, 64);
    if (sub.byte_at(0) != 'd') {
      warn(what + " is not a dictionary");
      return true;
    }
    collect(sub, 0, kLibtorrentFields, c, what);
    if (!c.text.count("info_hash_v1") && is_hex40(hash)) c.text["info_hash_v1"] = {9, ferret_plugins::lower(hash)};
    emit("Deluge", c, {}, what);
    return !host_->should_stop(file_);
  });
  if (!whole && !reader.stopped()) warn("torrents.fastresume is damaged (" + ferret_plugins::bencode::describe(reader.failure()) + ")");
  return damaged_ ? FERRET_PARSE_MALFORMED : FERRET_PARSE_OK;
}

ferret_parse_result ClientParser::run() {
  Reader reader(ferret_plugins::host_source(host_, file_), host_->file_size(file_));
  if (reader.size() < 2 || reader.byte_at(0) != 'd') return FERRET_PARSE_NOT_MINE;
  const std::string name = host_->file_name(file_);
  const std::string lower = ferret_plugins::lower(name);

  // What the top level holds decides the layout: libtorrent keys (qBittorrent), hex keys with string
  // values (Deluge), or dictionaries keyed by .torrent names (uTorrent).
  bool libtorrent = false, deluge_like = false, utorrent_like = false;
  std::size_t entries = 0;
  const bool whole = reader.for_each_entry(0, [&](const Value& key, const Value& value) {
    ++entries;
    for (const Field& f : kLibtorrentFields) libtorrent = libtorrent || reader.equals(key, f.key);
    if (reader.equals(key, "file-format") || reader.equals(key, "libtorrent-version")) libtorrent = true;
    if (value.kind == Kind::string && key.text_length == 40 && is_hex40(reader.bytes(key, 40))) deluge_like = true;
    if (value.kind == Kind::dict && !reader.equals(key, "rec")) utorrent_like = true;
    return entries < 64;  // the first entries say enough
  });
  if (entries == 0) {
    // Not even one entry: an empty dictionary (no state), damaged from the start, or not bencode at all.
    if (whole) return FERRET_PARSE_NOT_MINE;
    const bool named = lower.ends_with(".fastresume") || lower == "resume.dat" || lower == "resume.dat.old";
    if (!named) return FERRET_PARSE_NOT_MINE;
    const auto failure = reader.failure();
    if (failure.error == ferret_plugins::bencode::Error::malformed && failure.at <= 1) return FERRET_PARSE_NOT_MINE;
    warn("the client's dictionary is damaged before its first entry (" + ferret_plugins::bencode::describe(failure) + ")");
    return FERRET_PARSE_MALFORMED;
  }
  ferret_parse_result result;
  if (libtorrent) result = qbittorrent(reader, name);
  else if (deluge_like) result = deluge(reader);
  else if (utorrent_like) result = resume_dat(reader);
  else return FERRET_PARSE_NOT_MINE;
  if (emitted_ == 0 && result == FERRET_PARSE_OK) return FERRET_PARSE_NOT_MINE;
  return result;
}

ferret_parse_result parse(ferret_file* file, const ferret_host_api* host) {
  // Nothing may cross the C boundary: an exception (bad_alloc) becomes a logged failure.
  try {
    ClientParser parser(host, file);
    return parser.run();
  } catch (const std::exception& e) {
    host->log(file, FERRET_LOG_ERROR, (std::string("torrent_client plugin failed: ") + e.what()).c_str());
  } catch (...) {
    host->log(file, FERRET_LOG_ERROR, "torrent_client plugin failed: unknown exception");
  }
  return FERRET_PARSE_FAILED;
}

const ferret_plugin kPlugin = {
    sizeof(ferret_plugin),
    FERRET_PLUGIN_ABI_VERSION,
    "torrent_client",
    "1.0.0",
    "BitTorrent clients' per-torrent state: qBittorrent and Deluge fastresume, uTorrent/BitTorrent resume.dat",
    {nullptr, 0, kExtensions, 1, kFileNames, 2, nullptr, 0},
    kKinds,
    sizeof kKinds / sizeof kKinds[0],
    parse,
};

}  // namespace

extern "C" FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host) {
  if (!host || host->abi_version != FERRET_PLUGIN_ABI_VERSION || host->struct_size < sizeof(ferret_host_api)) return nullptr;
  return &kPlugin;
}
