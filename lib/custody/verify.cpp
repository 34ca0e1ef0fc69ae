// Verifying a case: the chain, signatures, custody.log, runs, sealed results, derived columns and
// the evidence itself. Every check runs; findings are listed in the order found.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "content/content.h"
#include "core/text.h"
#include "custody/custody.h"
#include "custody/entries.h"
#include "custody/result_sets.h"
#include "hash/digest.h"

namespace ferret::custody {

using casedb::Database;

namespace {

constexpr std::size_t kRowsNamed = 5;  // rows named per broken seal

struct Entry {
  std::int64_t seq = 0, run_id = 0;
  std::string kind, body, prev_hash, entry_hash, public_key, signature;
};

struct Ctx {
  Database& db;
  VerifyReport& report;
  const VerifyOptions& options;
  std::map<std::int64_t, std::string> tools;  // runs that exist
  std::set<std::int64_t> unfinished;           // runs without an end time
  void add(const char* area, std::string message) { report.findings.push_back({area, std::move(message)}); }
  std::string run_name(std::int64_t run) const {
    auto it = tools.find(run);
    return "run " + std::to_string(run) + (it != tools.end() ? " (" + it->second + ")" : "");
  }
};

// The value of a simple member ("sealed_at":"...", "sealed_by_run":N) in a canonical body.
std::string member(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  const std::size_t at = body.rfind(key);
  if (at == std::string::npos) return {};
  std::size_t start = at + key.size(), end = start;
  if (start < body.size() && body[start] == '"') {
    end = body.find('"', start + 1);
    return end == std::string::npos ? std::string() : body.substr(start + 1, end - start - 1);
  }
  while (end < body.size() && body[end] != ',' && body[end] != '}') ++end;
  return body.substr(start, end - start);
}

Result<std::vector<Entry>> load_entries(Database& db) {
  auto s = db.prepare(
      "SELECT seq, run_id, kind, body, prev_hash, entry_hash, coalesce(public_key, ''), coalesce(signature, '') FROM custody_log ORDER BY seq");
  if (!s.ok()) return s.error();
  std::vector<Entry> out;
  for (;;) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back({s->column_int(0), s->column_int(1), s->column_text(2), s->column_text(3), s->column_text(4), s->column_text(5),
                   s->column_text(6), s->column_text(7)});
  }
  return out;
}

// What in the run's row differs from the body (the fields the body holds that the row no longer gives).
std::string differing_run_fields(Database& db, std::int64_t run_id, const std::string& body) {
  auto fragments = run_fragments(db, run_id);
  if (!fragments.ok()) return {};
  std::string out;
  for (const auto& f : *fragments) {
    if (body.find(f) == std::string::npos) {
      const std::string name = f.substr(1, f.find('"', 1) - 1);
      if (name == "finished_at" || name == "exit_code" || name == "summary_sha256") {
        if (body.find("\"kind\":\"run-start\"") != std::string::npos) continue;  // not in a start entry
      }
      out += (out.empty() ? "" : ", ") + name;
    }
  }
  return out;
}

Status check_chain(Ctx& ctx, const std::vector<Entry>& entries, std::int64_t current_run) {
  std::string expected_prev(64, '0');
  std::int64_t expected_seq = 1;
  std::set<std::int64_t> started, closed;
  for (const Entry& e : entries) {
    const std::string what = "entry " + std::to_string(e.seq) + " (" + ctx.run_name(e.run_id) + ", " + e.kind + ")";
    if (e.seq > expected_seq) {
      ctx.add("log", (e.seq - 1 > expected_seq ? "entries " + std::to_string(expected_seq) + " to " + std::to_string(e.seq - 1) + " are"
                                                : "entry " + std::to_string(expected_seq) + " is") +
                         " missing from the custody log: deleted");
    }
    if (e.prev_hash != expected_prev) {
      ctx.add("log", what + " does not follow the entry before it (its previous hash is not that entry's hash): entries were deleted, "
                            "inserted or reordered");
    }
    const bool intact = chain_hash(e.prev_hash, e.body) == e.entry_hash;
    if (!intact) ctx.add("log", what + " was edited: its hash does not match its content");
    // The body must be what the rows it vouches for give now (an edited body proves nothing).
    Result<std::string> rebuilt = make_error(Errc::internal, "");
    if (!intact) {
    } else if (ctx.tools.count(e.run_id) == 0) {
      ctx.add("runs", what + ": the run is no longer in the runs table (deleted)");
    } else {
      if (e.kind == "run-start") {
        rebuilt = start_body(ctx.db, e.run_id);
      } else if (e.kind == "run-end") {
        rebuilt = end_body(ctx.db, e.run_id, "run-end", std::nullopt);
      } else if (e.kind == "run-abandoned") {
        AbandonedBy by;
        by.run_id = std::atoll(member(e.body, "sealed_by_run").c_str());
        by.at = member(e.body, "sealed_at");
        rebuilt = end_body(ctx.db, e.run_id, "run-abandoned", by);
      }
      if (!rebuilt.ok()) return rebuilt.error();
      if (*rebuilt != e.body) {
        const std::string fields = differing_run_fields(ctx.db, e.run_id, e.body);
        if (!fields.empty()) {
          ctx.add("runs", "the runs row of " + ctx.run_name(e.run_id) + " was edited after " + what + " recorded it (" + fields + ")");
        } else {
          ctx.add("log", "the seals or inputs of " + ctx.run_name(e.run_id) + " were edited after " + what + " recorded them");
        }
      }
    }
    // Signatures.
    if (!e.signature.empty()) {
      ++ctx.report.signed_entries;
      if (!signature_holds(e.public_key, e.entry_hash, e.signature)) {
        ctx.add("signature", what + ": the signature does not hold (the entry or its signature was altered)");
      } else if (!ctx.options.trusted_public_key_hex.empty() && e.public_key != ctx.options.trusted_public_key_hex) {
        ctx.add("signature", what + " is signed by another key (" + e.public_key.substr(0, 16) + "...) than the one trusted");
      }
    } else if (ctx.options.require_signatures) {
      ctx.add("signature", what + " is not signed");
    }
    if (e.kind == "run-start") started.insert(e.run_id);
    else closed.insert(e.run_id);
    expected_prev = e.entry_hash;
    expected_seq = e.seq + 1;
  }
  for (const auto& [run, tool] : ctx.tools) {
    if (run == current_run) continue;
    if (!started.count(run) && !closed.count(run)) {
      ctx.add("runs", ctx.run_name(run) + " is not in the custody log: the runs row was inserted afterwards");
    } else if (!closed.count(run) && ctx.unfinished.count(run)) {
      ctx.add("runs", ctx.run_name(run) + " never finished (killed or crashed): its results are not sealed yet; the next tool "
                                          "run on this case seals them as found");
    } else if (!closed.count(run)) {
      ctx.add("log", ctx.run_name(run) + " ended but has no closing entry: the end of the custody log was cut off");
    }
  }
  return {};
}

void check_sidecar(Ctx& ctx, const std::filesystem::path& case_dir, const std::vector<Entry>& entries) {
  std::map<std::int64_t, const Entry*> by_seq;
  std::vector<const Entry*> ends;
  for (const Entry& e : entries) {
    by_seq[e.seq] = &e;
    if (e.kind == "run-end") ends.push_back(&e);
  }
  const auto path = case_dir / kSidecarName;
  std::ifstream in(path);
  if (!in) {
    if (!ends.empty()) ctx.add("sidecar", path.string() + " is missing: the chain heads it keeps cannot be compared");
    return;
  }
  std::string line;
  std::set<std::int64_t> listed;
  std::int64_t last = 0;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    ++ctx.report.sidecar_lines;
    std::istringstream fields(line);
    std::string seq_text, hash;
    std::getline(fields, seq_text, '\t');
    std::getline(fields, hash, '\t');
    const std::int64_t seq = std::atoll(seq_text.c_str());
    auto it = by_seq.find(seq);
    if (seq <= 0 || hash.size() != 64) {
      ctx.add("sidecar", path.string() + " line " + std::to_string(number) + " is not a custody line (edited)");
    } else if (it == by_seq.end()) {
      ctx.add("sidecar", path.string() + " line " + std::to_string(number) + " records entry " + seq_text +
                             ", which the case's custody log no longer has: the log was truncated or entries deleted");
    } else if (it->second->entry_hash != hash) {
      ctx.add("sidecar", "entry " + seq_text + " differs from its copy in " + path.string() + " (line " + std::to_string(number) +
                             "): the entry was replaced");
    }
    listed.insert(seq);
    last = std::max(last, seq);
  }
  for (const Entry* e : ends) {
    if (listed.count(e->seq)) continue;
    if (e->seq > last) {
      ctx.add("sidecar", path.string() + " ends at entry " + std::to_string(last) + " but the case's log has run-end entry " +
                             std::to_string(e->seq) + " (" + ctx.run_name(e->run_id) + "): " + path.filename().string() +
                             " was truncated or could not be written");
      break;
    }
    ctx.add("sidecar", path.string() + " lacks entry " + std::to_string(e->seq) + " (" + ctx.run_name(e->run_id) + "): a line was deleted");
  }
}

