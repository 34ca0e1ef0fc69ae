#include "cli/case_session.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "core/text.h"

#include "ferret/version.h"

namespace ferret::cli {

std::string default_examiner() {
  if (const char* e = std::getenv("FERRET_EXAMINER"); e != nullptr && *e != '\0') return e;
  if (const char* u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
  return "";
}

Result<CaseSession> open_case_session(const SessionRequest& request) {
  const Clock& clock = request.clock != nullptr ? *request.clock : system_clock();
  std::unique_ptr<custody::Signer> signer;
  if (!request.sign_key.empty()) {
    auto loaded = custody::Signer::load(request.sign_key);
    if (!loaded.ok()) return loaded.error();
    signer = std::make_unique<custody::Signer>(std::move(*loaded));
  }
  auto dir = casedb::CaseDirectory::open(request.case_dir, request.create ? casedb::CaseDirectory::Create::yes
                                                                          : casedb::CaseDirectory::Create::no,
                                         request.tool);
  if (!dir.ok()) return dir.error();
  auto db = dir->connect();
  if (!db.ok()) return make_error(Errc::io, db.error().message);
  casedb::RunStart run{request.tool, kVersion, kBuildId, casedb::quoted_command_line(request.argc, request.argv),
                       request.examiner, casedb::host_name(), clock.now_iso8601()};
  // The runs row, case_info and the custody run-start entry: all of them or none.
  std::int64_t run_id = 0;
  std::string failed;
  const Status started = casedb::all_or_nothing(*db, "run_start", [&]() -> Status {
    auto inserted = casedb::insert_run(*db, run);
    if (!inserted.ok()) {
      failed = "cannot record the run: ";
      return inserted.error();
    }
    run_id = *inserted;
    if (request.record_case_info) {
      if (Status s = casedb::record_case_info(*db, run_id, run.started_at, request.examiner, request.case_number); !s.ok()) {
        failed = "cannot record the case's facts: ";
        return s;
      }
    }
    if (Status s = custody::record_run_start(*db, run_id, clock, signer.get(), request.seal_unfinished); !s.ok()) {
      failed = "cannot record the run in the custody log: ";
      return s;
    }
    return {};
  });
  if (!started.ok()) {
    if (started.error().code == Errc::invalid_argument) return started.error();  // refused before anything was written
    return make_error(Errc::io, (failed.empty() ? std::string("cannot record the run: ") : failed) + started.error().message);
  }
  // An earlier run killed between committing its end and writing its custody.log line (left as it is,
  // like unfinished runs, when the tool checks the case as it finds it).
  auto caught_up = request.seal_unfinished ? custody::catch_up_sidecar(*db, dir->dir()) : Result<std::vector<std::int64_t>>(std::vector<std::int64_t>{});
  if (!caught_up.ok()) {
    return make_error(Errc::io, "cannot bring " + std::string(custody::kSidecarName) + " up to date: " + caught_up.error().message);
  }
  for (const std::int64_t seq : *caught_up) {
    std::cerr << request.tool << ": " << custody::kSidecarName << " lacked the line of run-end entry " << seq
              << " (its run was stopped before it could write it): added\n";
  }
  CaseSession session;
  session.signer = std::move(signer);
  session.dir = std::move(*dir);
  session.run_id = run_id;
  session.writer = std::make_unique<casedb::CaseWriter>(std::move(*db));
  return session;
}

Status add_evidence_inputs(CaseSession& session, std::optional<std::int64_t> evidence_id, bool ingested_by_run) {
  auto inputs = session.writer->call<std::vector<custody::Input>>([&](casedb::Database& db) -> Result<std::vector<custody::Input>> {
    auto s = db.prepare(
        "SELECT path, coalesce(sha256, '') FROM evidence WHERE (?1 IS NULL OR evidence_id = ?1) AND (?2 = 0 OR ingest_run_id = ?3) "
        "ORDER BY evidence_id");
    if (!s.ok()) return s.error();
    s->bind(1, evidence_id).bind(2, std::int64_t{ingested_by_run ? 1 : 0}).bind(3, session.run_id);
    std::vector<custody::Input> out;
    for (;;) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      out.push_back({"image", s->column_text(0), s->column_text(1)});
    }
    return out;
  });
  if (!inputs.ok()) return inputs.error();
  for (auto& in : *inputs) session.inputs.push_back(std::move(in));
  return {};
}

std::string finish_case_session(CaseSession& session, const Clock& clock, int exit_code, const std::string& summary_json) {
  // One transaction: the runs row says the run ended (and how) only if its run-end entry is in the
  // custody log too. On a full disk neither is written; the next tool seals the run as abandoned.
  auto closed = session.writer->call<custody::Closed>([&](casedb::Database& database) -> Result<custody::Closed> {
    custody::Closed out;
    const Status ended = casedb::all_or_nothing(database, "run_end", [&]() -> Status {
      FERRET_TRY(casedb::finish_run(database, session.run_id, clock.now_iso8601(), exit_code, summary_json));
      auto recorded = custody::record_run_end(database, session.run_id, session.inputs, session.signer.get());
      if (!recorded.ok()) return recorded.error();
      out = std::move(*recorded);
      return {};
    });
    if (!ended.ok()) return ended.error();
    return out;
  });
  if (!closed.ok()) return "cannot record the end of the run: " + closed.error().message;
  // The chain head also goes beside the database, so that cutting the log short is seen.
  if (Status s = custody::append_sidecar(session.dir.dir(), closed->sidecar_line); !s.ok()) {
    return "the run is recorded, but its custody line could not be written: " + s.error().message;
  }
  return "";
}

std::string run_summary_json(const CaseSession& session, std::string_view tool, int exit_code, const std::string& members) {
  std::ostringstream summary;
  summary << "{\"tool\":\"" << tool << "\",\"version\":\"" << kVersion << "\",\"case\":\""
          << json_escape(session.dir.dir().string()) << "\",\"database\":\"" << json_escape(session.dir.database_path().string())
          << "\",\"run_id\":" << session.run_id << ",\"exit_code\":" << exit_code << (members.empty() ? "" : ",") << members
          << "}";
  return summary.str();
}

int end_tool_run(CaseSession& session, const Clock& clock, std::string_view tool, int exit_code, const std::string& members,
                 bool json, bool quiet, std::ostream& human) {
  std::string summary = run_summary_json(session, tool, exit_code, members);
  if (auto failed = finish_case_session(session, clock, exit_code, summary); !failed.empty()) {
    std::cerr << tool << ": " << failed << "\n";
    // The run is not recorded as ended (a full disk, say): not a success, whatever it did before.
    // The next run on the case seals it as abandoned. The printed summary says the exit code the
    // tool really ends with, and why.
    if (exit_code == kExitOk || exit_code == kExitBadEvidence) exit_code = kExitFailure;
    summary = run_summary_json(session, tool, exit_code,
                               members + (members.empty() ? "" : ",") + "\"error\":\"" + json_escape(failed) + "\"");
  }
  if (json) std::cout << summary << "\n";
  if (!quiet) {
    human << "case: " << session.dir.database_path().string() << " (run " << session.run_id << ", exit " << exit_code << ")\n";
  }
  return exit_code;
}

}  // namespace ferret::cli
