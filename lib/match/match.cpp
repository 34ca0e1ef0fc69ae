#include "match/match.h"

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "core/text.h"
#include "hash/digest.h"
#include "hashset/entry.h"
#include "hashset/format.h"
#include "hashset/json_reader.h"

namespace ferret::match {

using casedb::CaseWriter;
using casedb::Database;

namespace {

constexpr std::size_t kPageSize = 8192;  // files looked up per database page
constexpr hash::Algorithm kStrongestFirst[] = {hash::Algorithm::sha256, hash::Algorithm::sha1, hash::Algorithm::md5};

struct OpenSet {
  hashset::HashSetIndex index;
  SetSummary summary;
};

Result<std::string> sha256_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io, "cannot read " + path.string());
  hash::Digest digest(hash::Algorithm::sha256);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n > 0) digest.update(std::as_bytes(std::span(buffer.data(), n)));
  }
  if (in.bad()) return make_error(Errc::io, "cannot read " + path.string());
  return digest.finish_hex();
}

Result<OpenSet> open_set(const std::filesystem::path& path) {
  auto index = hashset::HashSetIndex::open(path);
  if (!index.ok()) return make_error(index.error().code, path.string() + ": " + index.error().message);
  auto meta = hashset::json::parse(index->metadata_json());
  if (!meta.ok()) return make_error(Errc::corrupt, path.string() + ": unreadable metadata: " + meta.error().message);
  OpenSet set{std::move(*index), {}};
  set.summary.name = meta->string_or("name");
  set.summary.category = meta->string_or("category");
  set.summary.path = path.string();
  if (set.summary.name.empty() || !hashset::category_from_name(set.summary.category)) {
    return make_error(Errc::corrupt, path.string() + ": the set names no name or no valid category");
  }
  auto sha = sha256_of_file(path);
  if (!sha.ok()) return sha.error();
  set.summary.sha256 = *sha;
  return set;
}

struct Hashed {
  std::int64_t file_id = 0;
  std::string md5, sha1, sha256;
  const std::string& get(hash::Algorithm a) const {
    return a == hash::Algorithm::md5 ? md5 : a == hash::Algorithm::sha1 ? sha1 : sha256;
  }
};

struct Hit {
  std::int64_t file_id = 0;
  std::size_t set = 0;
  hash::Algorithm algorithm = hash::Algorithm::sha256;
  std::string hash;
  std::string title, release, rights_holder;
};

Result<std::vector<Hashed>> load_page(Database& db, std::int64_t after) {
  auto s = db.prepare(
      "SELECT file_id, coalesce(md5, ''), coalesce(sha1, ''), coalesce(sha256, '') FROM files "
      "WHERE content_state = 'intact' AND file_id > ?1 ORDER BY file_id LIMIT " + std::to_string(kPageSize));
  if (!s.ok()) return s.error();
  s->bind(1, after);
  std::vector<Hashed> out;
  while (true) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back({s->column_int(0), s->column_text(1), s->column_text(2), s->column_text(3)});
  }
  return out;
}

// Records a page of hits in one transaction; returns how many rows were new, per set.
Result<std::vector<std::uint64_t>> store(Database& db, const std::vector<Hit>& hits, const std::vector<OpenSet>& sets,
                                         std::int64_t run_id) {
  auto insert = db.prepare(
      "INSERT OR IGNORE INTO matches(file_id, hashset, category, algorithm, hash, title, release, rights_holder, "
      "hashset_sha256, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!insert.ok()) return insert.error();
  auto non_empty = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
  std::vector<std::uint64_t> added(sets.size(), 0);
  const Status stored = casedb::all_or_nothing(db, "matches", [&]() -> Status {
    for (const Hit& h : hits) {
      const SetSummary& set = sets[h.set].summary;
      insert->reset();
      insert->bind(1, h.file_id).bind(2, set.name).bind(3, set.category).bind(4, hash::algorithm_name(h.algorithm))
          .bind(5, h.hash).bind(6, non_empty(h.title)).bind(7, non_empty(h.release)).bind(8, non_empty(h.rights_holder))
          .bind(9, set.sha256).bind(10, run_id);
      FERRET_TRY(insert->run());
      added[h.set] += static_cast<std::uint64_t>(db.changes());
    }
    return {};
  });
  if (!stored.ok()) return stored.error();
  return added;
}

}  // namespace

