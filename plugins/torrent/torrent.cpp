// The torrent plugin: BitTorrent metainfo files (.torrent; BEP 3, 12, 27, 47, 52) to a `torrent`
// artifact with its info-hashes and a `torrent_file` artifact per file it lists.
#include <cstring>
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

// Limits that keep a hostile torrent's cost bounded while leaving every real one whole.
constexpr std::size_t kMaxName = 4096;           // bytes of a name or a path component
constexpr std::size_t kMaxText = 64 * 1024;      // bytes of a comment
constexpr std::size_t kMaxComponents = 256;      // components of one path
constexpr std::size_t kMaxTrackers = 1000;       // URLs kept in announce_list
constexpr std::size_t kMaxPath = 64 * 1024;      // bytes of a joined path; longer ones are not real
constexpr std::size_t kMaxTrackerText = 256 * 1024;  // bytes of announce_list (the host refuses values over 1 MiB)
constexpr int kMaxTreeDepth = 64;                // v2 file tree levels

const ferret_attr_decl kTorrentAttrs[] = {
    {"info_hash_v1", FERRET_ATTR_HEX, 1, "SHA-1 of the info dictionary's exact bytes (the v1 info-hash)"},
    {"info_hash_v2", FERRET_ATTR_HEX, 0, "SHA-256 of the info dictionary's exact bytes (v2 and hybrid torrents)"},
    {"name", FERRET_ATTR_TEXT, 1, "the suggested name of the file or folder (name.utf-8 when present)"},
    {"total_length", FERRET_ATTR_INT, 0, "bytes of all files, padding files excluded"},
    {"piece_length", FERRET_ATTR_INT, 0, "bytes per piece"},
    {"file_count", FERRET_ATTR_INT, 0, "files listed, padding files excluded"},
    {"announce", FERRET_ATTR_TEXT, 0, "the first tracker URL"},
    {"announce_list", FERRET_ATTR_TEXT, 0, "every tracker URL of announce-list, tier by tier, one per line"},
    {"created_by", FERRET_ATTR_TEXT, 0, "the program that made the torrent"},
    {"creation_date", FERRET_ATTR_TIME, 0, "when the torrent was made, by its maker's clock"},
    {"comment", FERRET_ATTR_TEXT, 0, "the maker's comment"},
    {"private", FERRET_ATTR_INT, 0, "1 when the torrent is private (BEP 27), 0 when the flag is present but not 1"},
    {"source", FERRET_ATTR_TEXT, 0, "the info dictionary's source tag (private trackers set it)"},
};

const ferret_attr_decl kFileAttrs[] = {
    {"path", FERRET_ATTR_TEXT, 1, "the file's path inside the torrent, components joined with '/'"},
    {"length", FERRET_ATTR_INT, 1, "the file's size in bytes"},
    {"parent", FERRET_ATTR_INT, 1, "the id of the torrent artifact listing it"},
};

const ferret_kind_decl kKinds[] = {
    {"torrent", "a BitTorrent metainfo file", kTorrentAttrs, sizeof kTorrentAttrs / sizeof kTorrentAttrs[0]},
    {"torrent_file", "a file listed by a torrent", kFileAttrs, sizeof kFileAttrs / sizeof kFileAttrs[0]},
};

const char* const kMimeTypes[] = {"application/x-bittorrent"};
const char* const kExtensions[] = {"torrent"};

#define FERRET_MAGIC(text) {reinterpret_cast<const unsigned char*>(text), sizeof(text) - 1, 0}
const ferret_magic kMagics[] = {
    FERRET_MAGIC("d8:announce"),      FERRET_MAGIC("d4:info"),          FERRET_MAGIC("d13:announce-list"),
    FERRET_MAGIC("d7:comment"),       FERRET_MAGIC("d10:created by"),   FERRET_MAGIC("d13:creation date"),
};
#undef FERRET_MAGIC

// One file of the torrent as the walkers find it.
struct ListedFile {
  std::string path;
  std::int64_t length = 0;
};

