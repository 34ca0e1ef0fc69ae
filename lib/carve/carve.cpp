// The case side of carving: the space to scan and the known file starts from the case, the items
// written back as carved files, one transaction per evidence.
#include "carve/carve.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "content/content.h"
#include "core/text.h"

namespace ferret::carve {

using casedb::CaseWriter;
using casedb::Database;

namespace {

struct Evidence {
  std::int64_t id = 0;
  std::string path;
  std::uint64_t size = 0;
};

struct Volume {
  std::int64_t id = 0;
  std::uint64_t offset = 0, length = 0;
};

template <class T, class F>
Result<std::vector<T>> query_all(Database& db, const std::string& sql, std::optional<std::int64_t> bind1, F&& row_of) {
  auto s = db.prepare(sql);
  if (!s.ok()) return s.error();
  if (bind1) s->bind(1, *bind1);
  std::vector<T> out;
  for (;;) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(row_of(*s));
  }
  return out;
}

// The unallocated ranges of one evidence, sorted, touching ranges of one volume merged.
std::vector<Extent> merge_extents(std::vector<Extent> in) {
  std::sort(in.begin(), in.end(), [](const Extent& a, const Extent& b) { return a.offset < b.offset; });
  std::vector<Extent> out;
  for (const Extent& e : in) {
    if (e.length == 0) continue;
    if (!out.empty() && out.back().volume_id == e.volume_id && out.back().offset + out.back().length >= e.offset) {
      out.back().length = std::max(out.back().offset + out.back().length, e.offset + e.length) - out.back().offset;
    } else if (!out.empty() && out.back().offset + out.back().length > e.offset) {
      // Overlapping ranges of different volumes (should not happen): scan the overlap once.
      const std::uint64_t end = e.offset + e.length;
      const std::uint64_t prev_end = out.back().offset + out.back().length;
      if (end > prev_end) out.push_back({prev_end, end - prev_end, e.volume_id});
    } else {
      out.push_back(e);
    }
  }
  return out;
}

// The innermost volume holding `offset` (for items carved from the whole media).
std::optional<std::int64_t> volume_at(const std::vector<Volume>& volumes, std::uint64_t offset) {
  std::optional<std::int64_t> best;
  std::uint64_t best_length = UINT64_MAX;
  for (const Volume& v : volumes) {
    if (offset >= v.offset && offset - v.offset < v.length && v.length < best_length) {
      best = v.id;
      best_length = v.length;
    }
  }
  return best;
}

std::string carved_name(const FoundItem& item) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%013llu", static_cast<unsigned long long>(item.offset));
  return std::string(digits) + "." + (item.extension.empty() ? item.family : item.extension);
}

struct Written {
  std::uint64_t new_items = 0;
};

