// The pipeline's stages in order, each one resumable on its own terms: ingest skips evidence the case
// already holds, hashing takes only files not yet hashed, carving skips evidence already carved,
// matching adds nothing twice, and the caller's stages follow.
#include "process/process.h"

#include <chrono>
#include <cstdio>
#include <sstream>

#include "carve/carve.h"
#include "core/text.h"
#include "filehash/file_hasher.h"
#include "ingest/ingest.h"
#include "match/match.h"

namespace ferret::process {

namespace {

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string seconds_text(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", s);
  return b;
}

// Evidence already carved (every family, unallocated space) by an earlier run.
Result<bool> carved_before(casedb::CaseWriter& writer, std::int64_t evidence_id, const std::string& types) {
  return writer.call<bool>([&](casedb::Database& db) -> Result<bool> {
    auto s = db.prepare("SELECT 1 FROM carve_scans WHERE evidence_id = ?1 AND space = 'unallocated' AND types = ?2 LIMIT 1");
    if (!s.ok()) return s.error();
    s->bind(1, evidence_id).bind(2, types);
    auto row = s->step();
    if (!row.ok()) return row.error();
    return *row;
  });
}

Result<std::vector<std::int64_t>> all_evidence(casedb::CaseWriter& writer) {
  return writer.call<std::vector<std::int64_t>>([](casedb::Database& db) -> Result<std::vector<std::int64_t>> {
    auto s = db.prepare("SELECT evidence_id FROM evidence ORDER BY evidence_id");
    if (!s.ok()) return s.error();
    std::vector<std::int64_t> out;
    for (;;) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      out.push_back(s->column_int(0));
    }
    return out;
  });
}

}  // namespace