std::string row_name(const std::string& set, const std::string& key) {
  if (set == "file_content") return "files row " + key + " (content)";
  if (set == "carved_files") return "carved files row " + key;
  if (set == "file_runs") return "file_runs row " + key + " (file/seq)";
  if (set == "carve_scans") return "carve_scans row " + key + " (run/evidence)";
  if (set == "evidence_segments") return "evidence_segments row " + key + " (evidence/seq)";
  if (set == "case_info") return "case_info '" + key + "'";
  return set + " row " + key;
}

Status check_results(Ctx& ctx, std::int64_t current_run, const std::set<std::int64_t>& closed_runs) {
  struct Seal {
    std::string columns, digest;
    std::int64_t rows;
  };
  std::map<std::pair<std::int64_t, std::string>, Seal> seals;
  {
    auto s = ctx.db.prepare("SELECT run_id, result_set, columns, rows, digest FROM custody_seals");
    if (!s.ok()) return s.error();
    for (;;) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      seals[{s->column_int(0), s->column_text(1)}] = {s->column_text(2), s->column_text(4), s->column_int(3)};
    }
  }
  for (const auto& [key, seal] : seals) {
    if (!find_result_set(key.second)) ctx.add("results", ctx.run_name(key.first) + " sealed '" + key.second + "', a result set this Ferret does not know");
  }
  std::size_t index = 0;
  for (const ResultSet& set : result_sets()) {
    if (ctx.options.progress) ctx.options.progress({"results", ++index, result_sets().size()});
    auto groups = collect_rows(ctx.db, set, set.columns, std::nullopt);
    if (!groups.ok()) return groups.error();
    // Every seal of this set against the rows now present.
    for (const auto& [key, seal] : seals) {
      if (key.second != set.name) continue;
      ++ctx.report.seals;
      std::vector<SealedRow> now;
      if (seal.columns == set.columns) {
        auto it = groups->find(key.first);
        if (it != groups->end()) now = it->second;
      } else {
        auto again = collect_rows(ctx.db, set, seal.columns, key.first);
        if (!again.ok()) return again.error();
        if (auto it = again->find(key.first); it != again->end()) now = it->second;
      }
      ctx.report.rows += now.size();
      if (seal_digest(now) == seal.digest && static_cast<std::int64_t>(now.size()) == seal.rows) continue;
      // Name the rows, from the row hashes kept with the seal (if they themselves still hold).
      std::vector<SealedRow> sealed;
      auto s = ctx.db.prepare("SELECT row_key, row_hash FROM custody_rows WHERE run_id = ?1 AND result_set = ?2");
      if (!s.ok()) return s.error();
      s->bind(1, key.first).bind(2, key.second);
      for (;;) {
        auto row = s->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        sealed.push_back({s->column_text(0), s->column_text(1)});
      }
      std::sort(sealed.begin(), sealed.end(), [](const SealedRow& a, const SealedRow& b) { return a.key < b.key; });
      const std::string whose = " (written by " + ctx.run_name(key.first) + ")";
      if (seal_digest(sealed) != seal.digest) {
        ctx.add("results", "the " + std::string(set.name) + " rows written by " + ctx.run_name(key.first) +
                               " no longer match their seal, and the sealed row list was altered too (" + std::to_string(now.size()) +
                               " rows now, " + std::to_string(seal.rows) + " sealed)");
        continue;
      }
      std::map<std::string, std::string> then, present;
      for (const auto& r : sealed) then[r.key] = r.hash;
      for (const auto& r : now) present[r.key] = r.hash;
      std::vector<std::string> named;
      std::size_t problems = 0;
      for (const auto& [k, h] : then) {
        auto it = present.find(k);
        if (it == present.end()) {
          if (named.size() < kRowsNamed) named.push_back(row_name(set.name, k) + whose + " was deleted");
          ++problems;
        } else if (it->second != h) {
          if (named.size() < kRowsNamed) named.push_back(row_name(set.name, k) + whose + " was changed after the run sealed it");
          ++problems;
        }
      }
      for (const auto& [k, h] : present) {
        if (then.count(k)) continue;
        if (named.size() < kRowsNamed) named.push_back(row_name(set.name, k) + " claims " + ctx.run_name(key.first) + ", which did not write it: inserted afterwards");
        ++problems;
      }
      for (auto& n : named) ctx.add("results", std::move(n));
      if (problems > named.size()) {
        ctx.add("results", std::to_string(problems - named.size()) + " more " + set.name + " row(s) of " + ctx.run_name(key.first) + " differ");
      }
    }
    // Rows no seal covers.
    for (const auto& [run, rows] : *groups) {
      if (run && *run == current_run) continue;
      if (run && seals.count({*run, set.name})) continue;
      if (run && !closed_runs.count(*run) && ctx.tools.count(*run)) continue;  // reported as an unclosed run
      const std::string example = rows.empty() ? "" : row_name(set.name, rows.front().key);
      if (!run) {
        ctx.add("results", std::to_string(rows.size()) + " " + set.name + " row(s) belong to no recorded run (e.g. " + example +
                               "): inserted afterwards");
      } else {
        ctx.add("results", std::to_string(rows.size()) + " " + set.name + " row(s) claim " + ctx.run_name(*run) +
                               ", which sealed none (e.g. " + example + "): inserted afterwards");
      }
    }
  }
  // files.known is derived from matches: it must say what they say.
  auto s = ctx.db.prepare(
      "SELECT file_id, coalesce(known, 'NULL'), coalesce(derived, 'NULL') FROM (SELECT file_id, known, CASE "
      "WHEN EXISTS (SELECT 1 FROM matches m WHERE m.file_id = f.file_id AND m.category = 'notable') THEN 'notable' "
      "WHEN EXISTS (SELECT 1 FROM matches m WHERE m.file_id = f.file_id AND m.category = 'known-good') THEN 'known-good' END AS derived "
      "FROM files f) WHERE known IS NOT derived LIMIT 6");
  if (!s.ok()) return s.error();
  for (int n = 0;; ++n) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (n == 5) {
      ctx.add("results", "more files rows have a known value their matches do not support");
      break;
    }
    ctx.add("results", "files row " + s->column_text(0) + " says known = " + s->column_text(1) + " but its matches say " + s->column_text(2) +
                           ": edited");
  }
  return {};
}