Result<Written> store(Database& db, const std::vector<FoundItem>& items, const EvidenceCarve& scan,
                      const std::vector<UnreadableSpan>& unreadable, const std::string& types, std::int64_t run_id) {
  auto insert = db.prepare(
      "INSERT OR IGNORE INTO files(evidence_id, volume_id, origin, path, name, type, size, allocated, md5, sha1, sha256, "
      "mime, content_state, hash_run_id, carve_status, carve_detail, carve_type, carve_offset, carve_run_id) "
      "VALUES (?1, ?2, 'carved', ?3, ?4, 'file', ?5, 0, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?11)");
  if (!insert.ok()) return insert.error();
  auto run = db.prepare("INSERT INTO file_runs(file_id, seq, file_offset, image_offset, length) VALUES (?1, 0, 0, ?2, ?3)");
  if (!run.ok()) return run.error();
  auto error = db.prepare(
      "INSERT INTO errors(run_id, evidence_id, volume_id, kind, image_offset, length, message) VALUES (?1, ?2, NULL, 'unreadable', ?3, ?4, ?5)");
  if (!error.ok()) return error.error();
  auto item_error = db.prepare(
      "INSERT INTO errors(run_id, evidence_id, volume_id, file_id, kind, image_offset, length, message) "
      "SELECT ?1, evidence_id, volume_id, file_id, 'unreadable', ?3, ?4, ?5 FROM files "
      "WHERE evidence_id = ?2 AND origin = 'carved' AND carve_offset = ?3");
  if (!item_error.ok()) return item_error.error();
  auto scan_row = db.prepare(
      "INSERT OR REPLACE INTO carve_scans(run_id, evidence_id, space, types, bytes_scanned, candidates, complete, partial, "
      "already_known, new_items, unreadable) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!scan_row.ok()) return scan_row.error();

  Written out;
  const ferret::Status written = casedb::all_or_nothing(db, "carved", [&]() -> ferret::Status {
    for (const FoundItem& item : items) {
      if (item.known) continue;
      const std::string name = carved_name(item);
      const bool hashed = item.digests.has_value() && !item.unreadable;
      insert->reset();
      insert->bind(1, scan.evidence_id).bind(2, item.volume_id).bind(3, "/$Carved/" + name).bind(4, name)
          .bind(5, static_cast<std::int64_t>(item.length));
      if (hashed) {
        insert->bind(6, item.digests->md5).bind(7, item.digests->sha1).bind(8, item.digests->sha256);
        insert->bind(9, item.mime.empty() ? std::optional<std::string>() : std::optional<std::string>(item.mime));
        insert->bind(10, "intact");
      } else {
        insert->bind_null(6).bind_null(7).bind_null(8).bind_null(9);
        insert->bind(10, "unreadable");
      }
      insert->bind(11, run_id).bind(12, status_name(item.status));
      insert->bind(13, item.missing.empty() ? std::optional<std::string>() : std::optional<std::string>(item.missing));
      insert->bind(14, item.type).bind(15, static_cast<std::int64_t>(item.offset));
      if (ferret::Status s = insert->run(); !s.ok()) return s;
      if (db.changes() > 0) {  // else recorded by an earlier run
        ++out.new_items;
        run->reset();
        run->bind(1, db.last_insert_rowid()).bind(2, static_cast<std::int64_t>(item.offset)).bind(3, static_cast<std::int64_t>(item.length));
        if (ferret::Status s = run->run(); !s.ok()) return s;
      }
      if (!hashed) {
        // Found, but its bytes could not all be read back: say so against the item (this run's finding).
        item_error->reset();
        item_error->bind(1, run_id).bind(2, scan.evidence_id).bind(3, static_cast<std::int64_t>(item.offset))
            .bind(4, static_cast<std::int64_t>(item.length))
            .bind(5, "carving: the " + item.type + " item's bytes could not all be read back from the media");
        if (ferret::Status s = item_error->run(); !s.ok()) return s;
      }
    }
    for (const UnreadableSpan& u : unreadable) {
      error->reset();
      error->bind(1, run_id).bind(2, scan.evidence_id).bind(3, static_cast<std::int64_t>(u.offset))
          .bind(4, static_cast<std::int64_t>(u.length)).bind(5, "carving: " + u.message);
      if (ferret::Status s = error->run(); !s.ok()) return s;
    }
    scan_row->bind(1, run_id).bind(2, scan.evidence_id).bind(3, scan.space).bind(4, types)
        .bind(5, static_cast<std::int64_t>(scan.bytes_scanned)).bind(6, static_cast<std::int64_t>(scan.candidates))
        .bind(7, static_cast<std::int64_t>(scan.complete)).bind(8, static_cast<std::int64_t>(scan.partial))
        .bind(9, static_cast<std::int64_t>(scan.already_known)).bind(10, static_cast<std::int64_t>(out.new_items))
        .bind(11, static_cast<std::int64_t>(scan.unreadable));
    if (ferret::Status s = scan_row->run(); !s.ok()) return s;
    return {};
  });
  if (!written.ok()) return written.error();
  return out;
}

}  // namespace

bool CarveSummary::met_unreadable() const {
  for (const auto& e : evidence) {
    if (e.unreadable > 0 || !e.problem.empty()) return true;
  }
  return false;
}