class TorrentParser {
 public:
  TorrentParser(const ferret_host_api* host, ferret_file* file)
      : host_(host), file_(file), reader_(ferret_plugins::host_source(host, file), host->file_size(file)) {}

  ferret_parse_result run();

 private:
  void warn(const std::string& message) {
    damaged_ = true;
    // The files are walked twice (count, then record): their problems are told once.
    if (!second_pass_) ferret_plugins::log(host_, file_, FERRET_LOG_WARNING, message);
  }
  bool starts_like_torrent();
  std::string text_of(const Value& v, std::size_t cap) { return ferret_plugins::clean_text(reader_.bytes(v, cap), cap); }
  std::vector<std::string> trackers(const Value& list);
  // Walks the files (v1 list, v1 single file or v2 tree), calling visit for each real file; false
  // when the host asked to stop.
  bool walk_files(const Value& info, const std::function<bool(const ListedFile&)>& visit);
  bool walk_v1_list(const Value& files, const std::function<bool(const ListedFile&)>& visit);
  bool walk_v2_tree(const Value& dict, std::vector<std::string>& components, int depth,
                    const std::function<bool(const ListedFile&)>& visit);
  std::string join_path(const Value& list);
  bool hash_info(const Value& info, bool v2, std::string& v1_hex, std::string& v2_hex);

  const ferret_host_api* host_;
  ferret_file* file_;
  Reader reader_;
  bool damaged_ = false;
  bool stopped_ = false;
  bool second_pass_ = false;
  std::string name_;  // the torrent's name, prefix of a v1 single file's path
};

bool TorrentParser::starts_like_torrent() {
  for (const auto& m : kMagics) {
    bool same = true;
    for (std::size_t i = 0; i < m.length && same; ++i) same = reader_.byte_at(i) == m.bytes[i];
    if (same) return true;
  }
  return false;
}

std::vector<std::string> TorrentParser::trackers(const Value& list) {
  std::vector<std::string> urls;
  if (list.kind != Kind::list) return urls;
  // announce-list is a list of tiers, each a list of URLs; a flat list of URLs is tolerated.
  reader_.for_each_element(list.begin, [&](const Value& tier) {
    if (tier.kind == Kind::string) {
      urls.push_back(text_of(tier, kMaxName));
    } else if (tier.kind == Kind::list) {
      reader_.for_each_element(tier.begin, [&](const Value& url) {
        if (url.kind == Kind::string) urls.push_back(text_of(url, kMaxName));
        return urls.size() < kMaxTrackers;
      });
    }
    return urls.size() < kMaxTrackers;
  });
  return urls;
}

std::string TorrentParser::join_path(const Value& list) {
  std::string path;
  std::size_t count = 0;
  bool bad = false;
  reader_.for_each_element(list.begin, [&](const Value& component) {
    if (component.kind != Kind::string) {
      bad = true;
      return false;
    }
    if (count > 0) path += '/';
    path += text_of(component, kMaxName);
    if (path.size() > kMaxPath) bad = true;
    return !bad && ++count < kMaxComponents;
  });
  return bad ? std::string() : path;
}

bool TorrentParser::walk_v1_list(const Value& files, const std::function<bool(const ListedFile&)>& visit) {
  std::size_t bad_entries = 0;
  bool go_on = true;
  reader_.for_each_element(files.begin, [&](const Value& entry) {
    if (entry.kind != Kind::dict) {
      ++bad_entries;
      return true;
    }
    const auto length = reader_.find(entry, "length");
    const auto attr = reader_.find(entry, "attr");
    // BEP 47 padding files fill pieces to alignment in hybrid torrents; they hold no content.
    if (attr && attr->kind == Kind::string && reader_.bytes(*attr, 64).find('p') != std::string::npos) return true;
    // path.utf-8 is what clients write beside a path in a legacy encoding.
    auto path_value = reader_.find(entry, "path.utf-8");
    if (!path_value || path_value->kind != Kind::list) path_value = reader_.find(entry, "path");
    ListedFile f;
    if (path_value && path_value->kind == Kind::list) f.path = join_path(*path_value);
    if (!length || length->kind != Kind::integer || length->integer < 0 || f.path.empty()) {
      ++bad_entries;
      return true;
    }
    f.length = length->integer;
    go_on = visit(f);
    return go_on;
  });
  if (bad_entries > 0) warn("files list entries without a usable length or path, skipped: " + std::to_string(bad_entries));
  return go_on;
}