Status check_evidence(Ctx& ctx) {
  struct Ev {
    std::int64_t id;
    std::string path, md5, sha1, sha256, stored_md5, stored_sha1;
    std::uint64_t size;
  };
  std::vector<Ev> evidence;
  {
    auto s = ctx.db.prepare(
        "SELECT evidence_id, path, coalesce(md5, ''), coalesce(sha1, ''), coalesce(sha256, ''), coalesce(stored_md5, ''), "
        "coalesce(stored_sha1, ''), size FROM evidence ORDER BY evidence_id");
    if (!s.ok()) return s.error();
    for (;;) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      evidence.push_back({s->column_int(0), s->column_text(1), s->column_text(2), s->column_text(3), s->column_text(4), s->column_text(5),
                          s->column_text(6), static_cast<std::uint64_t>(s->column_int(7))});
    }
  }
  for (const Ev& ev : evidence) {
    const std::string who = "evidence " + std::to_string(ev.id) + " (" + display_text(ev.path) + ")";
    // The container files are those recorded at ingest, with their sizes.
    auto seg = ctx.db.prepare("SELECT path, size FROM evidence_segments WHERE evidence_id = ?1 ORDER BY seq");
    if (!seg.ok()) return seg.error();
    seg->bind(1, ev.id);
    for (;;) {
      auto row = seg->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      std::error_code ec;
      const auto size = std::filesystem::file_size(seg->column_text(0), ec);
      if (ec) ctx.add("evidence", who + ": the container file " + display_text(seg->column_text(0)) + " cannot be read: " + ec.message());
      else if (static_cast<std::int64_t>(size) != seg->column_int(1)) {
        ctx.add("evidence", who + ": the container file " + display_text(seg->column_text(0)) + " is " + std::to_string(size) +
                                " bytes, " + std::to_string(seg->column_int(1)) + " when it was ingested");
      }
    }
    EvidenceCheck check{ev.id, ev.path, "", "", "", false};
    auto source = content::reopen_evidence(ev.path, ev.size);
    if (!source.ok()) {
      ctx.add("evidence", who + " " + source.error().message);
      ctx.report.evidence.push_back(check);
      continue;
    }
    hash::MediaHashOptions options;
    options.cancel = ctx.options.cancel;
    if (ctx.options.progress) {
      options.progress = [&](std::uint64_t done, std::uint64_t total) { ctx.options.progress({"evidence " + std::to_string(ev.id), done, total}); };
    }
    auto hashed = hash::hash_media(**source, options);
    if (!hashed.ok()) {
      if (hashed.error().code == Errc::interrupted) {
        ctx.report.interrupted = true;
        return {};
      }
      ctx.add("evidence", who + " cannot be read again: " + hashed.error().message);
      ctx.report.evidence.push_back(check);
      continue;
    }
    check.md5 = hashed->digests.md5;
    check.sha1 = hashed->digests.sha1;
    check.sha256 = hashed->digests.sha256;
    for (const auto& u : hashed->unreadable) {
      ctx.add("evidence", who + ": " + std::to_string(u.length) + " bytes at offset " + std::to_string(u.offset) +
                              " cannot be read (the container is damaged): " + u.message);
    }
    check.matches = check.md5 == ev.md5 && check.sha1 == ev.sha1 && check.sha256 == ev.sha256;
    if (!check.matches) {
      ctx.add("evidence", who + " has changed since it was ingested: SHA-256 " + check.sha256 + " now, " + ev.sha256 + " then");
    }
    if (!ev.stored_md5.empty() && ev.stored_md5 != check.md5) {
      ctx.add("evidence", who + ": MD5 " + check.md5 + " differs from the MD5 stored in the container at acquisition (" + ev.stored_md5 + ")");
    }
    if (!ev.stored_sha1.empty() && ev.stored_sha1 != check.sha1) {
      ctx.add("evidence", who + ": SHA-1 " + check.sha1 + " differs from the SHA-1 stored in the container at acquisition (" + ev.stored_sha1 + ")");
    }
    ctx.report.evidence.push_back(check);
  }
  return {};
}

}  // namespace