Result<MatchSummary> match_files(CaseWriter& writer, const MatchOptions& options) {
  if (options.hashsets.empty()) return make_error(Errc::invalid_argument, "no hash set given");
  std::vector<OpenSet> sets;
  for (const auto& path : options.hashsets) {
    auto set = open_set(path);
    if (!set.ok()) return set.error();
    sets.push_back(std::move(*set));
  }
  MatchSummary summary;
  const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed); };
  std::int64_t after = 0;
  while (!cancelled()) {
    auto page = writer.call<std::vector<Hashed>>([&](Database& db) { return load_page(db, after); });
    if (!page.ok()) return page.error();
    if (page->empty()) break;
    after = page->back().file_id;
    summary.files_checked += page->size();
    std::vector<Hit> hits;
    for (const Hashed& file : *page) {
      for (std::size_t s = 0; s < sets.size(); ++s) {
        for (hash::Algorithm algorithm : kStrongestFirst) {
          const std::string& hex = file.get(algorithm);
          if (hex.empty() || !sets[s].index.has(algorithm)) continue;
          auto digest = hashset::parse_hex_digest(algorithm, hex);
          if (!digest.ok()) continue;  // not a digest we wrote: nothing to look up
          auto ref = sets[s].index.lookup(algorithm, digest->view());
          if (!ref) continue;
          Hit hit{file.file_id, s, algorithm, hex, {}, {}, {}};
          if (ref->has_metadata()) {
            auto info = sets[s].index.entry(*ref);
            if (!info.ok()) return make_error(Errc::corrupt, sets[s].summary.path + ": " + info.error().message);
            hit.title = std::string(info->title);
            hit.release = std::string(info->release);
            hit.rights_holder = std::string(info->rights_holder);
          }
          hits.push_back(std::move(hit));
        }
      }
    }
    if (hits.empty()) continue;
    auto added = writer.call<std::vector<std::uint64_t>>([&](Database& db) { return store(db, hits, sets, options.run_id); });
    if (!added.ok()) return added.error();
    for (std::size_t s = 0; s < sets.size(); ++s) sets[s].summary.new_matches += (*added)[s];
  }
  summary.interrupted = cancelled();

  // files.known from every match on record (earlier runs' included), then the figures.
  auto known = writer.call<bool>([&](Database& db) -> Result<bool> {
    FERRET_TRY(db.exec(
        "UPDATE files SET known = CASE WHEN EXISTS (SELECT 1 FROM matches m WHERE m.file_id = files.file_id AND m.category = 'notable') "
        "THEN 'notable' WHEN EXISTS (SELECT 1 FROM matches m WHERE m.file_id = files.file_id AND m.category = 'known-good') "
        "THEN 'known-good' ELSE known END WHERE file_id IN (SELECT file_id FROM matches)"));
    auto counts = db.prepare("SELECT count(*) FILTER (WHERE known = 'notable'), count(*) FILTER (WHERE known = 'known-good') FROM files");
    if (!counts.ok()) return counts.error();
    auto row = counts->step();
    if (!row.ok()) return row.error();
    summary.notable = static_cast<std::uint64_t>(counts->column_int(0));
    summary.known_good = static_cast<std::uint64_t>(counts->column_int(1));
    auto per_set = db.prepare("SELECT count(DISTINCT file_id) FROM matches WHERE hashset = ?1 AND hashset_sha256 = ?2");
    if (!per_set.ok()) return per_set.error();
    for (auto& set : sets) {
      per_set->reset();
      per_set->bind(1, set.summary.name).bind(2, set.summary.sha256);
      auto r = per_set->step();
      if (!r.ok()) return r.error();
      set.summary.files_matched = static_cast<std::uint64_t>(per_set->column_int(0));
    }
    return true;
  });
  if (!known.ok()) return known.error();
  for (auto& set : sets) summary.sets.push_back(std::move(set.summary));
  return summary;
}

std::string summary_json(const MatchSummary& s, double seconds) {
  std::ostringstream o;
  o << "{\"files_checked\":" << s.files_checked << ",\"notable\":" << s.notable << ",\"known_good\":" << s.known_good
    << ",\"interrupted\":" << (s.interrupted ? "true" : "false") << ",\"seconds\":" << seconds << ",\"sets\":[";
  for (std::size_t i = 0; i < s.sets.size(); ++i) {
    const auto& set = s.sets[i];
    o << (i ? "," : "") << "{\"name\":\"" << json_escape(set.name) << "\",\"category\":\"" << set.category << "\",\"path\":\""
      << json_escape(set.path) << "\",\"sha256\":\"" << set.sha256 << "\",\"files_matched\":" << set.files_matched
      << ",\"new_matches\":" << set.new_matches << "}";
  }
  o << "]}";
  return o.str();
}

std::string summary_text(const MatchSummary& s, double seconds) {
  std::ostringstream o;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
  o << "checked " << s.files_checked << " hashed files against " << s.sets.size() << " hash set(s) in " << secs << " s\n";
  for (const auto& set : s.sets) {
    o << "  " << display_text(set.name) << " (" << set.category << "): " << set.files_matched << " file(s) match, "
      << set.new_matches << " new match(es) recorded\n";
  }
  o << "  files known: " << s.notable << " notable, " << s.known_good << " known-good\n";
  if (s.interrupted) o << "  interrupted: run the same command again to finish\n";
  return o.str();
}

}  // namespace ferret::match