bool TorrentParser::walk_v2_tree(const Value& dict, std::vector<std::string>& components, int depth,
                                 const std::function<bool(const ListedFile&)>& visit) {
  // The depth limit is the reader's own (64); this one keeps the walk's recursion bounded too.
  if (depth > kMaxTreeDepth || components.size() > kMaxComponents) {
    warn("the v2 file tree nests deeper than " + std::to_string(kMaxTreeDepth) + " levels; the rest skipped");
    return true;
  }
  bool go_on = true;
  reader_.for_each_entry(dict.begin, [&](const Value& key, const Value& value) {
    if (value.kind != Kind::dict) return true;
    if (key.text_length == 0) {
      // The "" key marks a file: its dictionary holds length and pieces root.
      const auto length = reader_.find(value, "length");
      if (components.empty() || !length || length->kind != Kind::integer || length->integer < 0) {
        warn("a v2 file tree entry without a usable length; skipped");
        return true;
      }
      ListedFile f;
      for (std::size_t i = 0; i < components.size(); ++i) f.path += (i ? "/" : "") + components[i];
      if (f.path.size() > kMaxPath) {
        warn("a v2 file tree path longer than " + std::to_string(kMaxPath) + " bytes; skipped");
        return true;
      }
      f.length = length->integer;
      go_on = visit(f);
      return go_on;
    }
    components.push_back(text_of(key, kMaxName));
    go_on = walk_v2_tree(value, components, depth + 1, visit);
    components.pop_back();
    return go_on;
  });
  return go_on;
}

bool TorrentParser::walk_files(const Value& info, const std::function<bool(const ListedFile&)>& visit) {
  // A hybrid torrent describes its files twice; the v1 list (padding skipped) is read when present.
  if (const auto files = reader_.find(info, "files"); files && files->kind == Kind::list) return walk_v1_list(*files, visit);
  if (const auto length = reader_.find(info, "length"); length && length->kind == Kind::integer) {
    if (length->integer < 0) {
      warn("the info dictionary's length is negative");
      return true;
    }
    return visit(ListedFile{name_, length->integer});
  }
  if (const auto tree = reader_.find(info, "file tree"); tree && tree->kind == Kind::dict) {
    std::vector<std::string> components;
    return walk_v2_tree(*tree, components, 0, visit);
  }
  warn("the info dictionary lists no files (no length, files or file tree)");
  return true;
}

bool TorrentParser::hash_info(const Value& info, bool v2, std::string& v1_hex, std::string& v2_hex) {
  plugin_sha1 sha1;
  plugin_sha256 sha256;
  plugin_sha1_init(&sha1);
  plugin_sha256_init(&sha256);
  // The info-hash is of the bytes as they are in the file, never of a re-encoding.
  const bool ok = reader_.for_each_chunk(info.begin, info.end, [&](const unsigned char* data, std::size_t length) {
    plugin_sha1_update(&sha1, data, length);
    if (v2) plugin_sha256_update(&sha256, data, length);
  });
  if (!ok) return false;
  unsigned char digest[PLUGIN_SHA256_DIGEST_SIZE];
  char hex[2 * PLUGIN_SHA256_DIGEST_SIZE + 1];
  plugin_sha1_final(&sha1, digest);
  plugin_hex(digest, PLUGIN_SHA1_DIGEST_SIZE, hex);
  v1_hex = hex;
  if (v2) {
    plugin_sha256_final(&sha256, digest);
    plugin_hex(digest, PLUGIN_SHA256_DIGEST_SIZE, hex);
    v2_hex = hex;
  }
  return true;
}