Result<VerifyReport> verify_case(Database& db, const std::filesystem::path& case_dir, const VerifyOptions& options) {
  VerifyReport report;
  Ctx ctx{db, report, options, {}, {}};
  std::int64_t current_run = 0;
  {
    auto s = db.prepare("SELECT run_id, tool, finished_at IS NULL FROM runs ORDER BY run_id");
    if (!s.ok()) return s.error();
    for (;;) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      ctx.tools[s->column_int(0)] = s->column_text(1);
      if (s->column_int(2)) ctx.unfinished.insert(s->column_int(0));
      current_run = s->column_int(0);  // the verifying run is the last one (the case is locked)
    }
  }
  report.runs = ctx.tools.size();
  auto entries = load_entries(db);
  if (!entries.ok()) return entries.error();
  report.entries = entries->size();
  if (options.progress) options.progress({"log", 0, entries->size()});
  FERRET_TRY(check_chain(ctx, *entries, current_run));
  check_sidecar(ctx, case_dir, *entries);
  std::set<std::int64_t> closed;
  for (const Entry& e : *entries) {
    if (e.kind != "run-start") closed.insert(e.run_id);
  }
  FERRET_TRY(check_results(ctx, current_run, closed));
  if (options.check_evidence) FERRET_TRY(check_evidence(ctx));
  return report;
}