Result<CarveSummary> carve_case(CaseWriter& writer, const CarveOptions& options) {
  std::string types;
  for (const auto& f : options.families) types += (types.empty() ? "" : ",") + f;
  if (types.empty()) {
    for (auto f : families()) types += (types.empty() ? "" : ",") + std::string(f);
  }
  auto evidence = writer.call<std::vector<Evidence>>([&](Database& db) {
    return query_all<Evidence>(db, "SELECT evidence_id, path, size FROM evidence WHERE ?1 IS NULL OR evidence_id = ?1 ORDER BY evidence_id",
                               options.evidence_id ? options.evidence_id : std::optional<std::int64_t>(),
                               [](casedb::Statement& s) {
                                 return Evidence{s.column_int(0), s.column_text(1), static_cast<std::uint64_t>(s.column_int(2))};
                               });
  });
  if (!evidence.ok()) return evidence.error();
  if (options.evidence_id && evidence->empty()) {
    return make_error(Errc::not_found, "no evidence " + std::to_string(*options.evidence_id) + " in this case");
  }

  CarveSummary summary;
  const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed); };
  for (std::size_t index = 0; index < evidence->size(); ++index) {
    const Evidence& ev = (*evidence)[index];
    EvidenceCarve scan;
    scan.evidence_id = ev.id;
    scan.path = ev.path;
    scan.space = options.all_space ? "all" : "unallocated";
    if (cancelled()) break;
    auto source = content::reopen_evidence(ev.path, ev.size, options.open_image);
    if (!source.ok()) {
      scan.problem = source.error().message;
      writer.post([&, why = source.error()](Database& db) {
        return content::record_unopened_evidence(db, options.run_id, ev.id, ev.path, why);
      });
      FERRET_TRY(writer.flush());
      summary.evidence.push_back(std::move(scan));
      continue;
    }
    struct CaseView {
      std::vector<Extent> extents;
      std::vector<Volume> volumes;
      std::vector<std::uint64_t> known_starts;
    };
    auto view = writer.call<CaseView>([&](Database& db) -> Result<CaseView> {
      CaseView out;
      auto volumes = query_all<Volume>(db, "SELECT volume_id, start_offset, length FROM volumes WHERE evidence_id = ?1", ev.id,
                                       [](casedb::Statement& s) {
                                         return Volume{s.column_int(0), static_cast<std::uint64_t>(s.column_int(1)),
                                                       static_cast<std::uint64_t>(s.column_int(2))};
                                       });
      if (!volumes.ok()) return volumes.error();
      out.volumes = std::move(*volumes);
      if (!options.all_space) {
        auto extents = query_all<Extent>(db, "SELECT start_offset, length, volume_id FROM unallocated WHERE evidence_id = ?1", ev.id,
                                         [](casedb::Statement& s) {
                                           return Extent{static_cast<std::uint64_t>(s.column_int(0)),
                                                         static_cast<std::uint64_t>(s.column_int(1)), s.column_optional_int(2)};
                                         });
        if (!extents.ok()) return extents.error();
        out.extents = merge_extents(std::move(*extents));
      }
      // Where the content of every listed file begins (deleted ones too, unless their blocks now
      // belong to another file): a carved item starting there is that file's content.
      auto starts = query_all<std::uint64_t>(
          db,
          "SELECT DISTINCT r.image_offset FROM file_runs r JOIN files f ON f.file_id = r.file_id "
          "WHERE f.evidence_id = ?1 AND f.origin <> 'carved' AND f.virtual = 0 AND r.file_offset = 0 "
          "AND r.image_offset IS NOT NULL AND coalesce(f.content_state, '') <> 'reallocated' ORDER BY 1",
          ev.id, [](casedb::Statement& s) { return static_cast<std::uint64_t>(s.column_int(0)); });
      if (!starts.ok()) return starts.error();
      out.known_starts = std::move(*starts);
      return out;
    });
    if (!view.ok()) return view.error();
    if (options.all_space) view->extents.push_back({0, (*source)->size(), std::nullopt});
    scan.extents = view->extents.size();

    ScanOptions scan_options;
    scan_options.families = options.families;
    scan_options.limits = options.limits;
    scan_options.threads = options.threads;
    scan_options.known_starts = std::move(view->known_starts);
    scan_options.cancel = options.cancel;
    if (options.progress) {
      scan_options.progress = [&, index](const ScanProgress& p) { options.progress(index + 1, evidence->size(), p); };
    }
    auto found = scan_extents(**source, view->extents, scan_options);
    if (!found.ok()) return found.error();
    if (found->interrupted) {
      summary.interrupted = true;
      break;  // nothing of this evidence is written: a rerun carves it whole
    }
    if (options.all_space) {
      for (FoundItem& item : found->items) item.volume_id = volume_at(view->volumes, item.offset);
    }
    scan.bytes_scanned = found->bytes_scanned;
    scan.candidates = found->candidates;
    scan.unreadable = found->unreadable.size();
    std::map<std::string, TypeCount> by_type;
    for (const FoundItem& item : found->items) {
      if (item.known) {
        ++scan.already_known;
        continue;
      }
      if (item.unreadable) ++scan.unreadable;  // its range is recorded in errors against the item
      auto& t = by_type[item.type];
      t.type = item.type;
      if (item.status == Status::complete) {
        ++scan.complete;
        ++t.complete;
      } else {
        ++scan.partial;
        ++t.partial;
      }
    }
    for (auto& [name, count] : by_type) scan.types.push_back(count);
    auto written = writer.call<Written>([&](Database& db) {
      return store(db, found->items, scan, found->unreadable, types, options.run_id);
    });
    if (!written.ok()) return written.error();
    scan.new_items = written->new_items;
    summary.evidence.push_back(std::move(scan));
  }
  summary.interrupted = summary.interrupted || cancelled();
  return summary;
}