ferret_parse_result TorrentParser::run() {
  if (reader_.size() < 2 || reader_.byte_at(0) != 'd') return FERRET_PARSE_NOT_MINE;

  // The top-level dictionary, entry by entry, so that what precedes damage is still read.
  std::optional<Value> announce, announce_list, comment, comment_utf8, created_by, creation_date, info;
  std::size_t entries = 0;
  const bool whole = reader_.for_each_entry(0, [&](const Value& key, const Value& value) {
    ++entries;
    if (reader_.equals(key, "announce")) announce = value;
    else if (reader_.equals(key, "announce-list")) announce_list = value;
    else if (reader_.equals(key, "comment")) comment = value;
    else if (reader_.equals(key, "comment.utf-8")) comment_utf8 = value;
    else if (reader_.equals(key, "created by")) created_by = value;
    else if (reader_.equals(key, "creation date")) creation_date = value;
    else if (reader_.equals(key, "info") && !info) info = value;
    return true;
  });
  if (!whole) {
    const auto failure = reader_.failure();
    if (failure.error == ferret_plugins::bencode::Error::stopped) {
      ferret_plugins::log(host_, file_, FERRET_LOG_WARNING, "stopped at the host's request");
      return FERRET_PARSE_FAILED;
    }
    if (entries == 0 && !starts_like_torrent()) return FERRET_PARSE_NOT_MINE;
    warn("the torrent's top-level dictionary is damaged (" + ferret_plugins::bencode::describe(failure) + "); " +
         std::to_string(entries) + " entries before it were read");
  }
  if (!info) {
    if (whole && !announce && !announce_list && !created_by && !creation_date && !comment) return FERRET_PARSE_NOT_MINE;
    warn("no readable info dictionary: the info-hash cannot be computed and no torrent artifact is recorded");
    return FERRET_PARSE_MALFORMED;
  }
  if (info->kind != Kind::dict) {
    warn("the info entry is not a dictionary; no torrent artifact is recorded");
    return FERRET_PARSE_MALFORMED;
  }

  const auto meta_version = reader_.find(*info, "meta version");
  const bool v2 = meta_version && meta_version->kind == Kind::integer && meta_version->integer == 2;
  std::string hash_v1, hash_v2;
  if (!hash_info(*info, v2, hash_v1, hash_v2)) {
    warn("the info dictionary could not be read to hash it (" + ferret_plugins::bencode::describe(reader_.failure()) + ")");
    return FERRET_PARSE_MALFORMED;
  }

  Row torrent;
  torrent.text("info_hash_v1", hash_v1);
  if (v2) torrent.text("info_hash_v2", hash_v2);
  auto name = reader_.find(*info, "name.utf-8");
  if (!name || name->kind != Kind::string) name = reader_.find(*info, "name");
  if (name && name->kind == Kind::string) {
    name_ = text_of(*name, kMaxName);
    torrent.text("name", name_);
  }
  if (const auto v = reader_.find(*info, "piece length"); v && v->kind == Kind::integer && v->integer > 0) torrent.integer("piece_length", v->integer);
  if (const auto v = reader_.find(*info, "private"); v && v->kind == Kind::integer) torrent.integer("private", v->integer == 1 ? 1 : 0);
  if (const auto v = reader_.find(*info, "source"); v && v->kind == Kind::string) torrent.text("source", text_of(*v, kMaxName));

  // First pass over the files: how many and how large, before the torrent artifact is recorded.
  std::int64_t file_count = 0, total = 0;
  bool overflow = false;
  if (!walk_files(*info, [&](const ListedFile& f) {
        ++file_count;
        if (f.length > INT64_MAX - total) overflow = true;
        else total += f.length;
        return !host_->should_stop(file_);
      })) {
    stopped_ = true;
  }
  if (overflow) warn("the files' lengths add up past 2^63; total_length is left out");
  if (file_count > 0) {
    torrent.integer("file_count", file_count);
    if (!overflow) torrent.integer("total_length", total);
  }

  std::vector<std::string> urls;
  if (announce_list) urls = trackers(*announce_list);
  if (announce && announce->kind == Kind::string) torrent.text("announce", text_of(*announce, kMaxName));
  else if (!urls.empty()) torrent.text("announce", urls.front());
  if (!urls.empty()) {
    std::string joined;
    for (std::size_t i = 0; i < urls.size() && joined.size() < kMaxTrackerText; ++i) joined += (i ? "\n" : "") + urls[i];
    torrent.text("announce_list", joined);
  }
  if (created_by && created_by->kind == Kind::string) torrent.text("created_by", text_of(*created_by, kMaxName));
  if (creation_date && creation_date->kind == Kind::integer) {
    const std::string when = ferret_plugins::utc_time(creation_date->integer);
    if (when.empty()) warn("creation date " + std::to_string(creation_date->integer) + " is not a time between 1970 and 9999; left out");
    else torrent.text("creation_date", when);
  }
  const auto& comment_value = comment_utf8 && comment_utf8->kind == Kind::string ? comment_utf8 : comment;
  if (comment_value && comment_value->kind == Kind::string) torrent.text("comment", text_of(*comment_value, kMaxText));

  if (!torrent.has("name")) {
    warn("the info dictionary has no name; torrent " + hash_v1 + " cannot be recorded without one");
    return FERRET_PARSE_MALFORMED;
  }
  ferret_plugins::Budget budget;
  budget.take(torrent);
  const std::int64_t parent = torrent.emit(host_, file_, "torrent");
  if (parent < 0) return FERRET_PARSE_FAILED;

  // Second pass: one artifact per file, while the file's output stays within the host's limits.
  std::int64_t emitted = 0;
  bool out_of_budget = false;
  second_pass_ = true;
  if (!stopped_ && !walk_files(*info, [&](const ListedFile& f) {
        Row row;
        row.text("path", f.path);
        row.integer("length", f.length);
        row.integer("parent", parent);
        if (!budget.take(row)) {
          out_of_budget = true;
          return false;
        }
        if (row.emit(host_, file_, "torrent_file") >= 0) ++emitted;
        return !host_->should_stop(file_);
      }) && !out_of_budget) {
    stopped_ = true;
  }
  if (out_of_budget) {
    ferret_plugins::log(host_, file_, FERRET_LOG_WARNING,
                        "the torrent lists " + std::to_string(file_count) + " files; the first " + std::to_string(emitted) +
                            " were recorded as torrent_file artifacts (more would pass the host's limits for one file)");
  }
  if (stopped_ || reader_.stopped()) {
    ferret_plugins::log(host_, file_, FERRET_LOG_WARNING, "stopped at the host's request before every file was recorded");
    return FERRET_PARSE_FAILED;
  }
  return damaged_ ? FERRET_PARSE_MALFORMED : FERRET_PARSE_OK;
}