std::string report_text(const VerifyReport& r) {
  std::ostringstream o;
  o << "custody log: " << r.entries << " entries over " << r.runs << " runs";
  if (r.signed_entries) o << ", " << r.signed_entries << " signed";
  o << "; custody.log: " << r.sidecar_lines << " chain head(s)\n";
  o << "results: " << r.seals << " seal(s) over " << r.rows << " row(s)\n";
  for (const auto& e : r.evidence) {
    o << "evidence " << e.evidence_id << " (" << display_text(e.path) << "): "
      << (e.matches ? "reads as ingested, SHA-256 " + e.sha256 : std::string("DOES NOT read as ingested")) << "\n";
  }
  if (r.interrupted) {
    o << "INTERRUPTED: verification did not finish.\n";
  } else if (r.findings.empty()) {
    o << "VERIFIED: the custody chain holds, every result is as its run sealed it"
      << (r.evidence.empty() ? " (evidence not re-read)" : ", and the evidence is unchanged") << ".\n";
  } else {
    o << "FAILED: " << r.findings.size() << " problem(s). First: " << r.findings.front().message << "\n";
    for (const auto& f : r.findings) o << "  [" << f.area << "] " << f.message << "\n";
  }
  return o.str();
}

std::string report_json(const VerifyReport& r) {
  std::ostringstream o;
  o << "{\"verified\":" << (r.ok() ? "true" : "false") << ",\"entries\":" << r.entries << ",\"runs\":" << r.runs
    << ",\"signed_entries\":" << r.signed_entries << ",\"sidecar_lines\":" << r.sidecar_lines << ",\"seals\":" << r.seals
    << ",\"rows\":" << r.rows << ",\"interrupted\":" << (r.interrupted ? "true" : "false") << ",\"evidence\":[";
  for (std::size_t i = 0; i < r.evidence.size(); ++i) {
    const auto& e = r.evidence[i];
    o << (i ? "," : "") << "{\"evidence_id\":" << e.evidence_id << ",\"path\":\"" << json_escape(e.path) << "\",\"md5\":\"" << e.md5
      << "\",\"sha1\":\"" << e.sha1 << "\",\"sha256\":\"" << e.sha256 << "\",\"matches\":" << (e.matches ? "true" : "false") << "}";
  }
  o << "],\"findings\":[";
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    o << (i ? "," : "") << "{\"area\":\"" << r.findings[i].area << "\",\"message\":\"" << json_escape(r.findings[i].message) << "\"}";
  }
  o << "]}";
  return o.str();
}

}  // namespace ferret::custody