std::string summary_json(const CarveSummary& summary, double seconds) {
  std::ostringstream o;
  std::uint64_t found = 0, complete = 0, partial = 0, known = 0, added = 0, bytes = 0;
  for (const auto& e : summary.evidence) {
    complete += e.complete;
    partial += e.partial;
    known += e.already_known;
    added += e.new_items;
    bytes += e.bytes_scanned;
  }
  found = complete + partial;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  o << "{\"found\":" << found << ",\"complete\":" << complete << ",\"partial\":" << partial << ",\"already_known\":" << known
    << ",\"new_items\":" << added << ",\"bytes_scanned\":" << bytes << ",\"seconds\":" << secs
    << ",\"interrupted\":" << (summary.interrupted ? "true" : "false") << ",\"evidence\":[";
  for (std::size_t i = 0; i < summary.evidence.size(); ++i) {
    const auto& e = summary.evidence[i];
    o << (i ? "," : "") << "{\"evidence_id\":" << e.evidence_id << ",\"path\":\"" << json_escape(e.path) << "\",\"space\":\"" << e.space
      << "\",\"extents\":" << e.extents << ",\"bytes_scanned\":" << e.bytes_scanned << ",\"candidates\":" << e.candidates
      << ",\"complete\":" << e.complete << ",\"partial\":" << e.partial << ",\"already_known\":" << e.already_known
      << ",\"new_items\":" << e.new_items << ",\"unreadable_ranges\":" << e.unreadable;
    if (!e.problem.empty()) o << ",\"problem\":\"" << json_escape(e.problem) << "\"";
    o << ",\"types\":{";
    for (std::size_t t = 0; t < e.types.size(); ++t) {
      o << (t ? "," : "") << "\"" << json_escape(e.types[t].type) << "\":{\"complete\":" << e.types[t].complete
        << ",\"partial\":" << e.types[t].partial << "}";
    }
    o << "}}";
  }
  o << "]}";
  return o.str();
}

std::string summary_text(const CarveSummary& summary, double seconds) {
  std::ostringstream o;
  for (const auto& e : summary.evidence) {
    o << "evidence " << e.evidence_id << " (" << display_text(e.path) << "): ";
    if (!e.problem.empty()) {
      o << "not carved: " << display_text(e.problem) << "\n";
      continue;
    }
    o << (e.space == "all" ? "whole media, " : "unallocated space, ") << human_bytes(static_cast<double>(e.bytes_scanned))
      << " in " << e.extents << " range(s)\n";
    o << "  " << (e.complete + e.partial) << " found (" << e.complete << " complete, " << e.partial << " partial), "
      << e.already_known << " already known as files, " << e.new_items << " new in the case\n";
    for (const auto& t : e.types) {
      o << "    " << t.type << ": " << t.complete << " complete";
      if (t.partial) o << ", " << t.partial << " partial";
      o << "\n";
    }
    if (e.unreadable) o << "  " << e.unreadable << " unreadable range(s) skipped (recorded in errors)\n";
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f", seconds);
  o << "carving took " << secs << " s" << (summary.interrupted ? " (interrupted: nothing of the unfinished evidence recorded)" : "")
    << "\n";
  return o.str();
}

}  // namespace ferret::carve