ferret_parse_result parse(ferret_file* file, const ferret_host_api* host) {
  // Nothing may cross the C boundary: an exception (bad_alloc) becomes a logged failure.
  try {
    TorrentParser parser(host, file);
    return parser.run();
  } catch (const std::exception& e) {
    host->log(file, FERRET_LOG_ERROR, (std::string("torrent plugin failed: ") + e.what()).c_str());
  } catch (...) {
    host->log(file, FERRET_LOG_ERROR, "torrent plugin failed: unknown exception");
  }
  return FERRET_PARSE_FAILED;
}

const ferret_plugin kPlugin = {
    sizeof(ferret_plugin),
    FERRET_PLUGIN_ABI_VERSION,
    "torrent",
    "1.0.0",
    "BitTorrent metainfo (.torrent): info-hashes v1/v2, name, trackers, dates and the files listed",
    {kMimeTypes, 1, kExtensions, 1, nullptr, 0, kMagics, sizeof kMagics / sizeof kMagics[0]},
    kKinds,
    sizeof kKinds / sizeof kKinds[0],
    parse,
};

}  // namespace

extern "C" FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host) {
  if (!host || host->abi_version != FERRET_PLUGIN_ABI_VERSION || host->struct_size < sizeof(ferret_host_api)) return nullptr;
  return &kPlugin;
}