Result<PipelineOutcome> run_pipeline(casedb::CaseWriter& writer, const PipelineOptions& options) {
  PipelineOutcome out;
  const auto cancelled = [&] { return options.cancel && options.cancel->load(std::memory_order_relaxed); };
  std::vector<std::string> names{"ingest", "hash"};
  if (options.carve) names.push_back("carve");
  if (!options.hashsets.empty()) names.push_back("match");
  for (const auto& x : options.extra) names.push_back(x.name);
  const std::size_t stages = names.size();
  std::size_t index = 0;
  auto report = [&](StageProgress p) {
    p.index = index;
    p.stages = stages;
    if (options.progress) options.progress(p);
  };
  auto done = [&](const std::string& stage, const std::string& text) {
    if (options.stage_done) options.stage_done(stage, text);
  };
  std::ostringstream json;
  json << "\"stages\":[";
  for (std::size_t i = 0; i < names.size(); ++i) json << (i ? "," : "") << "\"" << names[i] << "\"";
  json << "]";

  // 1. Ingest every image the case does not hold yet, hashing its files as the walk is recorded.
  ++index;
  report({"ingest", 0, 0, "", 0, 0, true});
  {
    const auto started = std::chrono::steady_clock::now();
    std::ostringstream ev;
    filehash::HashSummary hashed_total;
    std::size_t skipped = 0, ingested = 0;
    for (std::size_t i = 0; i < options.images.size() && !cancelled(); ++i) {
      const auto& image = options.images[i];
      ingest::IngestOptions io;
      io.run_id = options.run_id;
      io.case_number = options.case_number;
      io.cancel = options.cancel;
      io.clock = options.clock;
      const std::string item = image.filename().string();
      io.progress = [&](const ingest::Progress& p) { report({"ingest", 0, 0, item, p.hashed_bytes, p.total_bytes, true}); };
      filehash::HashSummary hashed_here;
      io.after_walk = [&](std::int64_t evidence_id) -> Status {
        filehash::HashOptions ho;
        ho.run_id = options.run_id;
        ho.cancel = options.cancel;
        ho.evidence_id = evidence_id;
        ho.own_transactions = false;
        auto hashed = filehash::hash_files(writer, ho);
        if (!hashed.ok()) return hashed.error();
        if (hashed->interrupted) return make_error(Errc::interrupted, "interrupted while hashing files");
        hashed_here = std::move(*hashed);
        return {};
      };
      auto outcome = ingest::ingest_evidence(writer, image, io);
      if (!outcome.ok()) {
        if (outcome.error().code == Errc::interrupted) {
          out.interrupted = true;
          break;
        }
        if (outcome.error().code == Errc::exists) {  // the case holds it already: a resumed run
          ++skipped;
          done("ingest", display_text(image.string()) + ": already in the case");
          continue;
        }
        out.failures.push_back(image.string() + ": " + outcome.error().message);
        done("ingest", display_text(image.string()) + ": FAILED: " + display_text(outcome.error().message));
        continue;
      }
      ++ingested;
      for (const auto& w : outcome->warnings) out.warnings.push_back(image.string() + ": " + w);
      filehash::merge_into(hashed_total, hashed_here);
      if (outcome->met_bad_evidence()) out.bad_evidence = true;
      ev << (ingested > 1 ? "," : "") << "{\"evidence_id\":" << outcome->evidence_id << ",\"path\":\"" << json_escape(outcome->path)
         << "\",\"size\":" << outcome->size << ",\"sha256\":\"" << outcome->sha256 << "\",\"files\":" << outcome->files
         << ",\"deleted\":" << outcome->deleted << ",\"problems\":" << outcome->problems << "}";
      done("ingest", "evidence " + std::to_string(outcome->evidence_id) + " (" + display_text(outcome->path) + "): " +
                         human_bytes(static_cast<double>(outcome->size)) + ", " + std::to_string(outcome->files) + " files (" +
                         std::to_string(outcome->deleted) + " deleted), " + std::to_string(outcome->problems) + " problem(s), SHA-256 " +
                         outcome->sha256);
    }
    json << ",\"ingest\":{\"ingested\":[" << ev.str() << "],\"already_in_case\":" << skipped << ",\"seconds\":" << seconds_text(since(started))
         << "}";
    if (hashed_total.unreadable > 0) out.bad_evidence = true;
  }
  if (out.interrupted || cancelled()) {
    out.interrupted = true;
    out.json_members = json.str();
    return out;
  }

  // 2. Hash whatever is still not hashed (evidence ingested earlier without hashing, a stopped run).
  ++index;
  report({"hash", 0, 0, "", 0, 0, true});
  {
    const auto started = std::chrono::steady_clock::now();
    filehash::HashOptions ho;
    ho.run_id = options.run_id;
    ho.cancel = options.cancel;
    ho.progress = [&](const filehash::HashProgress& p) { report({"hash", 0, 0, "files", p.bytes_done, p.bytes_total, true}); };
    auto hashed = filehash::hash_files(writer, ho);
    if (!hashed.ok()) return hashed.error();
    if (hashed->interrupted) {
      out.interrupted = true;
      out.json_members = json.str();
      return out;
    }
    if (hashed->unreadable > 0 || !hashed->problems.empty()) out.bad_evidence = true;
    const double secs = since(started);
    json << ",\"hash\":" << filehash::summary_json(*hashed, secs);
    if (hashed->intact + hashed->reallocated + hashed->unreadable + hashed->no_content == 0) {
      done("hash", "every file is hashed (" + std::to_string(hashed->already_done) + ", during the ingest or by an earlier run)");
    } else {
      std::string text = filehash::summary_text(*hashed, secs);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      done("hash", text);
    }
  }

  // 3. Carve each evidence not carved yet.
  if (options.carve) {
    ++index;
    report({"carve", 0, 0, "", 0, 0, true});
    const auto started = std::chrono::steady_clock::now();
    std::string types;
    for (const auto& f : options.carve_families) types += (types.empty() ? "" : ",") + f;
    if (types.empty()) {
      for (auto f : carve::families()) types += (types.empty() ? "" : ",") + std::string(f);
    }
    auto evidence = all_evidence(writer);
    if (!evidence.ok()) return evidence.error();
    std::ostringstream cj;
    std::size_t n = 0;
    for (std::int64_t id : *evidence) {
      auto before = carved_before(writer, id, types);
      if (!before.ok()) return before.error();
      if (*before) {
        done("carve", "evidence " + std::to_string(id) + ": carved before");
        continue;
      }
      carve::CarveOptions co;
      co.evidence_id = id;
      co.run_id = options.run_id;
      co.families = options.carve_families;
      co.cancel = options.cancel;
      co.progress = [&, id](std::size_t, std::size_t, const carve::ScanProgress& p) {
        report({"carve", 0, 0, "evidence " + std::to_string(id), p.bytes_done, p.bytes_total, true});
      };
      auto carved = carve::carve_case(writer, co);
      if (!carved.ok()) return carved.error();
      if (carved->interrupted) {
        out.interrupted = true;
        out.json_members = json.str();
        return out;
      }
      if (carved->met_unreadable()) out.bad_evidence = true;
      cj << (n++ ? "," : "") << carve::summary_json(*carved, since(started));
      std::string text = carve::summary_text(*carved, since(started));
      while (!text.empty() && text.back() == '\n') text.pop_back();
      done("carve", text);
    }
    json << ",\"carve\":[" << cj.str() << "]";
  }

  // 4. Match against the hash sets.
  if (!options.hashsets.empty()) {
    ++index;
    const auto started = std::chrono::steady_clock::now();
    match::MatchOptions mo;
    mo.hashsets = options.hashsets;
    mo.run_id = options.run_id;
    mo.cancel = options.cancel;
    report({"match", 0, 0, "hash sets", 0, 0, false});
    auto matched = match::match_files(writer, mo);
    if (!matched.ok()) return matched.error();
    if (matched->interrupted) {
      out.interrupted = true;
      out.json_members = json.str();
      return out;
    }
    for (const auto& set : matched->sets) out.hashsets.emplace_back(set.path, set.sha256);
    json << ",\"match\":" << match::summary_json(*matched, since(started));
    std::string text = match::summary_text(*matched, since(started));
    while (!text.empty() && text.back() == '\n') text.pop_back();
    done("match", text);
  }

  // 5. The caller's stages.
  for (const auto& x : options.extra) {
    ++index;
    report({x.name, 0, 0, "", 0, 0, false});
    if (cancelled()) {
      out.interrupted = true;
      break;
    }
    auto result = x.run([&](const StageProgress& p) { report(p); });
    if (!result.ok()) {
      if (result.error().code == Errc::interrupted) {
        out.interrupted = true;
        break;
      }
      out.failures.push_back(x.name + ": " + result.error().message);
      done(x.name, "FAILED: " + display_text(result.error().message));
      continue;
    }
    if (!result->json.empty()) json << "," << result->json;
    if (result->bad_evidence) out.bad_evidence = true;
    std::string text = result->text;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty()) done(x.name, text);
  }
  out.json_members = json.str();
  return out;
}

}  // namespace ferret::process
